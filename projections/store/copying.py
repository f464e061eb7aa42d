"""Copies of a ledger: a SQLite file's online backup, and a whole store copied into a new,
empty one (SQLite or PostgreSQL, either way).

A copy holds the log as it was written, byte for byte (each event's topic and stored
state at its position), the seals as they were made, and what the log cannot recreate:
the imported files and the answers to requests. Its views are folded from that log by
its own `rebuild`. Whether the copy is right is decided by the caller (`prognos backup`,
`prognos copy`): its `check` passes and its head is the source's.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prognos.events.errors import RefusedError
from prognos.projections.store import log
from prognos.projections.store.dialect import Cursor, insert_rows, log_position
from prognos.projections.store.log import EVENTS_TABLE, last_position
from prognos.projections.store.seals import SEALS_TABLE

if TYPE_CHECKING:
    from prognos.projections.store.base import BaseStore

# The tables that are not folded from the log, copied as they are, by their columns, so
# many rows at a time (a row of the sources is a whole file: one at a time).
KEPT = (
    (SEALS_TABLE, ("position", "digest"), 1_000),
    ("prognos_sources", ("sha256", "name", "size", "content"), 1),
    ("prognos_requests", ("request_id", "command", "fingerprint", "first_position",
                          "last_position", "result"), 1_000),
)


def copy_store(source: BaseStore, target: BaseStore,
               progress: Callable[[int], None] | None = None) -> int:
    """Copy the source's log, seals, files and answers, as one snapshot, into the empty
    target in one transaction, then fold the target's views; the events copied."""
    copied = 0
    with source.read() as src, target._writing() as dst:
        held = last_position(dst)
        if held:
            raise RefusedError(f"{target.path} already holds a ledger ({held} events): copy "
                               "writes to a new, empty store only")
        stream = target.stream_id
        columns = (log_position(dst), "originator_id", "originator_version", "topic", "state")
        for rows in log.batches(src, 0, None):
            insert_rows(dst, EVENTS_TABLE, columns, [
                (int(position), stream, int(position), _text(topic), _bytes(state))
                for position, topic, state in rows])
            copied += len(rows)
            if progress is not None:
                progress(len(rows))
        for table, names, at_a_time in KEPT:
            for batch in _rows(src.connection.cursor(), table, names, at_a_time):
                insert_rows(dst, table, names, batch)
    target.rebuild()
    return copied


def _rows(cursor: Cursor, table: str, names: tuple[str, ...],
          at_a_time: int) -> Iterator[list[Any]]:
    cursor.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {names[0]}")
    while rows := cursor.fetchmany(at_a_time):  # type: ignore[attr-defined]
        yield [tuple(_bytes(v) if isinstance(v, memoryview) else v for v in row)
               for row in rows]


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, (bytes, memoryview)) else str(value)


def _bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def backup_file(path: str, target: str) -> str:
    """A consistent copy of a SQLite ledger written next to `target` (as `target.part`),
    while others may be writing: SQLite's online backup, in one step, reads one snapshot
    and never blocks a writer (the log is in WAL mode). The caller verifies it, then moves
    it into place. Refused if `target` exists."""
    if os.path.exists(target):
        raise RefusedError(f"{target} exists: a backup is written to a new file")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise RefusedError(f"cannot write {target}: folder {folder} does not exist")
    part = f"{target}.part"
    for leftover in (part, f"{part}-wal", f"{part}-shm"):
        if os.path.exists(leftover):
            os.unlink(leftover)
    source = sqlite3.connect(path)
    copy = sqlite3.connect(part)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return part

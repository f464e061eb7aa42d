"""The SQLite store: eventsourcing's event tables plus prognos's view tables in one file.

Events are written through eventsourcing's `SQLiteProcessRecorder` in its own
stored format (one stream per line, one for ledger-wide events; the notification
id is the global position). The views and their tracking record are written in
the same transaction, so the views are never behind or ahead of the log.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteProcessRecorder

from prognos.domain.errors import StoreError
from prognos.domain.money import from_ore
from prognos.domain.period import YearMonth
from prognos.domain.state import BookingState, LineState
from prognos.events.base import LedgerEvent
from prognos.events.mapper import (
    TOPIC_OF_KIND,
    decode,
    encode,
    from_notification,
    state_of,
    stream_of_line,
)
from prognos.projections import views

BATCH = 20_000
CACHE_KIB = 128 * 1024

# Imported files, byte for byte, by content hash. Not a view: never dropped on
# rebuild, because the log only names the file (SourceImported) and cannot
# recreate it.
SOURCES_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS prognos_sources ("
    "sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL)"
)


class SQLiteStore:
    """An event store and its views in one SQLite file, created on first use."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self._reader: sqlite3.Connection | None = None
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot open store {self.path}: folder {folder} does not exist")
        try:
            self.datastore = SQLiteDatastore(self.path, originator_id_type="uuid")
            self.recorder = SQLiteProcessRecorder(self.datastore)
            if not self._has_tables():
                self.recorder.create_table()
                with self.datastore.transaction(commit=True) as c:
                    views.create(c)
                    c.execute(SOURCES_SCHEMA)
        except (PersistenceError, sqlite3.Error) as e:
            raise StoreError(f"cannot open store {self.path}: {e}") from None
        # Views written with their events are never behind; a store written by a
        # build whose views were dropped or renamed is caught up here.
        if self.tracked_position() < self.max_position():
            self.catch_up()

    def _has_tables(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                "('stored_events', 'tracking', 'prognos_entries', 'prognos_lines', "
                "'prognos_commands', 'prognos_meta', 'prognos_sources')"
            )
            return bool(c.fetchone()[0] == 7)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self.datastore.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[SQLiteUnitOfWork]:
        """One serialised write transaction: decide, record events, update views."""
        with self._writing() as cursor:
            yield SQLiteUnitOfWork(self, cursor)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        """A consistent snapshot for the several queries of one report (a plain cursor)."""
        if self._reader is None:
            self._reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        cursor = self._reader.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        finally:
            cursor.execute("ROLLBACK")

    def source(self, sha256: str) -> tuple[str, bytes] | None:
        """The name and exact bytes of an imported file."""
        with self.read() as c:
            c.execute("SELECT name, content FROM prognos_sources WHERE sha256 = ?", (sha256,))
            row = c.fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def tracked_position(self) -> int:
        return self.recorder.max_tracking_id(views.VIEWS) or 0

    def notifications(self, after: int = 0, upto: int | None = None) -> Iterator[LedgerEvent]:
        """Stream the log from the store, a batch at a time."""
        start = after
        while True:
            batch = self.recorder.select_notifications(
                start, BATCH, stop=upto, inclusive_of_start=False
            )
            if not batch:
                return
            for notification in batch:
                yield from_notification(notification)
            start = batch[-1].id

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            # A bulk write touches index pages all over a large file; the default
            # 2 MB page cache would re-read them again and again.
            cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # IMMEDIATE takes the write lock before the rules read the views, so
            # two processes cannot both decide on the same state.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def catch_up(self, progress: Any = None) -> int:
        """Apply every notification the views have not seen yet, in one transaction."""
        with self._writing() as cursor:
            return self._follow(cursor, progress)

    def rebuild(self, progress: Any = None) -> int:
        """Drop every view and fold the whole log into them again, in one transaction.

        The indexes are built after the load: sorting once is cheaper than
        keeping them ordered row by row. A failed rebuild leaves the old views.
        """
        with self._writing() as cursor:
            views.drop(cursor)
            views.create(cursor, indexes=False)
            cursor.execute("DELETE FROM tracking WHERE application_name = ?", (views.VIEWS,))
            applied = self._follow(cursor, progress)
            views.create_indexes(cursor)
        return applied

    def _follow(self, cursor: SQLiteCursor, progress: Any) -> int:
        """The one way the views follow the log: batches after the tracked position.

        Reads rows straight from the recorder's table (eventsourcing's
        `select_notifications` would build a UUID per row, unused here).
        """
        done = self.recorder._max_tracking_id(views.VIEWS, cursor) or 0
        table = self.recorder.events_table_name
        applied = 0
        while True:
            cursor.execute(
                f"SELECT rowid, topic, state FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (done, BATCH),
            )
            batch = cursor.fetchall()
            if not batch:
                return applied
            views.apply(cursor, [_record(position, topic, state) for position, topic, state in batch])
            done = batch[-1][0]
            self.recorder._insert_tracking(cursor, Tracking(views.VIEWS, done))
            applied += len(batch)
            if progress is not None:
                progress(len(batch))

class SQLiteUnitOfWork:
    """The ledger as the rules see it inside one write transaction."""

    def __init__(self, store: SQLiteStore, cursor: SQLiteCursor):
        self.store = store
        self.cursor = cursor
        self._stream_cache: dict[str | None, list[Any]] = {}

    def line(self, code: str) -> LineState | None:
        self.cursor.execute(
            "SELECT code, name, parent, children, has_amounts FROM prognos_lines WHERE code = ?",
            (code,),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        return LineState(row[0], row[1], row[2], row[3], bool(row[4]))

    def lines(self) -> dict[str, LineState]:
        self.cursor.execute("SELECT code, name, parent, children, has_amounts FROM prognos_lines")
        return {r[0]: LineState(r[0], r[1], r[2], r[3], bool(r[4])) for r in self.cursor.fetchall()}

    def source_imported(self, sha256: str) -> bool:
        self.cursor.execute("SELECT 1 FROM prognos_sources WHERE sha256 = ?", (sha256,))
        return self.cursor.fetchone() is not None

    def save_source(self, sha256: str, name: str, content: bytes) -> None:
        self.cursor.execute(
            "INSERT INTO prognos_sources (sha256, name, size, content) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256) DO NOTHING",
            (sha256, name, len(content), content),
        )

    def closed_through(self) -> YearMonth | None:
        value = views.get_meta(self.cursor, "closed_through")
        return None if value is None else YearMonth.parse(value)

    def last_recorded_at(self) -> datetime | None:
        value = views.get_meta(self.cursor, "last_recorded_at")
        return None if value is None else datetime.fromisoformat(value)

    def booking(self, event_id: UUID) -> BookingState | None:
        self.cursor.execute(
            "SELECT e.kind, e.line, e.month, e.amount, e.ref, r.event_id "
            "FROM prognos_entries e LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
            "WHERE e.event_id = ?",
            (str(event_id),),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        kind, line, month, amount, ref, reversed_by = tuple(row)
        return BookingState(
            event_id=event_id,
            kind=kind,
            line=line,
            period=YearMonth.from_index(month) if month is not None else YearMonth(1900, 1),
            amount=from_ore(amount) if amount is not None else Decimal(0),
            ref=ref,
            reversed_by=UUID(reversed_by) if reversed_by else None,
        )

    def _streams(self, lines: Sequence[str | None]) -> list[tuple[str, int]]:
        """Each event's stream (hex) and version in it, continuing from the views' count."""
        known = self._known_streams(set(lines))
        out = []
        for line in lines:  # None is the ledger-wide stream
            entry = known.get(line)
            if entry is None:  # a line this very batch adds
                entry = known[line] = [stream_of_line(line).hex, 0]
            entry[1] += 1
            out.append((entry[0], entry[1]))
        return out

    def _known_streams(self, lines: set[str | None]) -> dict[str | None, list[Any]]:
        """Stream and version per line, read once per transaction and kept up to date here.

        Only this transaction writes (it holds the lock), so what it read plus
        what it wrote is the truth for its later chunks.
        """
        known = self._stream_cache
        if None in lines and None not in known:
            version = int(views.get_meta(self.cursor, "ledger_version") or 0)
            known[None] = [stream_of_line(None).hex, version]
        missing = [code for code in lines if code is not None and code not in known]
        query = "SELECT code, stream, version FROM prognos_lines"
        if len(missing) > 200:
            # A bulk command: one scan beats thousands of point queries.
            self.cursor.execute(query)
            for code, stream, version in self.cursor.fetchall():
                known.setdefault(code, [stream, version])
        else:
            for code in missing:
                self.cursor.execute(query + " WHERE code = ?", (code,))
                for code_, stream, version in self.cursor.fetchall():
                    known[code_] = [stream, version]
        return known

    def max_position(self) -> int:
        table = self.store.recorder.events_table_name
        self.cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
        return int(self.cursor.fetchone()[0])

    def record(self, events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
        """Append one command's events, which carry the next positions in order."""
        self.record_states([(e.position or 0, e.kind, e.line, state_of(e)) for e in events])
        return list(events)

    def record_states(self, records: Sequence[tuple[int, str, str | None, dict[str, Any]]]) -> None:
        """Append events given in their stored form: (position, kind, line, state).

        This is the one write path. The rows go straight into the recorder's
        table in eventsourcing's stored format, with `executemany` and explicit
        notification ids (the write lock is held, so max + 1 onward is free),
        and the same states feed the views in the same transaction.
        """
        if not records:
            return
        first = self.max_position() + 1
        if [r[0] for r in records] != list(range(first, first + len(records))):
            raise RuntimeError("events must carry the next positions, in order")
        streams = self._streams([r[2] for r in records])
        rows = [
            (position, stream, version, TOPIC_OF_KIND[kind], encode(state))
            for (position, kind, _, state), (stream, version) in zip(records, streams, strict=True)
        ]
        # In key order, the primary-key inserts walk the index once instead of
        # jumping to a random page per row (positions are explicit, so order is free).
        rows.sort(key=lambda row: (row[1], row[2]))
        table = self.store.recorder.events_table_name
        self.cursor.executemany(
            f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        views.apply(self.cursor, [(r[0], r[1], r[3]) for r in records])
        self.store.recorder._insert_tracking(self.cursor, Tracking(views.VIEWS, records[-1][0]))


def _record(position: int, topic: str, state: bytes) -> views.Record:
    cls, data = decode(topic, state)
    return (position, cls.kind, data)

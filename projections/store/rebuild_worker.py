"""Batches of the log as view rows, made here or by a helper process during a long rebuild.

A rebuild's work per event is more than half Python (decode the stored JSON,
build the view row) and the rest the database (insert it). On a machine with two
cores, a helper process prepares three of every five batches, reading the log
through its own read-only connection, while the rebuilding process prepares
the other two and writes them all in order (writing takes about half as long
as preparing, so each process is busy about as long). Both sides use `prepared_range`, so a
rebuild with or without the helper writes the same views.

The helper sees every event the rebuild must fold: the rebuild holds the
store's write lock, so nothing is appended meanwhile, and it has not touched
the event table. A pipe blocks once full, so the helper runs at most a batch
ahead and memory stays bounded.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from typing import Any
from urllib.parse import quote

from prognos.events.errors import DAMAGED, StoreError, damage
from prognos.projections.store import log, views
from prognos.projections.store.dialect import Cursor
from prognos.projections.store.mapper import decode_rows


def prepared_range(
    cursor: Cursor, after: int, upto: int, with_amounts: set[str]
) -> tuple[int, views.Prepared | None]:
    """The events at positions after..upto as rows for the views (None when there are none)."""
    batches = list(log.batches(cursor, after, upto))  # one, when the range is a batch long
    rows = batches[0] if len(batches) == 1 else [row for batch in batches for row in batch]
    if not rows:
        return 0, None
    try:
        return len(rows), views.prepare(decode_rows(rows), with_amounts)
    except DAMAGED as e:  # a damaged or foreign event row
        raise StoreError(f"the views cannot follow the log: {damage(e)}") from None


def produce(source: tuple[str, Any], ranges: list[tuple[int, int]], out: Any) -> None:
    """Send (count, Prepared) for each range in order, or ("failed",) and stop."""
    try:
        cursor = _open(source)
        with_amounts: set[str] = set()
        for after, upto in ranges:
            out.send(prepared_range(cursor, after, upto, with_amounts))
    except KeyboardInterrupt:  # the user stopped the rebuild; it says so itself
        pass
    except Exception:  # the rebuilding process does the rest itself (and meets any damage)
        try:
            out.send(("failed",))
        except OSError:  # the rebuilding process has gone: nobody to tell
            pass
    finally:
        out.close()


def _open(source: tuple[str, Any]) -> Cursor:
    """A read-only cursor on the store: ("sqlite", path) or ("postgres", connection settings)."""
    kind, where = source
    if kind == "sqlite":
        # (as bytes: a file name may hold any bytes, and a URI escapes them all)
        uri = f"file:{quote(os.fsencode(os.path.abspath(where)))}?mode=ro"
        return sqlite3.connect(uri, uri=True).cursor()
    import psycopg

    from prognos.projections.store.pg_cursor import PgCursor

    settings = {k: v for k, v in where.items() if k != "schema"}
    conn = psycopg.connect(**settings, autocommit=True, options=f"-c search_path={where['schema']}")
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    return PgCursor(conn.cursor())


class Helper:
    """A helper process preparing the given ranges of the log, in order.

    A fresh interpreter running this module, not a `multiprocessing` process: a
    spawned process imports the caller's main module again, so a script without
    an `if __name__ == "__main__"` guard would run its own top level a second
    time (and fail) whenever it rebuilt a large store. It is started with the
    caller's `sys.path`, told its work on stdin, and sends one pickled item per
    batch through a pipe, which blocks once full: it runs at most a batch ahead.
    """

    def __init__(self, source: tuple[str, Any], ranges: list[tuple[int, int]]):
        mine = [r for i, r in enumerate(ranges) if _helped(i)]
        path = [p or os.curdir for p in sys.path if isinstance(p, str)]  # others are ignored
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        self.process = subprocess.Popen(
            # -P: the working folder is not put first on its path (only the caller's path is)
            [sys.executable, "-P", "-m", __name__],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.receiving = self.process.stdout
        try:
            pickle.dump((source, mine), self.process.stdin)
            self.process.stdin.close()
        except OSError:
            pass  # it has stopped already: the first `next` says so

    @staticmethod
    def helps(batch: int) -> bool:
        return _helped(batch)

    def next(self) -> tuple[int, views.Prepared | None] | None:
        """The next batch it prepared; None if it has stopped (it could not start or
        connect, was killed, or met a damaged event): the caller then prepares the
        batch itself, and meets the same damage if that was the reason."""
        try:
            item = pickle.load(self.receiving)
        except (EOFError, OSError, pickle.UnpicklingError):
            return None
        if item[0] == "failed":
            return None
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        self.receiving.close()  # a helper still sending stops on the broken pipe
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Sending:
    """The helper's end of the pipe: whole pickles, so a failure to pickle an item
    never leaves half of one in the stream."""

    def __init__(self, stream: Any):
        self.stream = stream

    def send(self, item: Any) -> None:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        self.stream.write(data)
        self.stream.flush()

    def close(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass


def _helped(batch: int) -> bool:
    """Whether the helper prepares this batch: three of every five, which keeps both
    processes about equally busy (measured at 1.3 M events on SQLite)."""
    return batch % 5 in (1, 2, 4)


def _main() -> None:
    """The helper process: its work from stdin, its batches to what was stdout (anything
    else printed goes to stderr, so it cannot corrupt the stream)."""
    source, ranges = pickle.load(sys.stdin.buffer)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    produce(source, ranges, _Sending(out))


if __name__ == "__main__":
    _main()

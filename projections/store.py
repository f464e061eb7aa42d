"""The SQLite store: eventsourcing's event tables plus prognos's view tables in one file.

eventsourcing's `SQLiteProcessRecorder` creates the event and tracking tables and
reads the log; events are written into its table in its stored format (the
ledger's one stream, see `events.streams`; the notification id is the global
position and the version) by one batch `executemany` (see `unit_of_work`). The
views and their tracking record are written in the same transaction, so the
views are never behind or ahead of the log.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteProcessRecorder

from prognos.domain.errors import StoreError
from prognos.events.base import LedgerEvent
from prognos.events.mapper import from_notification
from prognos.projections import rebuild_worker, views
from prognos.projections.unit_of_work import SQLiteUnitOfWork

PROGNOS_TABLES = {
    "stored_events", "tracking", "prognos_entries", "prognos_lines", "prognos_commands",
    "prognos_meta", "prognos_sources",
}
BATCH = 20_000
HELPER_FROM = 200_000  # events behind: below this a helper process costs more than it saves
CACHE_KIB = 64 * 1024  # 128 MB measured no faster (events now append), 75 MB more RSS

# Imported files, byte for byte, by content hash. Not a view: never dropped on
# rebuild, because the log only names the file (SourceImported) and cannot
# recreate it.
SOURCES_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS prognos_sources ("
    "sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL)"
)


class SQLiteStore:
    """An event store and its views in one SQLite file, created on first use."""

    def __init__(self, path: str | os.PathLike[str], catch_up: bool = True):
        self.path = os.fspath(path)
        self._reader: sqlite3.Connection | None = None
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot open store {self.path}: folder {folder} does not exist")
        try:
            self.datastore = SQLiteDatastore(self.path, originator_id_type="uuid")
            self.recorder = SQLiteProcessRecorder(self.datastore)
            tables = self._tables()
            if tables and not tables >= PROGNOS_TABLES:
                raise StoreError(f"{self.path} is a database of something else, not a prognos store")
            if not tables:
                self.recorder.create_table()
                with self.datastore.transaction(commit=True) as c:
                    views.create(c)
                    c.execute(SOURCES_SCHEMA)
        except (PersistenceError, sqlite3.Error) as e:
            raise StoreError(f"cannot open store {self.path}: {e}") from None
        # Views written with their events are never behind; views left behind (by
        # a build that dropped them, say) are caught up here, and views of an
        # older layout are rebuilt. If that fails the views are damaged: `check`
        # says so and `rebuild` repairs them.
        if catch_up and self.views_version() != views.VERSION:
            self.rebuild()
        elif catch_up and self.tracked_position() < self.max_position():
            try:
                self.catch_up()
            except (PersistenceError, sqlite3.Error):
                pass

    def _tables(self) -> set[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in c.fetchall()}

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
        """A consistent snapshot for the several queries of one report (a plain cursor).

        A read inside another read shares its snapshot (`check` reads reports
        while it walks the views alongside the log)."""
        if self._reader is None:
            self._reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        cursor = self._reader.cursor()
        if self._reader.in_transaction:
            yield cursor
            return
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

    def views_version(self) -> str | None:
        with self.datastore.transaction(commit=False) as c:
            return views.get_meta(c, "views_version")

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
            # The helper (if any) starts first: it reads only the log, so it can
            # prepare while the old views are dropped.
            ranges, helper = self._plan(cursor, after=0)
            try:
                views.drop(cursor)
                views.create(cursor, indexes=False)
                cursor.execute("DELETE FROM tracking WHERE application_name = ?", (views.VIEWS,))
                applied = self._fold(cursor, ranges, helper, progress)
            finally:
                if helper is not None:
                    helper.close()
            views.create_indexes(cursor)
        return applied

    def _follow(self, cursor: SQLiteCursor, progress: Any) -> int:
        """The one way the views follow the log: batches after the tracked position."""
        done = self.recorder._max_tracking_id(views.VIEWS, cursor) or 0
        ranges, helper = self._plan(cursor, after=done)
        try:
            return self._fold(cursor, ranges, helper, progress)
        finally:
            if helper is not None:
                helper.close()

    def _plan(self, cursor: SQLiteCursor, after: int) -> tuple[list[tuple[int, int]], _Helper | None]:
        """The batches of the log after a position, and a helper process to prepare three of
        every five of them when the views are a long way behind on more than one core
        (`rebuild_worker`): preparing is most of the work."""
        table = self.recorder.events_table_name
        cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
        last = cursor.fetchone()[0]
        ranges = [(lo, min(lo + BATCH, last)) for lo in range(after, last, BATCH)]
        helper = None
        if len(ranges) > 1 and last - after >= HELPER_FROM and (os.cpu_count() or 1) > 1:
            helper = _Helper(self.path, table, [r for i, r in enumerate(ranges) if _helps(i)])
        return ranges, helper

    def _fold(
        self, cursor: SQLiteCursor, ranges: list[tuple[int, int]], helper: _Helper | None,
        progress: Any,
    ) -> int:
        """Fold the batches into the views in order, with tracking after each.

        Reads rows straight from the recorder's table (eventsourcing's
        `select_notifications` would build a UUID per row, unused here)."""
        table = self.recorder.events_table_name
        applied = 0
        with_amounts: set[str] = set()
        for i, (after, upto) in enumerate(ranges):
            if helper is not None and _helps(i):
                count, prepared = helper.next()
            else:
                count, prepared = rebuild_worker.prepared_range(
                    cursor, table, after, upto, with_amounts
                )
            if prepared is not None:
                views.write(cursor, prepared)
            self.recorder._insert_tracking(cursor, Tracking(views.VIEWS, upto))
            applied += count
            if progress is not None:
                progress(count)
        return applied


class _Helper:
    """A helper process preparing the given ranges of the log, in order (see `rebuild_worker`)."""

    def __init__(self, path: str, table: str, ranges: list[tuple[int, int]]):
        import multiprocessing

        # spawn, not fork: this process holds open SQLite connections.
        context = multiprocessing.get_context("spawn")
        self.receiving, sending = context.Pipe(duplex=False)
        self.process = context.Process(
            target=rebuild_worker.produce, args=(path, table, ranges, sending), daemon=True
        )
        self.process.start()
        sending.close()

    def next(self) -> tuple[int, views.Prepared | None]:
        try:
            item = self.receiving.recv()
        except EOFError:
            raise StoreError("the rebuild's helper process stopped unexpectedly") from None
        if item[0] == "failed":
            error = item[1]
            raise error if isinstance(error, StoreError) else StoreError(
                f"the views cannot follow the log: {error}"
            )
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        self.receiving.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def _helps(batch: int) -> bool:
    """Whether the helper prepares this batch: three of every five, which keeps both
    processes about equally busy (measured at 1.3 M events)."""
    return batch % 5 in (1, 2, 4)

"""What the SQLite and the PostgreSQL store share: the log, the views, and how the views follow.

Each store is eventsourcing's event and tracking tables plus prognos's view
tables in one database. Events are written into eventsourcing's table in its
stored format (the ledger's one stream, see `streams`; the notification id is
the global position and the version) by one batch insert (see `unit_of_work`
and `dialect.insert_rows`), and the views and their tracking record in the same
transaction, so the views are never behind or ahead of the log.

A store provides `_writing` (one serialised write transaction), `read` (one
snapshot, a cursor) and `_helper_source` (how a second process preparing batches
of a long rebuild opens it). Reports read through `snapshot` (`queries`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from prognos.events.errors import StoreError
from prognos.domain.state import NO_LIMIT, Kept
from prognos.projections.store import log, seals, views
from prognos.projections.store.dialect import Cursor, ReadCursor, log_position
from prognos.projections.store.guards import Waiting
from prognos.projections.store.log import EVENTS_TABLE, last_position
from prognos.projections.store.queries import ViewQueries
from prognos.projections.store.views import TRACKING_TABLE, tracked_position

if TYPE_CHECKING:  # the event models (pydantic) load only where events are read or written
    from prognos.events.ledger import LedgerEvent
    from prognos.projections.store.rebuild_worker import Helper
    from prognos.projections.store.unit_of_work import SqlUnitOfWork

Progress = Callable[[int], None]  # told how many events were folded in
PROGNOS_TABLES = {
    "stored_events", "tracking", "prognos_entries", "prognos_lines", "prognos_commands",
    "prognos_meta", "prognos_sources", "prognos_seals", "prognos_requests",
}
# The tables folded from the log, and the views' tracking: when one is missing, the
# views are made anew.
VIEW_TABLES = {"prognos_entries", "prognos_lines", "prognos_commands", "prognos_meta", "tracking"}
BATCH = 20_000
HELPER_FROM = 200_000  # events behind: below this a helper process costs more than it saves

# Imported files, byte for byte, by content hash. Not a view: never dropped on
# rebuild, because the log only names the file (SourceImported) and cannot
# recreate it.
SOURCES_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS prognos_sources ("
    "sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL)"
)


# The answers to requests sent with a request id (`domain.requests`): kept, never dropped
# on rebuild, since the log holds each event's request id but not what was asked.
REQUESTS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS prognos_requests (request_id TEXT PRIMARY KEY, "
    "command TEXT NOT NULL, fingerprint TEXT NOT NULL, first_position INTEGER, "
    "last_position INTEGER, result TEXT)"
)


class BaseStore:
    path: str  # where the store is, as shown to the user (no password)
    waiting: Waiting = Waiting()  # how long a write waits for another (set by `open_store`)
    recorder: Any  # eventsourcing's process recorder, which creates its tables
    stream_id: Any  # the ledger stream's originator id as this database takes it

    def _writing(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def read(self) -> AbstractContextManager[ReadCursor]:
        raise NotImplementedError

    @contextmanager
    def snapshot(self) -> Iterator[ViewQueries]:
        """One consistent view of the ledger, as the reports read it (`reports.source`)."""
        with self.read() as cursor:
            yield ViewQueries(cursor)

    def _helper_source(self) -> tuple[str, Any]:
        """How a helper process opens this store read-only (see `rebuild_worker`)."""
        raise NotImplementedError

    def _helper(self, ranges: list[tuple[int, int]]) -> Helper | None:
        """A helper process to prepare three of every five batches when the views are a
        long way behind on more than one core (`rebuild_worker`): preparing is most of
        the work."""
        from prognos.projections.store import rebuild_worker

        behind = ranges[-1][1] - ranges[0][0]
        if len(ranges) > 1 and behind >= HELPER_FROM and (os.cpu_count() or 1) > 1:
            try:
                return rebuild_worker.Helper(self._helper_source(), ranges)
            except Exception:  # no interpreter to start (an embedded Python): work alone
                return None
        return None

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> BaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_views(self, catch_up: bool, errors: tuple[type[BaseException], ...]) -> None:
        """Catch the views up with the log, or rebuild views of an older layout.

        Views written with their events are never behind; views left behind (by
        a build that dropped them, say) are caught up here. If that fails the
        views are damaged: `check` says so and `rebuild` repairs them."""
        if not catch_up:
            return
        version, tracked, last = self._one_row(
            lambda c: "SELECT (SELECT value FROM prognos_meta WHERE key = 'views_version'), "
            f"(SELECT MAX(notification_id) FROM {TRACKING_TABLE} WHERE application_name = ?), "
            f"(SELECT MAX({log_position(c)}) FROM {EVENTS_TABLE})",
            (views.VIEWS,),
        )
        if version != views.VERSION:
            self.rebuild()
        elif (tracked or 0) < (last or 0):
            try:
                self.catch_up()
            except errors:
                pass

    def _one_row(self, sql: Callable[[ReadCursor], str], params: tuple[Any, ...]) -> Any:
        """The row of a one-statement query (the SQL made for the cursor's dialect)."""
        with self.read() as c:
            c.execute(sql(c), params)
            return c.fetchone()

    @contextmanager
    def write(self) -> Iterator[SqlUnitOfWork]:
        """One serialised write transaction: decide, record events, update views."""
        from prognos.projections.store.unit_of_work import SqlUnitOfWork

        with self._writing() as cursor:
            yield SqlUnitOfWork(self, cursor)

    def source(self, sha256: str) -> tuple[str, bytes] | None:
        """The name and exact bytes of an imported file."""
        with self.read() as c:
            c.execute("SELECT name, content FROM prognos_sources WHERE sha256 = ?", (sha256,))
            row = c.fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def db_role(self) -> str | None:
        """The database role this store writes as, where the database has roles."""
        return None

    def max_position(self) -> int:
        with self.read() as c:
            return last_position(c)

    def head(self, upto: int = NO_LIMIT) -> tuple[int, str] | None:
        """The head: the last seal (at or before position `upto`) and its position."""
        with self.snapshot() as snap:
            return snap.head_seal(upto)

    def kept(self, digest: str, position: int) -> Kept:
        with self.read() as c:
            return seals.kept(c, c.connection.cursor(), digest, position)

    def tracked_position(self) -> int:
        with self.read() as c:
            return tracked_position(c)

    def notifications(self, after: int = 0, upto: int | None = None) -> Iterator[LedgerEvent]:
        """The events after..upto, in order, a batch at a time, in one snapshot (the
        caller's, inside a read)."""
        with self.read() as c:
            yield from log.events(c, after, upto)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply every notification the views have not seen yet, in one transaction."""
        with self._writing() as cursor:
            return self._follow(cursor, progress)

    def rebuild(self, progress: Progress | None = None) -> int:
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
                cursor.execute(
                    f"DELETE FROM {TRACKING_TABLE} WHERE application_name = ?", (views.VIEWS,)
                )
                applied = self._fold(cursor, ranges, helper, progress)
            finally:
                if helper is not None:
                    helper.close()
            try:
                views.create_indexes(cursor)
            except Exception as e:
                if not _breaks_a_constraint(e):
                    raise
                # A log that no command could have written (a booking reversed twice, say):
                # the views cannot hold it, and the old views stay.
                raise StoreError(
                    f"the log cannot be folded into views ({' '.join(str(e).split())}): it "
                    "holds events the ledger's rules forbid; nothing is changed; prognos check "
                    "names the first") from None
        return applied

    def _follow(self, cursor: Cursor, progress: Progress | None) -> int:
        """The one way the views follow the log: batches after the tracked position."""
        ranges, helper = self._plan(cursor, after=tracked_position(cursor))
        try:
            return self._fold(cursor, ranges, helper, progress)
        finally:
            if helper is not None:
                helper.close()

    def _plan(self, cursor: Cursor, after: int) -> tuple[list[tuple[int, int]], Helper | None]:
        """The batches of the log after a position, and a helper (if the store has one)
        to prepare some of them."""
        last = last_position(cursor)
        ranges = [(lo, min(lo + BATCH, last)) for lo in range(after, last, BATCH)]
        return ranges, self._helper(ranges) if ranges else None

    def _fold(
        self, cursor: Cursor, ranges: list[tuple[int, int]], helper: Helper | None,
        progress: Progress | None,
    ) -> int:
        """Fold the batches into the views in order, with tracking after each.

        Reads rows straight from the recorder's table (eventsourcing's
        `select_notifications` would build a UUID per row, unused here)."""
        from prognos.projections.store import rebuild_worker

        applied = 0
        with_amounts: set[str] = set()
        for i, (after, upto) in enumerate(ranges):
            helped = helper.next() if helper is not None and helper.helps(i) else None
            if helped is not None:
                count, prepared = helped
            else:  # not the helper's batch, or the helper has gone: the same work here
                count, prepared = rebuild_worker.prepared_range(cursor, after, upto, with_amounts)
            if prepared is not None:
                views.write(cursor, prepared)
            views.track(cursor, upto)
            applied += count
            if progress is not None:
                progress(count)
        return applied


def _breaks_a_constraint(error: Exception) -> bool:
    """A database's own integrity error (sqlite3's, or psycopg's where it is loaded)."""
    import sqlite3
    import sys

    kinds: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        kinds += (psycopg.IntegrityError,)
    return isinstance(error, kinds)


def not_a_prognos_store(where: str) -> StoreError:
    return StoreError(f"{where} is a database of something else, not a prognos store")

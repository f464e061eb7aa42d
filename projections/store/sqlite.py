"""The SQLite store: eventsourcing's event tables plus prognos's view tables in one file.

eventsourcing's `SQLiteProcessRecorder` creates the event and tracking tables;
what both stores share (writing, following, rebuilding) is in `base`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteProcessRecorder

from prognos.events.errors import MissingStoreError, StoreError
from prognos.projections.store.streams import LEDGER_STREAM_ID
from prognos.projections.store import guards, seals, views
from prognos.projections.store.base import (
    PROGNOS_TABLES, REQUESTS_SCHEMA, SOURCES_SCHEMA, VIEW_TABLES, BaseStore, not_a_prognos_store,
)
from prognos.projections.store.log import EVENTS_TABLE
from prognos.projections.store.reader import sqlite_reason

CACHE_KIB = 64 * 1024  # 128 MB measured no faster (events now append), 75 MB more RSS


class SQLiteStore(BaseStore):
    """An event store and its views in one SQLite file, created on first use."""

    stream_id = LEDGER_STREAM_ID  # eventsourcing's SQLite table keeps it as hex text

    def __init__(
        self, path: str | os.PathLike[str], catch_up: bool = True, create: bool = True
    ):
        self.path = os.fspath(path)
        self._reader: sqlite3.Connection | None = None
        self._guarded = False  # whether this process has seen the append-only triggers made
        if not create and not os.path.exists(self.path):
            raise MissingStoreError(self.path)
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot open store {self.path}: folder {folder} does not exist")
        try:
            self.datastore = SQLiteDatastore(self.path, originator_id_type="uuid")
            self.recorder = SQLiteProcessRecorder(self.datastore)
            if not self._tables() >= PROGNOS_TABLES:
                with _creating(self.path):
                    tables = self._tables()  # another process may have made them meanwhile
                    if not tables >= PROGNOS_TABLES:
                        self._create(tables)
        except (PersistenceError, sqlite3.Error) as e:
            reason = sqlite_reason(self.path, e)
            raise StoreError(f"cannot open store {self.path}: {reason}") from None
        try:
            self._open_views(catch_up, (PersistenceError, sqlite3.Error))
        except BaseException:
            self.close()
            raise

    def _create(self, tables: set[str]) -> None:
        """Create every table; finish a store whose creation was cut short (or whose view
        tables were dropped) and fold its log anew, as on PostgreSQL."""
        if tables - PROGNOS_TABLES - {"sqlite_sequence"} or self._foreign_events(tables):
            raise not_a_prognos_store(self.path)
        self.recorder.create_table()
        with self.datastore.transaction(commit=True) as c:
            views.create(c)
            c.execute(SOURCES_SCHEMA)
            c.execute(seals.SCHEMA)  # a store from before sealing gets it here
            c.execute(REQUESTS_SCHEMA)
            for statement in guards.sqlite_triggers():
                c.execute(statement)
        if EVENTS_TABLE in tables and VIEW_TABLES - tables:
            self.rebuild()

    def _foreign_events(self, tables: set[str]) -> bool:
        """Whether an event table holds events that are not prognos's."""
        if EVENTS_TABLE not in tables:
            return False
        with self.datastore.transaction(commit=False) as c:
            # Every topic prognos writes begins so (`mapper.TOPIC_PREFIX`), and so do old ones.
            c.execute(f"SELECT 1 FROM {EVENTS_TABLE} WHERE topic NOT LIKE 'prognos.events.%' "
                      "LIMIT 1")
            return c.fetchone() is not None

    def _tables(self) -> set[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in c.fetchall()}

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self.datastore.close()

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

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            # A bulk write touches index pages all over a large file; the default
            # 2 MB page cache would re-read them again and again.
            cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # IMMEDIATE takes the write lock before the rules read the views, so
            # two processes cannot both decide on the same state.
            self.waiting.take(lambda timeout: _begin_immediate(cursor, timeout))
            try:
                yield cursor
                if not self._guarded:  # a store from before the triggers gets them here
                    for statement in guards.sqlite_triggers():
                        cursor.execute(statement)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            self._guarded = True

    def _helper_source(self) -> tuple[str, Any]:
        return ("sqlite", self.path)


def _begin_immediate(cursor: Any, timeout: float) -> bool:
    """Begin the write transaction, waiting up to `timeout` seconds for another writer;
    False if it still holds the lock."""
    cursor.execute(f"PRAGMA busy_timeout = {max(1, int(timeout * 1000))}")
    try:
        cursor.execute("BEGIN IMMEDIATE")
    except (sqlite3.OperationalError, PersistenceError) as e:
        if "locked" in str(e) or "busy" in str(e):
            return False
        raise
    return True


@contextmanager
def _creating(path: str) -> Iterator[None]:
    """Serialise the creation of a store among processes that open it at the same moment:
    eventsourcing creates its tables in a transaction of its own, after checking outside
    it, so two creations at once fail.

    The lock is an flock on the store's folder, never a descriptor of the database file:
    closing any descriptor of that file would drop the POSIX locks SQLite holds on it in
    this process, and two writers could then commit at the same position (measured: a
    lost write). Where no lock can be taken (no fcntl), creation goes on unserialised."""
    try:
        import fcntl

        folder = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
        except OSError:  # a file system without flock (NFS, say)
            pass
        yield
    finally:
        os.close(folder)  # which releases the flock

"""The SQLite store: eventsourcing's event tables plus prognos's view tables in one file.

eventsourcing's `SQLiteProcessRecorder` creates the event and tracking tables;
what both stores share (writing, following, rebuilding) is in `base_store`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteProcessRecorder

from prognos.domain.errors import StoreError
from prognos.events.streams import LEDGER_STREAM_ID
from prognos.projections import views
from prognos.projections.base_store import (
    PROGNOS_TABLES, SOURCES_SCHEMA, BaseStore, not_a_prognos_store,
)

CACHE_KIB = 64 * 1024  # 128 MB measured no faster (events now append), 75 MB more RSS


class SQLiteStore(BaseStore):
    """An event store and its views in one SQLite file, created on first use."""

    stream_id = LEDGER_STREAM_ID  # eventsourcing's SQLite table keeps it as hex text

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
                raise not_a_prognos_store(self.path)
            if not tables:
                self.recorder.create_table()
                with self.datastore.transaction(commit=True) as c:
                    views.create(c)
                    c.execute(SOURCES_SCHEMA)
        except (PersistenceError, sqlite3.Error) as e:
            raise StoreError(f"cannot open store {self.path}: {e}") from None
        try:
            self._open_views(catch_up, (PersistenceError, sqlite3.Error))
        except BaseException:
            self.close()
            raise

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
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _helper_source(self) -> tuple[str, Any]:
        return ("sqlite", self.path)

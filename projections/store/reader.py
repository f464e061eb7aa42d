"""Read-only access to an existing SQLite store: plain sqlite3, no event-store machinery.

Reports, history and the bridge only read the view tables (and a few events by
position), so they need neither eventsourcing nor the pydantic event models; skipping
those imports is most of a read command's start-up time.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from prognos.events.errors import StoreError
from prognos.projections.store.base import PROGNOS_TABLES
from prognos.projections.store.queries import ViewQueries
from prognos.projections.store.views import VERSION


class OutdatedViews(Exception):
    """The store's views were built by an older layout: open it for writing to rebuild them."""


class SQLiteReader:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        try:
            # (as bytes: a file name may hold any bytes, and a URI escapes them all)
            uri = f"file:{quote(os.fsencode(os.path.abspath(self.path)))}?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True)
            tables = {row[0] for row in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            found = tables >= PROGNOS_TABLES and self.connection.execute(
                "SELECT value FROM prognos_meta WHERE key = 'views_version'"
            ).fetchone()
        except sqlite3.Error as e:
            reason = sqlite_reason(self.path, e)
            raise StoreError(f"cannot read store {self.path}: {reason}") from None
        # Views of an older layout, or a table missing (or not a prognos store at all):
        # opened as a store, which rebuilds, finishes or refuses it.
        if not found or found[0] != VERSION:
            self.connection.close()
            raise OutdatedViews(self.path)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        """One snapshot for all the queries of a report."""
        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        finally:
            self.connection.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[ViewQueries]:
        """One consistent view of the ledger, as the reports read it (`reports.source`)."""
        with self.read() as cursor:
            yield ViewQueries(cursor)

    def close(self) -> None:
        self.connection.close()


def sqlite_reason(path: str, error: Exception) -> str:
    """SQLite's reason, and the likely cause when it is a folder the user cannot write:
    even to read, SQLite keeps its -wal and -shm files beside a store in WAL mode."""
    folder = os.path.dirname(os.path.abspath(path))
    if "readonly" in str(error) or "unable to open" in str(error):
        if not os.access(folder, os.W_OK):
            return (f"{error} (SQLite needs to create its -wal and -shm files in {folder}, "
                    "which you cannot write: copy the store to a folder you can)")
    return str(error)

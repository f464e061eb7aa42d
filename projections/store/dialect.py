"""The few places where SQLite and PostgreSQL say the same thing differently.

Every query in prognos is written once, in the SQL both understand, with
sqlite3's placeholders (`?` and `:name`); the PostgreSQL cursor (`pg_cursor`)
translates the placeholders. What cannot be written once is here, chosen by
the cursor a query runs on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

POSTGRES = "postgres"


class Cursor(Protocol):
    """What a write asks of a database cursor: sqlite3's (or eventsourcing's wrapper of it),
    or `pg_cursor.PgCursor`."""

    def execute(self, sql: str, params: Any = ...) -> Any: ...

    def executemany(self, sql: str, rows: Any) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


class ReadCursor(Cursor, Protocol):
    """What a read asks besides: rows a batch at a time, and a second cursor in the same
    snapshot."""

    def fetchmany(self, size: int) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...

    @property
    def connection(self) -> Any:
        """Its connection, whose `cursor()` gives a second cursor in the same transaction."""

URL_SCHEMES = ("postgresql://", "postgres://")  # a --store that is not a file


def is_postgres_url(location: str) -> bool:
    return location.startswith(URL_SCHEMES)


def is_postgres(cursor: Cursor) -> bool:
    # A sqlite3 cursor has no `dialect`; prognos's PostgreSQL cursor says so.
    return getattr(cursor, "dialect", None) == POSTGRES


def log_position(cursor: Cursor) -> str:
    """The event table's column that holds the global position (eventsourcing's
    notification id): SQLite keeps it as the rowid."""
    return "notification_id" if is_postgres(cursor) else "rowid"


_PG_TYPES = [
    # SQLite's INTEGER is 64-bit; PostgreSQL's is 32 (öre overflow it at 21 million kr).
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    # Byte order, as SQLite's BINARY collation: codes and ISO times sort the same on both.
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
]


def ddl(cursor: Cursor, statement: str) -> str:
    """A CREATE statement written for SQLite, in the cursor's dialect."""
    if is_postgres(cursor):
        for pattern, replacement in _PG_TYPES:
            statement = pattern.sub(replacement, statement)
    return statement


def insert_rows(
    cursor: Cursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append rows to a table: `executemany` on SQLite, COPY on PostgreSQL (several times
    faster there than even pipelined INSERTs)."""
    if not rows:
        return
    if is_postgres(cursor):
        cursor.copy_rows(table, columns, rows)  # type: ignore[attr-defined]  # a PgCursor
    else:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            rows,
        )

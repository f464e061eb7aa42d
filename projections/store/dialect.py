"""The few places where SQLite and PostgreSQL say the same thing differently.

Every query in prognos is written once, in the SQL both understand, with
sqlite3's placeholders (`?` and `:name`); the PostgreSQL cursor (`pg_cursor`)
translates the placeholders. What cannot be written once is here, chosen by
the cursor a query runs on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

POSTGRES = "postgres"
URL_SCHEMES = ("postgresql://", "postgres://")  # a --store that is not a file


def is_postgres_url(location: str) -> bool:
    return location.startswith(URL_SCHEMES)


def is_postgres(cursor: Any) -> bool:
    # A sqlite3 cursor has no `dialect`; prognos's PostgreSQL cursor says so.
    return getattr(cursor, "dialect", None) == POSTGRES


def log_position(cursor: Any) -> str:
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


def ddl(cursor: Any, statement: str) -> str:
    """A CREATE statement written for SQLite, in the cursor's dialect."""
    if is_postgres(cursor):
        for pattern, replacement in _PG_TYPES:
            statement = pattern.sub(replacement, statement)
    return statement


def insert_rows(
    cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append rows to a table: `executemany` on SQLite, COPY on PostgreSQL (several times
    faster there than even pipelined INSERTs)."""
    if not rows:
        return
    if is_postgres(cursor):
        cursor.copy_rows(table, columns, rows)
    else:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            rows,
        )

"""The two storage backends as the tests reach them: open a store, change or dump its
tables behind prognos's back. See tests/conftest.py for how tests run on both."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from prognos.projections.store.base import BaseStore
from prognos.projections.store.dialect import is_postgres_url
from prognos.projections.store.sqlite import SQLiteStore

POSTGRES = os.environ.get("PROGNOS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = os.environ.get("PROGNOS_TEST_BACKENDS", "sqlite,postgres").split(",")


def is_postgres(where: Any) -> bool:
    return isinstance(where, str) and is_postgres_url(where)


class PostgresSchemas:
    """Empty stores on the test server, a schema each.

    Making one is about 70 ms of DDL, more than most tests take, so a schema
    whose test left its tables as prognos made them (columns, indexes,
    constraints, triggers) is emptied back to how it was made (every row
    deleted, the rows of a new store put back) and handed to the next test; one
    whose tables a test changed is dropped."""

    def __init__(self, url: str):
        import psycopg

        from prognos.projections.store.postgres import parse_url

        settings = parse_url(url)
        settings.pop("schema")
        self.url = url.split("?")[0]
        self.connection = psycopg.connect(**settings, autocommit=True)
        # A store left open in a transaction by a test fails that test's teardown
        # instead of hanging the suite.
        self.connection.execute("SET lock_timeout = '20s'")
        self.free: list[str] = []
        self.made: dict[str, tuple[Any, dict[str, list[Any]]]] = {}  # layout, rows when new

    def new(self) -> str:
        """The location of an empty store."""
        if self.free:
            return self.free.pop()
        location = f"{self.url}?schema=t_{uuid.uuid4().hex[:16]}"
        open_store(location).close()  # made as by any first use
        self.made[location] = (self._layout(location), self._rows(location))
        return location

    def drop(self, location: str) -> None:
        """Done with: emptied for the next test, or dropped if its tables were changed."""
        layout, rows = self.made[location]
        if self._layout(location) == layout:
            with self.connection.transaction():
                # Past the append-only triggers (as the owner of a test database may).
                self.connection.execute("SET LOCAL session_replication_role = replica")
                for table in rows:
                    self.connection.execute(f'DELETE FROM "{_name(location)}"."{table}"')
                for table, kept in rows.items():
                    for row in kept:
                        marks = ", ".join(["%s"] * len(row))
                        self.connection.execute(
                            f'INSERT INTO "{_name(location)}"."{table}" VALUES ({marks})', row
                        )
            self.free.append(location)
            return
        del self.made[location]
        self.connection.execute(f'DROP SCHEMA IF EXISTS "{_name(location)}" CASCADE')

    def drop_all(self) -> None:
        for location in list(self.made):
            self.connection.execute(f'DROP SCHEMA IF EXISTS "{_name(location)}" CASCADE')
        self.made.clear()
        self.free.clear()

    def _layout(self, location: str) -> Any:
        """Columns, indexes, constraints and triggers of the schema's tables."""
        return [
            self.connection.execute(sql, (_name(location),)).fetchall()
            for sql in (
                "SELECT c.relname, a.attname, a.atttypid, a.attnotnull FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2",
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1",
                "SELECT conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
                "JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = %s ORDER BY 1",
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1",
            )
        ]

    def _rows(self, location: str) -> dict[str, list[Any]]:
        tables = self.connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (_name(location),)
        ).fetchall()
        return {
            t: self.connection.execute(f'SELECT * FROM "{_name(location)}"."{t}"').fetchall()
            for (t,) in tables
        }

    def execute(self, location: str, sql: str, params: tuple[Any, ...]) -> int:
        """Run one statement written for sqlite3 in the schema; the rows it changed."""
        return int(self._in_schema(location, sql, params, lambda c: c.rowcount))

    def query(self, location: str, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return list(self._in_schema(location, sql, params, lambda c: c.fetchall()))

    def _in_schema(self, location: str, sql: str, params: tuple[Any, ...], result: Any) -> Any:
        from prognos.projections.store.pg_cursor import translate

        with self.connection.transaction():
            self.connection.execute(f'SET LOCAL search_path = "{_name(location)}"')
            # As a forger who owns the server would: past the append-only triggers.
            self.connection.execute("SET LOCAL session_replication_role = replica")
            return result(self.connection.execute(translate(sql), params or None))

    def dump(self, location: str) -> list[Any]:
        return [(t, sorted(map(repr, rows))) for t, rows in sorted(self._rows(location).items())]


_schemas: PostgresSchemas | None = None


def _name(location: str) -> str:
    return location.rsplit("=", 1)[1]


def postgres_schemas() -> PostgresSchemas:
    global _schemas
    if _schemas is None:
        _schemas = PostgresSchemas(POSTGRES)
    return _schemas


def drop_test_schemas() -> None:
    if _schemas is not None:
        _schemas.drop_all()


def open_store(where: Any, **options: Any) -> BaseStore:
    if is_postgres(where):
        from prognos.projections.store.postgres import PostgresStore

        return PostgresStore(where, **options)
    return SQLiteStore(where, **options)


def execute_sql(where: Any, sql: str, *params: Any) -> int:
    """Change a store behind prognos's back (as damage or tampering would); the rows changed."""
    if is_postgres(where):
        return postgres_schemas().execute(where, sql, params)
    import sqlite3

    from prognos.projections.store.guards import sqlite_trigger_names

    con = sqlite3.connect(where)
    try:
        with con:
            # As a forger able to write the file would: the append-only triggers dropped first.
            for name in sqlite_trigger_names():
                con.execute(f"DROP TRIGGER IF EXISTS {name}")
            return con.execute(sql, params).rowcount
    finally:
        con.close()


def query_sql(where: Any, sql: str, *params: Any) -> list[Any]:
    """Rows of a query (written for sqlite3) on a store's database."""
    if is_postgres(where):
        return postgres_schemas().query(where, sql, params)
    import sqlite3

    con = sqlite3.connect(where)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def position_column(where: Any) -> str:
    """The event table's position column (see `prognos.projections.store.dialect.log_position`)."""
    return "notification_id" if is_postgres(where) else "rowid"


def table_names(where: Any) -> list[str]:
    if is_postgres(where):
        schema = where.rsplit("=", 1)[1]
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
        return sorted(r[0] for r in query_sql(where, sql, schema))
    return sorted(r[0] for r in query_sql(where, "SELECT name FROM sqlite_master WHERE type='table'"))


def column_names(where: Any, table: str) -> list[str]:
    if is_postgres(where):
        schema = where.rsplit("=", 1)[1]
        sql = ("SELECT column_name FROM information_schema.columns "
               "WHERE table_schema = ? AND table_name = ?")
        return [r[0] for r in query_sql(where, sql, schema, table)]
    return [r[1] for r in query_sql(where, f"PRAGMA table_info({table})")]


def dump_store(path: Any) -> list[Any]:
    """Every row of every table (of a store at `path`, or of a store itself): proof that a
    refused command changed nothing."""
    import sqlite3

    from prognos.projections.store.memory import MemoryStore

    if isinstance(path, MemoryStore):
        return path.dump()
    if hasattr(path, "snapshot"):  # a store: where it is
        path = path.path
    if is_postgres(path):
        return postgres_schemas().dump(path)

    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(t, sorted(map(repr, con.execute(f"SELECT * FROM {t}")))) for t in sorted(tables)]
    finally:
        con.close()


def console_script() -> str:
    """The installed `prognos` console script, to run as a real process."""
    beside_python = Path(sys.executable).parent / "prognos"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("prognos")
    if found is None:
        pytest.fail("the `prognos` console script is not installed (pip install -e '.[test]')")
    return found

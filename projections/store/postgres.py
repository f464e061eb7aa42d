"""The PostgreSQL store: the same tables, written and read the same way, in one schema.

`--store postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`
(`postgres://` too). eventsourcing's `PostgresProcessRecorder` creates the
event and tracking tables in the schema (created if missing); prognos's views
sit beside them. What both stores share is in `base`; here are only
connections, locks and snapshots.

- A write takes the schema's advisory lock first (`_lock`): writers are serialised
  (the rules read the views under the lock, as under SQLite's BEGIN IMMEDIATE), readers
  are not blocked, positions are committed in order, and a role that may only SELECT
  and INSERT on the log can take it.
- A read is one REPEATABLE READ, READ ONLY transaction: one snapshot for every
  query of a report.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from prognos.domain.identity import login_name
from prognos.events.errors import InvalidInputError, MissingStoreError, StoreError
from prognos.projections.store.streams import LEDGER_STREAM
from prognos.projections.store import guards, seals, views
from prognos.projections.store.base import (
    PROGNOS_TABLES, REQUESTS_SCHEMA, SOURCES_SCHEMA, VIEW_TABLES, BaseStore, not_a_prognos_store,
)
from prognos.projections.store.dialect import ddl
from prognos.projections.store.log import EVENTS_TABLE
from prognos.projections.store.pg_cursor import PgCursor
from prognos.projections.store.views import TRACKING_TABLE

# Lower case only: PostgreSQL folds unquoted names to lower case, and the schema
# is named unquoted in the connection's search_path.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def parse_url(url: str) -> dict[str, Any]:
    """Connection settings from a store URL; a malformed one is a usage error (exit 2)."""
    env = os.environ  # what the URL leaves out, libpq's environment variables give
    # No message here quotes the URL or urllib's words about it: a password with an
    # unescaped / ? # or @ splits it in the wrong places, and parts of it would show.
    escape = ("(in a user name or password, write / as %2F, ? as %3F, # as %23, @ as %40, "
              "[ as %5B, ] as %5D)")
    try:
        parts = urlsplit(url)  # a [ or ] outside a host is "Invalid IPv6 URL" to urllib
    except ValueError:
        raise InvalidInputError(f"malformed PostgreSQL store URL {escape}") from None
    if parts.fragment or "@" in parts.path or "@" in parts.query:
        raise InvalidInputError(f"malformed PostgreSQL store URL {escape}")
    try:
        port = int(env.get("PGPORT", 5432)) if parts.port is None else parts.port
    except ValueError:
        raise InvalidInputError(f"malformed PostgreSQL store URL: the port is not a number "
                                f"{escape}") from None
    if port == 0:
        raise InvalidInputError("malformed PostgreSQL store URL: port 0")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"schema"}
    if unknown:
        raise InvalidInputError(
            f"PostgreSQL store URL: unknown parameter {sorted(unknown)[0]!r} (only 'schema')"
        )
    schema = query.get("schema", ["public"])[-1]
    if not _IDENTIFIER.fullmatch(schema):
        raise InvalidInputError(f"PostgreSQL store URL: {schema!r} is not a schema name")
    user = unquote(parts.username or "") or env.get("PGUSER") or login_name("postgres")
    database = unquote(parts.path.lstrip("/")) or env.get("PGDATABASE") or user
    return {
        "host": parts.hostname or env.get("PGHOST") or "localhost",
        "port": port,
        "user": user,
        "password": unquote(parts.password or "") or env.get("PGPASSWORD", ""),
        "dbname": database,
        "schema": schema,
    }


def shown(settings: dict[str, Any]) -> str:
    """The store as named to the user: never the password."""
    s = settings
    return f"postgresql://{s['user']}@{s['host']}:{s['port']}/{s['dbname']}?schema={s['schema']}"


class PostgresStore(BaseStore):
    """An event store and its views in one PostgreSQL schema, created on first use.

    One connection serves the command's writes and reads (prognos runs one
    command per process); eventsourcing's recorder, with a connection pool of
    its own, is made only to create its tables."""

    stream_id = LEDGER_STREAM  # a uuid column here

    def __init__(self, url: str, catch_up: bool = True, create: bool = True):
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a PostgreSQL store needs psycopg: pip install 'prognos[postgres]'"
            ) from None
        self.settings = parse_url(url)
        self.path = shown(self.settings)
        self.schema = self.settings["schema"]
        self._psycopg = psycopg
        self._conn: Any = None
        self._guarded = False  # whether this process has seen the append-only triggers made
        self._role: str | None = None
        self._recorder: Any = None
        try:
            tables = self._tables()
            if not tables and not create:
                raise MissingStoreError(self.path)
            if not tables >= PROGNOS_TABLES:
                self._create()
            self._open_views(catch_up, (psycopg.Error,))
        except psycopg.Error as e:
            self.close()
            raise StoreError(f"cannot open store {self.path}: {e}") from None
        except BaseException:
            self.close()
            raise

    def _create(self) -> None:
        """Create the schema and every table, once, whoever else starts at the same moment.

        eventsourcing creates its tables in transactions of its own, so the whole
        creation is serialised by an advisory lock instead, and every step is
        IF NOT EXISTS: a creation cut short is finished by the next opening."""
        from eventsourcing.persistence import PersistenceError

        conn = self._connection()
        key = f"prognos:{self.settings['dbname']}:{self.schema}"
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            tables = self._tables()
            if tables >= PROGNOS_TABLES:
                return  # made by another process meanwhile
            if tables - PROGNOS_TABLES:  # (part of a prognos store is finished below)
                raise not_a_prognos_store(self.path)
            # (Not CREATE SCHEMA IF NOT EXISTS: that needs CREATE on the database even where
            # the schema exists, as it does when its owner was given it by a superuser.)
            if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                            (self.schema,)).fetchone() is None:
                conn.execute(f'CREATE SCHEMA "{self.schema}"')
            try:
                self.recorder.create_table()
            except PersistenceError as e:
                raise StoreError(f"cannot open store {self.path}: {e}") from None
            with self._writing() as c:
                views.create(c)
                c.execute(ddl(c, SOURCES_SCHEMA))
                c.execute(ddl(c, seals.SCHEMA))  # a store from before sealing gets it here
                c.execute(ddl(c, REQUESTS_SCHEMA))
            if EVENTS_TABLE in tables and VIEW_TABLES - tables:  # views cut short: fold anew
                self.rebuild()
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    @property
    def recorder(self) -> Any:
        if self._recorder is None:
            from eventsourcing.postgres import PostgresDatastore, PostgresProcessRecorder

            settings = {k: v for k, v in self.settings.items() if k != "schema"}
            datastore = PostgresDatastore(**settings, schema=self.schema, originator_id_type="uuid")
            self._recorder = PostgresProcessRecorder(datastore, tracking_table_name=TRACKING_TABLE)
        return self._recorder

    def _connection(self) -> Any:
        if self._conn is None:
            s = self.settings
            self._conn = self._psycopg.connect(
                host=s["host"], port=s["port"], user=s["user"], password=s["password"],
                dbname=s["dbname"], autocommit=True, connect_timeout=10,
                # PGOPTIONS still applies (libpq drops it when options are given).
                options=f"-c search_path={self.schema} {os.environ.get('PGOPTIONS', '')}".strip(),
            )
        return self._conn

    def _tables(self) -> set[str]:
        cursor = self._connection().execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)
        )
        return {row[0] for row in cursor.fetchall()}

    def _helper_source(self) -> tuple[str, Any]:
        return ("postgres", self.settings)

    def db_role(self) -> str | None:
        if self._role is None:
            self._role = str(self._connection().execute("SELECT session_user").fetchone()[0])
        return self._role

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._recorder is not None:
            self._recorder.datastore.close()
            self._recorder = None

    # Explicit BEGIN and COMMIT on an autocommit connection, each sent with what
    # follows or precedes it where it can: every round trip counts when the
    # server is across a network.

    def _one_row(self, sql: Callable[[Any], str], params: tuple[Any, ...]) -> Any:
        # One statement sees one snapshot: no BEGIN and ROLLBACK around it.
        cursor = PgCursor(self._idle_or_reading().cursor())
        return cursor.execute(sql(cursor), params).fetchone()

    @contextmanager
    def read(self) -> Iterator[PgCursor]:
        """One snapshot for the several queries of a report; a read inside another shares it."""
        conn = self._idle_or_reading()
        cursor = PgCursor(conn.cursor())
        if conn.info.transaction_status != self._status.IDLE:
            yield cursor
            return
        try:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cursor
        finally:
            self._roll_back(conn)

    @contextmanager
    def _writing(self) -> Iterator[PgCursor]:
        conn = self._idle_or_reading()
        if conn.info.transaction_status != self._status.IDLE:
            raise RuntimeError("a write inside a read: the read's snapshot would be ended")
        cursor = PgCursor(conn.cursor())
        try:
            self.waiting.take(lambda timeout: self._lock(conn, cursor, timeout))
            yield cursor
            if not self._guarded:  # (after: the first write may be the one making the tables)
                self._guard(cursor)
        except BaseException:
            self._roll_back(conn)
            raise
        conn.execute("COMMIT")
        self._guarded = True

    def _lock(self, conn: Any, cursor: PgCursor, timeout: float) -> bool:
        """Begin the write transaction holding the writers' lock, waiting up to `timeout`
        seconds for it; False if another writer still holds it.

        An advisory lock, taken for the transaction: a role that may only SELECT and
        INSERT on the log can take it (LOCK TABLE ... IN EXCLUSIVE MODE needs UPDATE,
        DELETE or TRUNCATE), readers are never blocked, and as every writer takes it
        before it reads the views, positions are committed in order."""
        try:
            cursor.execute(
                f"BEGIN; SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}; "
                f"SELECT pg_advisory_xact_lock({self._lock_key}); "
                "SET LOCAL lock_timeout TO DEFAULT")
        except self._psycopg.errors.LockNotAvailable:
            self._roll_back(conn)
            return False
        return True

    @property
    def _lock_key(self) -> int:
        """The writers' lock of this schema, as a 64-bit key (stable across processes and
        servers, unlike a Python hash)."""
        name = f"prognos-writers:{self.settings['dbname']}:{self.schema}".encode()
        return int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)

    def _guard(self, cursor: PgCursor) -> None:
        """Make the append-only triggers where they are missing (a store from before them),
        when this role owns the log: a writer role cannot, and need not."""
        names = ", ".join(f"'{name}'" for name in guards.POSTGRES_TRIGGERS)
        tables = ", ".join(f"'{table}'" for table, _ in guards.GUARDED)
        cursor.execute(
            f"SELECT count(t.oid), bool_and(pg_has_role(c.relowner, 'MEMBER')) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_trigger t ON "
            f"t.tgrelid = c.oid AND t.tgname IN ({names}) "
            f"WHERE n.nspname = current_schema() AND c.relname IN ({tables})")
        found, owner = cursor.fetchone()
        if owner and found < len(guards.POSTGRES_TRIGGERS):
            for statement in guards.postgres_triggers():
                cursor.execute(statement)

    @property
    def _status(self) -> Any:
        return self._psycopg.pq.TransactionStatus

    def _idle_or_reading(self) -> Any:
        """The connection, never left in a failed transaction by an earlier error."""
        conn = self._connection()
        if conn.info.transaction_status == self._status.INERROR:
            conn.execute("ROLLBACK")
        return conn

    def _roll_back(self, conn: Any) -> None:
        if conn.info.transaction_status in (self._status.INTRANS, self._status.INERROR):
            conn.execute("ROLLBACK")

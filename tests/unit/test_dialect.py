"""The few differences between the SQL dialects, and the placeholder translation that lets
every query be written once."""

from __future__ import annotations

import pytest

from prognos.projections.store.dialect import ddl, is_postgres, is_postgres_url, log_position
from prognos.projections.store.pg_cursor import PgCursor, translate


@pytest.mark.parametrize(
    ("sqlite", "psycopg"),
    [
        ("SELECT 1 FROM t WHERE a = ? AND b IN (?, ?)",
         "SELECT 1 FROM t WHERE a = %s AND b IN (%s, %s)"),
        ("WHERE year = :year AND month <= :month", "WHERE year = %(year)s AND month <= %(month)s"),
        # literals are kept whole, even with a placeholder's look inside
        ("WHERE kind = 'budget_set' AND note = 'a ? :b' AND x = ?",
         "WHERE kind = 'budget_set' AND note = 'a ? :b' AND x = %s"),
        ("WHERE s = 'it''s ?' AND x = :x", "WHERE s = 'it''s ?' AND x = %(x)s"),
        # a percent sign is data to psycopg only when doubled; casts are no names
        ("SELECT amount % 12, '100%' FROM t WHERE x = ?",
         "SELECT amount %% 12, '100%%' FROM t WHERE x = %s"),
        ("SELECT x::bigint FROM t WHERE y = :y", "SELECT x::bigint FROM t WHERE y = %(y)s"),
    ],
)
def test_sqlite_placeholders_become_psycopg_ones(sqlite, psycopg):
    assert translate(sqlite) == psycopg


def test_types_widen_for_postgresql_and_stay_for_sqlite():
    statement = "CREATE TABLE t (position INTEGER PRIMARY KEY, code TEXT NOT NULL, content BLOB)"

    class Sqlite:  # what matters of a sqlite3 cursor: it names no dialect
        pass

    assert ddl(Sqlite(), statement) == statement
    assert ddl(PgCursor(None), statement) == (
        'CREATE TABLE t (position BIGINT PRIMARY KEY, code TEXT COLLATE "C" NOT NULL, '
        "content BYTEA)"
    )
    assert (log_position(Sqlite()), log_position(PgCursor(None))) == ("rowid", "notification_id")
    assert not is_postgres(Sqlite()) and is_postgres(PgCursor(None))


@pytest.mark.parametrize(
    ("location", "postgres"),
    [("prognos.db", False), ("/data/postgresql.db", False), ("postgresql://u@h/db", True),
     ("postgres://u@h/db", True)],
)
def test_a_store_location_is_a_file_unless_it_is_a_postgresql_url(location, postgres):
    assert is_postgres_url(location) is postgres


@pytest.mark.postgres_only
def test_translated_queries_run_on_the_server_with_literals_intact():
    from backends import postgres_schemas

    cursor = PgCursor(postgres_schemas().connection.cursor())
    cursor.execute("SELECT '100% ? :b', ? * 2, 7 % 4", (21,))
    assert cursor.fetchone() == ("100% ? :b", 42, 3)
    cursor.execute("SELECT :a || '%', CAST(:b AS BIGINT)", {"a": "5", "b": "9"})
    assert cursor.fetchone() == ("5%", 9)

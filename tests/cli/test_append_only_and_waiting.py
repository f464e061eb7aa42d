"""No edit path in the database, and a write that waits its turn (issue 13).

The event table and the seals refuse UPDATE and DELETE (and on PostgreSQL TRUNCATE) with a
message saying the ledger is append-only. A write that finds another writer holding the
ledger waits, says so on stderr after a second, and is refused in one line, recording
nothing, when --wait runs out. The other writer here is the test itself, holding the
same lock a prognos write takes; it lets go from the waiting message, so no test sleeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from backends import is_postgres, open_store, postgres_schemas

import prognos.cli.context as context


def _edit(where: Any, sql: str) -> str:
    """Run an edit as any client of the database would (the triggers in place); its error."""
    if is_postgres(where):
        import psycopg

        from prognos.projections.store.postgres import parse_url

        settings = parse_url(where)
        schema = settings.pop("schema")
        with psycopg.connect(**settings, autocommit=True) as con:
            con.execute(f'SET search_path = "{schema}"')
            with pytest.raises(psycopg.Error) as raised:
                con.execute(sql)
        return str(raised.value)
    con = sqlite3.connect(where)
    try:
        with pytest.raises(sqlite3.Error) as raised:
            with con:
                con.execute(sql)
    finally:
        con.close()
    return str(raised.value)


EDITS = [
    "UPDATE stored_events SET state = state",
    "DELETE FROM stored_events",
    "UPDATE prognos_seals SET digest = digest",
    "DELETE FROM prognos_seals",
]


@pytest.mark.parametrize("sql", EDITS)
def test_the_log_and_its_seals_refuse_any_edit_saying_the_ledger_is_append_only(
    tree, cli, snapshot, sql
):
    before = snapshot(cli.store_path)
    assert "append-only" in _edit(cli.store_path, sql)
    assert snapshot(cli.store_path) == before


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", ["stored_events", "prognos_seals"])
def test_postgres_refuses_truncating_the_log_or_the_seals(tree, cli, table):
    assert "append-only" in _edit(cli.store_path, f"TRUNCATE {table}")


def test_a_store_made_before_the_triggers_gets_them_with_its_next_write(tree, cli, ok):
    from backends import execute_sql  # (drops the triggers first, as a forger would)

    assert execute_sql(cli.store_path, "UPDATE stored_events SET topic = topic") == 4
    ok("line", "add", "ny", "--name", "Ny")
    assert "append-only" in _edit(cli.store_path, "DELETE FROM stored_events")


# -- waiting for another writer -----------------------------------------------------------

@contextmanager
def _held(where: Any) -> Iterator[Any]:
    """The writers' lock of the store, held by this test until `release()` is called."""
    if is_postgres(where):
        store = open_store(where)
        key = store._lock_key
        store.close()
        con = postgres_schemas().connection
        con.execute("SELECT pg_advisory_lock(%s)", (key,))
        held = [True]

        def release() -> None:
            if held[0]:
                con.execute("SELECT pg_advisory_unlock(%s)", (key,))
                held[0] = False

        try:
            yield release
        finally:
            release()
        return
    con = sqlite3.connect(where, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")

    def release() -> None:
        if con.in_transaction:
            con.execute("ROLLBACK")

    try:
        yield release
    finally:
        release()
        con.close()


BOOK = ("actual", "book", "skola", "100", "--period", "2024-03")


def test_a_write_finding_the_ledger_busy_is_refused_after_its_wait_recording_nothing(
    tree, cli, snapshot
):
    before = snapshot(cli.store_path)
    with _held(cli.store_path):
        result = cli(*BOOK, "--wait", "0.2")
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "busy" in line and "0.2 s" in line and "nothing is recorded" in line
    assert "locked" not in line and "Traceback" not in line
    assert snapshot(cli.store_path) == before


def test_a_write_says_it_waits_after_a_second_and_goes_on_when_the_other_is_done(
    tree, cli, monkeypatch
):
    said = []
    with _held(cli.store_path) as release:
        def say() -> None:  # the other writer finishes as this one says it waits
            said.append(True)
            release()
            context.typer.echo("waiting for another write to the ledger…", err=True)

        monkeypatch.setattr(context, "_say_waiting", say)
        result = cli(*BOOK, "--wait", "30")
    assert result.exit_code == 0, result.stderr
    assert said == [True]
    assert result.stderr == "waiting for another write to the ledger…\n"
    assert "#5" in result.stdout


def test_the_wait_is_given_before_the_command_or_by_prognos_wait_too(tree, cli, snapshot):
    with _held(cli.store_path):
        first = cli("--wait", "0.1", *BOOK)
        second = cli(*BOOK, env={"PROGNOS_WAIT": "0.1"})
        third = cli("--wait", "30", *BOOK, "--wait", "0.1")  # the command's own comes first
    for result in (first, second, third):
        assert result.exit_code == 1 and "busy" in result.stderr, result.stderr
        assert "0.1 s" in result.stderr


def test_a_wait_that_is_no_number_is_a_usage_error(tree, usage_error):
    usage_error(*BOOK, "--wait", "soon", names="--wait")
    usage_error(*BOOK, "--wait", "-1", names="--wait")

"""What only a PostgreSQL store has: a URL, a server, schemas; and what both must agree on
where their types differ (integers beyond 32 bits)."""

from __future__ import annotations

import json
import uuid

import pytest
from backends import POSTGRES, dump_store, execute_sql, open_store, postgres_schemas
from typer.testing import CliRunner

from prognos.cli.main import app
from prognos.events.errors import InvalidInputError
from prognos.projections.store.postgres import parse_url, shown


def _run(store: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--store", store, *args], env={"PROGNOS_USER": "anna"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_a_url_names_server_database_and_schema_and_shows_no_password():
    settings = parse_url("postgresql://karin:hemligt@db.example.org:6543/budget?schema=it")
    assert settings == {
        "host": "db.example.org", "port": 6543, "user": "karin", "password": "hemligt",
        "dbname": "budget", "schema": "it",
    }
    assert "hemligt" not in shown(settings)
    defaults = parse_url("postgres://karin@db/budget")
    assert (defaults["port"], defaults["schema"]) == (5432, "public")


def test_what_a_url_leaves_out_comes_from_libpqs_environment(monkeypatch):
    for name, value in (("PGHOST", "db.internal"), ("PGPORT", "6000"), ("PGUSER", "svc"),
                        ("PGDATABASE", "budget"), ("PGPASSWORD", "s3cret")):
        monkeypatch.setenv(name, value)
    assert parse_url("postgresql://?schema=it") == {
        "host": "db.internal", "port": 6000, "user": "svc", "password": "s3cret",
        "dbname": "budget", "schema": "it",
    }
    assert parse_url("postgresql://karin@db:5432/ekonomi")["dbname"] == "ekonomi"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://a@h:port/db", "malformed"),
        ("postgresql://a@h/db?sslmode=require", "sslmode"),
        ("postgresql://a@h/db?schema=it-2024", "it-2024"),
        ("postgresql://a@h/db?schema=", "schema"),
        ("postgresql://a@h/db?schema=Budget", "Budget"),
        ("postgresql://a@h:0/db", "port 0"),
    ],
)
def test_a_malformed_url_is_a_usage_error_before_any_connection(url, named):
    with pytest.raises(InvalidInputError, match=named):
        parse_url(url)
    code, out, err = _run(url, "report", "--year", "2024", "--as-of", "2024-05")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and named in err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:s3cr/etpw@127.0.0.1:5432/test",
        "postgresql://postgres:7741/etpw@127.0.0.1:5432/test",
        "postgresql://postgres:12#etpw@127.0.0.1:5432/test",
        "postgresql://postgres:s3?etpw@127.0.0.1:5432/test",
        "postgresql://postgres:s3]etpw@127.0.0.1:5432/test",
        "postgresql://postgres:s3[etpw@127.0.0.1:5432/test",
    ],
    ids=["slash", "slash-after-digits", "hash", "question-mark", "bracket", "open-bracket"],
)
def test_a_password_with_unescaped_characters_is_a_usage_error_that_shows_none_of_it(url):
    """urllib splits such a URL in the wrong places; neither its words nor the parts
    (a host or port that is really half the password) may reach the user."""
    with pytest.raises(InvalidInputError, match="%2F"):
        parse_url(url)
    with pytest.raises(InvalidInputError) as refused:
        parse_url(url)
    assert "etpw" not in str(refused.value)
    code, out, err = _run(url, "report", "--year", "2024", "--as-of", "2024-05")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    for secret in ("s3cr", "etpw", "7741", "12"):
        assert secret not in err, err


def test_a_password_that_is_not_utf8_is_a_usage_error_that_shows_none_of_it():
    """Typed in a terminal with another encoding: refused in one line, and the line does
    not repeat the argument (it is the password)."""
    url = "postgresql://postgres:s3cret\udce5@127.0.0.1:5432/test"
    code, out, err = _run(url, "report", "--year", "2024", "--as-of", "2024-05")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and "UTF-8" in err and "s3cret" not in err


def test_an_unreachable_server_is_one_line_and_exit_1():
    url = "postgresql://nobody:secret@127.0.0.1:1/x"
    code, out, err = _run(url, "line", "add", "it", "--name", "IT")
    assert (code, out) == (1, "")
    [line] = err.splitlines()
    assert "cannot open store postgresql://nobody@127.0.0.1:1/x" in line
    assert "secret" not in line


@pytest.mark.postgres_only
def test_a_schema_holding_other_tables_is_refused_and_left_alone():
    schemas = postgres_schemas()
    name = f"other_{uuid.uuid4().hex[:12]}"
    schemas.connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        schemas.connection.execute(f'CREATE TABLE "{name}".invoices (id int)')
        code, _, err = _run(f"{POSTGRES}?schema={name}", "line", "add", "it", "--name", "IT")
        assert code == 1 and "not a prognos store" in err
        tables = schemas.connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (name,)
        ).fetchall()
        assert tables == [("invoices",)]
    finally:
        schemas.connection.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.mark.postgres_only
def test_two_schemas_of_one_database_are_two_ledgers():
    schemas = postgres_schemas()
    a, b = schemas.new(), schemas.new()
    try:
        assert _run(a, "line", "add", "it", "--name", "IT")[0] == 0
        assert _run(b, "line", "add", "skola", "--name", "Skola")[0] == 0
        for store, code in ((a, "it"), (b, "skola")):
            _, out, _ = _run(store, "report", "--year", "2024", "--as-of", "2024-01", "--json")
            assert [line["code"] for line in json.loads(out)["lines"]] == [code]
        before = dump_store(b)
        assert _run(a, "line", "add", "hr", "--name", "HR")[0] == 0
        assert dump_store(b) == before
    finally:
        schemas.drop(a)
        schemas.drop(b)


def test_amounts_beyond_32_bit_ore_are_exact_on_every_store(cli):
    """50 billion kronor is 5e12 öre: SQLite's INTEGER holds it, PostgreSQL's only as BIGINT."""
    for args in (("it", "--name", "IT"), ("it-drift", "--name", "Drift", "--parent", "it"),
                 ("it-sak", "--name", "Säkerhet", "--parent", "it")):
        assert cli("line", "add", *args).exit_code == 0
    big = "49 999 999 999,99"
    assert cli("budget", "set", "it-drift", big, "--year", "2024", "--reason", "r").exit_code == 0
    assert cli("budget", "set", "it-sak", big, "--year", "2024", "--reason", "r").exit_code == 0
    for month in ("2024-01", "2024-02", "2024-03"):
        assert cli("actual", "book", "it-drift", "10 000 000 000", "--period", month).exit_code == 0
    doc = cli.json("report", "--year", "2024", "--as-of", "2024-03")
    it = doc["lines"][0]
    assert (it["budget"], it["actual_ytd"]) == ("99999999999.98", "30000000000.00")
    assert doc["total"]["budget_ytd"] == "25000000000.00"  # 2 × 12 499 999 999.9975 rounded
    assert cli("check").exit_code == 0


def test_the_demo_writes_a_file_and_says_so_when_given_a_url(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", "postgresql://u@h/db"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "prognos: error: --out names a file, not a PostgreSQL URL: the demo store is a SQLite file"
    )


@pytest.mark.postgres_only
def test_writers_on_one_schema_take_turns_and_positions_stay_contiguous():
    """Several users writing at once: each command waits for the table lock, so positions
    are 1..N without gaps, a command's events are contiguous, and the views add up."""
    from prognos.domain.application import Ledger
    from prognos.projections.reports.check import run_checks

    schemas = postgres_schemas()
    location = schemas.new()
    try:
        with open_store(location) as store:
            Ledger(store, "anna").add_line("it", "IT")

        def work(user: str) -> None:
            with open_store(location) as store:
                ledger = Ledger(store, user)
                for i in range(15):
                    ledger.add_line(f"{user}-{i}", f"{user} {i}", "it")

        assert _at_once(work, ["anna", "bertil", "cecilia"]) == []
        with open_store(location) as store:
            events = list(store.notifications())
            assert [e.position for e in events] == list(range(1, 47))
            times = [e.recorded_at for e in events]
            assert times == sorted(times) and len(set(times)) == len(times)
            assert all(c.ok for c in run_checks(store)), run_checks(store)
    finally:
        schemas.drop(location)


def test_history_of_a_ledger_without_amounts_lists_the_lines(cli):
    """No event has a year yet: the seek by years has none to seek (PostgreSQL refuses
    an empty IN list, SQLite does not)."""
    assert cli("line", "add", "it", "--name", "IT").exit_code == 0
    assert cli("line", "add", "it-drift", "--name", "Drift", "--parent", "it").exit_code == 0
    events = cli.json("history", "it")["events"]
    assert [(e["kind"], e["line"]) for e in events] == [
        ("line_added", "it"), ("line_added", "it-drift"),
    ]


def test_a_write_is_refused_when_the_views_are_tracked_beyond_the_log(store, location):
    from prognos.domain.application import Ledger
    from prognos.events.errors import StoreError

    Ledger(store, "anna").add_line("it", "IT")
    execute_sql(location, "UPDATE tracking SET notification_id = 100 "
                "WHERE application_name = 'prognos.views'")
    with pytest.raises(StoreError, match="run prognos rebuild"):
        Ledger(store, "anna").add_line("hr", "HR")
    assert store.max_position() == 1


@pytest.mark.postgres_only
def test_a_store_outlives_a_write_that_failed_on_the_server(monkeypatch):
    """A statement that fails on the server leaves the connection's transaction aborted;
    the next read and write of the same store must not inherit it."""
    from prognos.domain.application import Ledger

    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=100")
    schemas = postgres_schemas()
    location = schemas.new()
    name = location.rsplit("=", 1)[1]
    try:
        with open_store(location) as store:
            Ledger(store, "anna").add_line("it", "IT")
            with schemas.connection.transaction():  # another writer holds the lock
                schemas.connection.execute(f'LOCK TABLE "{name}".stored_events IN EXCLUSIVE MODE')
                with pytest.raises(Exception, match="lock timeout"):
                    Ledger(store, "anna").add_line("hr", "HR")
            assert store.max_position() == 1
            Ledger(store, "anna").add_line("hr", "HR")
            assert store.max_position() == 2
    finally:
        schemas.drop(location)


@pytest.mark.postgres_only
def test_processes_opening_a_new_schema_at_once_create_it_once():
    from prognos.domain.application import Ledger

    location = f"{POSTGRES}?schema=new_{uuid.uuid4().hex[:12]}"

    def first_use(code: str) -> None:
        with open_store(location) as store:
            Ledger(store, "anna").add_line(code, code)

    try:
        assert _at_once(first_use, [f"l{i}" for i in range(4)]) == []
        with open_store(location) as store:
            assert store.max_position() == 4
    finally:
        postgres_schemas().connection.execute(
            f'DROP SCHEMA IF EXISTS "{location.rsplit("=", 1)[1]}" CASCADE'
        )


@pytest.mark.postgres_only
def test_views_cut_short_are_made_again_from_the_log():
    """A schema with the log but not all view tables (a creation interrupted, or tables
    dropped by hand) is finished on opening, its views folded from the log."""
    from prognos.domain.application import Ledger
    from prognos.projections.reports.check import run_checks

    schemas = postgres_schemas()
    location = schemas.new()
    try:
        with open_store(location) as store:
            ledger = Ledger(store, "anna")
            ledger.add_line("it", "IT")
            ledger.add_line("it-drift", "Drift", "it")
        execute_sql(location, "DROP TABLE prognos_entries")
        execute_sql(location, "DROP TABLE prognos_lines")
        with open_store(location) as store:
            assert [e["line"] for e in _history(store, "it")] == ["it", "it-drift"]
            assert all(c.ok for c in run_checks(store))
    finally:
        schemas.drop(location)


def _history(store, code):
    from prognos.projections.reports.history import history

    return list(history(store, code, None))


def _at_once(work, args: list[str]) -> list[BaseException]:
    """Run `work(arg)` for every arg in threads of their own, together; what they raised."""
    import threading

    failures: list[BaseException] = []

    def run(arg: str) -> None:
        try:
            work(arg)
        except BaseException as e:  # reported to the test's thread
            failures.append(e)

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures

"""User mistakes at the edges: each gets one line and the right exit code, never a traceback,
and nothing of the user's is touched."""

from __future__ import annotations

import json
import sqlite3

import pytest


def _one_line(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert line and "\n" not in line
    return line


def test_a_timestamp_out_of_range_is_a_usage_error(cli):
    cli("line", "add", "it", "--name", "IT")
    result = cli("report", "--year", "2024", "--as-of", "2024-05", "--known-at",
                 "0001-01-01T00:00:00+01:00")
    assert "out of range" in _one_line(result, 2)


def test_a_database_of_something_else_is_not_turned_into_a_store(tmp_path, cli):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (a)")
    from prognos.cli.main import app

    result = cli.runner.invoke(app, ["--store", str(other), "line", "add", "x", "--name", "X"])
    assert "not a prognos store" in _one_line(result, 1)
    with sqlite3.connect(other) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"t"}


def test_a_store_path_with_uri_characters_is_read_as_a_plain_path(tmp_path):
    from typer.testing import CliRunner

    from prognos.cli.main import app

    store = str(tmp_path / "a#b?c.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--store", store, "line", "add", "x", "--name", "X"]).exit_code == 0
    result = runner.invoke(app, ["--store", store, "report", "--year", "2024", "--as-of",
                                 "2024-01", "--json"])
    assert result.exit_code == 0, result.output
    assert '"code": "x"' in result.stdout


@pytest.mark.sqlite_only  # the demo writes a file
def test_the_demo_never_replaces_a_store_that_is_not_a_demo_store(tmp_path, cli, snapshot):
    cli("line", "add", "it", "--name", "IT")
    before = snapshot(cli.store_path)
    result = cli("demo", "--out", str(cli.store_path))
    assert "not a demo store" in _one_line(result, 1)
    assert snapshot(cli.store_path) == before


def test_the_demo_refuses_a_folder_as_its_store(tmp_path, cli):
    (tmp_path / "adir").mkdir()
    assert "folder" in _one_line(cli("demo", "--out", str(tmp_path / "adir")), 1)


@pytest.mark.parametrize(
    "spec",
    ['tables = "x"\n', "[[tables]]\nid = 1\n", '[[tables]]\nid = "t"\nfile = "t.csv"\n'],
    ids=["tables-not-a-list", "missing-keys", "missing-unit"],
)
def test_a_malformed_reconciliation_spec_is_a_usage_error(tmp_path, cli, spec):
    (tmp_path / "t.csv").write_text("a,b\nx,1\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text(spec, encoding="utf-8")
    line = _one_line(cli("reconcile", str(tmp_path / "s.toml")), 2)
    assert "s.toml" in line or "table spec needs" in line


def test_a_misspelt_column_in_a_rule_is_refused_rather_than_checking_nothing(tmp_path, cli):
    (tmp_path / "u.csv").write_text("name,budget,forecast,dev\nA,10,12,99\n", encoding="utf-8")
    result = cli("reconcile", str(tmp_path / "u.csv"), "--unit", "kr", "--precision", "1",
                 "--deviation", "devv = forecast - budget")
    assert "devv" in _one_line(result, 2)


def test_a_semicolon_table_is_reconciled_like_a_comma_one(tmp_path, cli):
    (tmp_path / "v.csv").write_text("name;budget;forecast;dev\nA;10;12;99\n", encoding="utf-8")
    result = cli("reconcile", str(tmp_path / "v.csv"), "--unit", "kr", "--precision", "1",
                 "--deviation", "dev = forecast - budget")
    assert result.exit_code == 1, result.output


def test_a_column_named_twice_in_the_header_is_refused(tmp_path, cli):
    cli("line", "add", "it", "--name", "IT")
    (tmp_path / "d.csv").write_text("code;amount;amount\nit;1;2\n", encoding="utf-8")
    result = cli("import", "budget", str(tmp_path / "d.csv"), "--year", "2024",
                 "--create-lines", "--parent", "it")
    assert "twice" in _one_line(result, 2)


def test_a_month_outside_the_year_is_refused_even_for_a_file_already_imported(tmp_path, cli):
    cli("line", "add", "it", "--name", "IT")
    cli("line", "add", "a", "--name", "A", "--parent", "it")
    path = tmp_path / "a.csv"
    path.write_text("code;amount\na;5\n", encoding="utf-8")
    assert cli("import", "actual", str(path), "--period", "2024-03").exit_code == 0
    result = cli("import", "actual", str(path), "--year", "2024", "--period", "2025-01")
    assert "2025-01" in _one_line(result, 1)


def test_names_reasons_and_users_are_shown_exactly_as_written_in_the_tables(cli, ok):
    """What users type is never read as rich markup or emoji codes: "[/]" once crashed
    the report, "[extern]" vanished and ":ok:" became an emoji."""
    ok("line", "add", "r", "--name", "Kostnader [/]")
    ok("line", "add", "x", "--name", "IT [extern] :ok:", "--parent", "r")
    ok("budget", "set", "x", "5", "--year", "2024", "--reason", "fix [/bold]")
    ok("forecast", "set", "x", "7", "--year", "2024", "--as-of", "2024-02", "--reason", "[red]x",
       user="[/]")
    for args, texts in (
        (("report", "--year", "2024", "--as-of", "2024-02"),
         ["Kostnader [/]", "IT [extern] :ok:"]),
        (("history", "x"), ["fix [/bold]", "[red]x", "[/]"]),
        (("why", "r", "--year", "2024", "--from", "2024-01", "--to", "2024-03"),
         ["[red]x", "[/]"]),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        for t in texts:
            assert t in result.stdout, (args, t, result.stdout)
        assert "\U0001f197" not in result.stdout  # the :ok: emoji


@pytest.mark.parametrize(
    "args",
    [
        ("note", "add", "skola", "caf\udce9", "--year", "2024", "--period", "2024-01"),
        ("budget", "set", "skola", "5", "--year", "2024", "--reason", "\udce9"),
        ("line", "add", "b\udcff", "--name", "B"),
        ("--user", "\udcff", "actual", "book", "skola", "10", "--period", "2024-01"),
    ],
    ids=["note", "reason", "code", "user"],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(usage_error, args):
    """A terminal in Latin-1 passes "é" as a byte that is not UTF-8; Python keeps it as a
    lone surrogate, which no store and no JSON can hold."""
    usage_error(*args, names="not valid UTF-8")


def test_looking_up_a_code_that_is_not_utf8_finds_no_such_line(refused):
    refused("history", "sk\udcf6la", names="unknown line")


def test_domain_text_that_is_not_utf8_is_refused_by_the_rules_too():
    from prognos.domain import rules
    from prognos.events.errors import InvalidInputError

    for check in (lambda: rules.valid_code("b\udcff"),
                  lambda: rules.required_text("caf\udce9", "note text"),
                  lambda: rules.optional_text("\udce9", "--reason")):
        with pytest.raises(InvalidInputError, match="not valid UTF-8"):
            check()


@pytest.mark.parametrize("code", ["abc\n", "x" * 100 + "\n"])
def test_a_line_code_with_a_final_newline_is_refused(usage_error, code):
    usage_error("line", "add", code, "--name", "X", names="line code")


def test_actuals_summing_beyond_64_bits_of_ore_are_reported_exactly(cli, ok):
    """Each amount is below the limit (10**16 kr), but ten of them on one line sum past
    what one SQL SUM of 64-bit öre can hold."""
    ok("line", "add", "a", "--name", "A")
    for month in range(1, 11):
        ok("actual", "book", "a", "9999999999999999", "--period", f"2024-{month:02d}")
    ok("actual", "book", "a", "--period", "2024-11", "--", "-9999999999999999.99")
    doc = cli.json("report", "--year", "2024", "--as-of", "2024-12")
    [line] = doc["lines"]
    assert line["actual_ytd"] == "89999999999999990.01"
    assert doc["total"]["actual_ytd"] == "89999999999999990.01"
    result = cli("check")
    assert result.exit_code == 0, result.output


@pytest.mark.sqlite_only  # the demo writes a file
@pytest.mark.parametrize("user", ["anna", "demo"])
def test_the_demo_never_replaces_an_empty_store_or_one_kept_by_a_user_called_demo(
    tmp_path, cli, snapshot, user
):
    if user == "anna":
        assert cli("init").exit_code == 0  # a store with no events yet
    else:
        assert cli("line", "add", "it", "--name", "IT", user="demo").exit_code == 0
    before = snapshot(cli.store_path)
    result = cli("demo", "--out", str(cli.store_path))
    assert "not a demo store" in _one_line(result, 1)
    assert snapshot(cli.store_path) == before


def test_an_empty_store_name_is_a_usage_error(tmp_path):
    from typer.testing import CliRunner

    from prognos.cli.main import app

    result = CliRunner().invoke(app, ["--store", " ", "line", "add", "x", "--name", "X"])
    assert result.exit_code == 2, result.output
    assert "--store is empty" in result.output


def test_a_store_in_a_folder_the_user_cannot_write_says_why_it_cannot_be_read(tmp_path,
                                                                             monkeypatch):
    """SQLite keeps -wal and -shm files beside a WAL store even to read it (as root, as
    the tests run, every folder is writable: the check of the folder is simulated)."""
    import sqlite3

    from prognos.projections.store import reader

    monkeypatch.setattr(reader.os, "access", lambda path, mode: False)
    error = sqlite3.OperationalError("attempt to write a readonly database")
    reason = reader.sqlite_reason(str(tmp_path / "a.db"), error)
    assert "-wal and -shm" in reason and str(tmp_path) in reason
    assert reader.sqlite_reason(str(tmp_path / "a.db"), sqlite3.OperationalError("disk I/O error")) \
        == "disk I/O error"


def test_init_takes_json_like_every_command(cli):
    result = cli("init", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["events"] == 0 and doc["store"]

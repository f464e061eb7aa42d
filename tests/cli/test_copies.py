"""A copy that verifies (issue 13): `backup FILE` (a SQLite ledger's online backup) and
`copy --to STORE` (the whole log with its seals and files, SQLite or PostgreSQL either
way) write a copy only once its own check passes and its head is the ledger's; the copy
answers every read as the ledger does."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import execute_sql, is_postgres, postgres_schemas

Y = ("--year", "2024")
R = ("--reason", "r")


@pytest.fixture
def ledger(tree, ok, write, tmp_path: Path) -> Path:
    """Every kind of event, an imported file and an answered request, over two years."""
    ok("budget", "set", "it-sak", "1 000 000", *Y, *R)
    ok("budget", "transfer", "it-sak", "it-drift", "100 000", *Y, "--effective", "2024-03", *R)
    ok("forecast", "set", "it-drift", "150 000", *Y, "--as-of", "2024-04", *R)
    [booking] = write("actual", "book", "skola", "250", "--period", "2024-02", "--ref", "V1")
    ok("actual", "reverse", booking["event_id"], *R)
    ok("note", "add", "skola", "Förklaring", *Y, "--period", "2024-02")
    ok("period", "close", "2024-01")
    ok("budget", "set", "skola", "5 000", "--year", "2025", *R, "--request-id", "b-2025")
    path = tmp_path / "mars.csv"
    path.write_text("code;amount;ref\nskola;75;V2\nit-sak;125;V3\n", encoding="utf-8")
    ok("import", "actual", str(path), "--period", "2024-03")
    return path


def _reads(cli: Any, source_file: Path) -> list[Any]:
    """What a reader sees of a ledger: every year's report, a history, the check, a file."""
    sha = json.loads(cli("history", "skola", "--json").stdout)["events"][-1]["source"]["sha256"]
    return [
        cli("report", "--year", "2024", "--as-of", "2024-12", "--json").stdout,
        cli("report", "--year", "2025", "--as-of", "2025-06", "--json").stdout,
        cli("history", "it", "--json").stdout,
        cli("why", "it", *Y, "--from", "2024-01", "--to", "2024-12", "--json").stdout,
        cli("check", "--head-only").stdout,
        cli("source", sha).stdout_bytes == source_file.read_bytes(),
    ]


@pytest.mark.sqlite_only
def test_a_backup_is_the_ledger_verified_and_answers_every_read_the_same(
    ledger, cli, ok, tmp_path: Path
):
    target = tmp_path / "kopia.db"
    doc = json.loads(ok("backup", str(target), "--json").stdout)
    assert doc["ok"] and doc["check_ok"] and doc["same_head"]
    assert doc["head"] == cli("check", "--head-only").stdout.strip()
    assert not list(tmp_path.glob("kopia.db.part*"))
    copy = type(cli)(target)
    assert copy("check").exit_code == 0
    assert _reads(copy, ledger) == _reads(cli, ledger)
    # the answered request came along: a retry against the copy records nothing
    assert copy("budget", "set", "skola", "5 000", "--year", "2025", *R, "--request-id",
                "b-2025").stdout == cli("budget", "set", "skola", "5 000", "--year", "2025", *R,
                                        "--request-id", "b-2025").stdout


@pytest.mark.sqlite_only
def test_a_backup_taken_while_another_write_is_under_way_holds_what_was_committed(
    ledger, cli, ok, tmp_path: Path
):
    writer = sqlite3.connect(cli.store_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process's write, holding the lock
    writer.execute("DELETE FROM prognos_meta WHERE key = 'closed_through'")  # not committed
    try:
        doc = json.loads(ok("backup", str(tmp_path / "kopia.db"), "--json").stdout)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert doc["ok"] and doc["head"] == cli("check", "--head-only").stdout.strip()


@pytest.mark.sqlite_only
def test_a_backup_over_an_existing_file_is_refused(ledger, refused, tmp_path: Path):
    target = tmp_path / "kopia.db"
    target.write_bytes(b"mine")
    refused("backup", str(target), names=["kopia.db", "exists"])
    assert target.read_bytes() == b"mine"


@pytest.mark.postgres_only
def test_backup_of_a_postgresql_ledger_points_to_copy(ledger, refused, tmp_path: Path):
    refused("backup", str(tmp_path / "kopia.db"), names="prognos copy --to")


@pytest.mark.sqlite_only
def test_a_backup_of_a_tampered_ledger_does_not_verify_and_writes_nothing(
    ledger, cli, tmp_path: Path
):
    execute_sql(cli.store_path, "UPDATE stored_events SET state = replace(state, "
                                "'\"user\":\"anna\"', '\"user\":\"eva\"') WHERE rowid = 3")
    result = cli("backup", str(tmp_path / "kopia.db"))
    assert result.exit_code == 1 and "does not verify" in result.stderr
    assert "log_sealed" in result.stderr
    assert not list(tmp_path.glob("kopia*"))


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path: Path) -> Iterator[Any]:
    """A new store to copy to: a file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield tmp_path / "arkiv.db"
        return
    location = postgres_schemas().new()
    yield location
    postgres_schemas().drop(location)


def test_a_copy_to_a_new_store_is_the_ledger_verified(ledger, cli, ok, target):
    doc = json.loads(ok("copy", "--to", str(target), "--json").stdout)
    assert doc["ok"] and doc["check_ok"] and doc["same_head"] and doc["same_reports"]
    assert doc["years"] == [2024, 2025]
    assert doc["head"] == cli("check", "--head-only").stdout.strip()
    copy = type(cli)(target)
    assert _reads(copy, ledger) == _reads(cli, ledger)
    if is_postgres(target) != is_postgres(cli.store_path):  # the other kind of store
        assert copy("check").exit_code == 0


def test_a_copy_to_a_store_that_holds_a_ledger_is_refused(ledger, cli, ok, refused, target):
    ok("copy", "--to", str(target))
    refused("copy", "--to", str(target), names="already holds a ledger")


def test_a_copy_to_the_ledger_itself_is_refused(ledger, cli, refused):
    refused("copy", "--to", str(cli.store_path), names="itself")

"""A store written by an earlier prognos still reads the same.

tests/fixtures/store_0_1/ledger.db was made by prognos at de02a6e (make.sh), before the
restructuring of issue 10, and holds every kind of event: a sealed log, a transfer, a
reversal, a note, imports with their source files. expected.json is what that version
printed for report, history, why, check and source on it (record.py), each command on a
fresh copy. Every command is run again: on SQLite on a fresh copy of the file, and on
PostgreSQL on its log and seals loaded into a new schema (whose views its first opening
folds); each must print the same bytes with the same exit code.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from prognos.cli.main import app

from backends import is_postgres, open_store, postgres_schemas

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store_0_1"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
# What a store is made of, beyond the views that are folded from the log.
KEPT_TABLES = ("stored_events", "prognos_seals", "prognos_sources")


def _copy_of_the_fixture(location: Any) -> Any:
    if not is_postgres(location):
        shutil.copy(FIXTURE / "ledger.db", location)
        for suffix in ("-wal", "-shm"):
            Path(f"{location}{suffix}").unlink(missing_ok=True)
        return location
    # The same rows in a PostgreSQL schema: its views are folded from the log on first use.
    source = sqlite3.connect(FIXTURE / "ledger.db")
    pg = postgres_schemas()
    schema = location.rsplit("=", 1)[1]
    with pg.connection.transaction():
        pg.connection.execute(f'SET LOCAL search_path = "{schema}"')
        for table in KEPT_TABLES:
            columns = "rowid, *" if table == "stored_events" else "*"
            rows = source.execute(f"SELECT {columns} FROM {table}").fetchall()
            names = [d[0] for d in source.execute(f"SELECT * FROM {table} LIMIT 0").description]
            if table == "stored_events":  # its rowid is the position
                names = ["notification_id", *names]
            marks = ", ".join(["%s"] * len(names))
            for row in rows:
                pg.connection.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", row
                )
    source.close()
    open_store(location).close()  # its views folded from the log, as by its first use
    return location


def test_a_store_written_before_the_restructuring_prints_exactly_what_it_printed_then(
    location: Any,
) -> None:
    """Each command on a fresh copy, as it was recorded: `check` too must pass on the store
    as the earlier version left it, before any other command has opened it."""
    runner = CliRunner()
    differences = []
    store = _copy_of_the_fixture(location)
    for recorded in EXPECTED:
        if not is_postgres(location):  # the file exactly as the earlier version left it
            store = _copy_of_the_fixture(location)
        result = runner.invoke(
            # English, as that version printed: `check`'s text (JSON is the same in both)
            app, recorded["args"], env={"PROGNOS_STORE": str(store), "PROGNOS_USER": "revisor",
                                        "COLUMNS": "200", "PROGNOS_LANG": "en"}
        )
        now = {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}
        then = {k: recorded[k] for k in now}
        if recorded["args"][0] == "check":
            now = _as_then(now, then)
        # What issue 13 added to every event: the request and the database role, which an
        # event from before had neither of (read through the upcaster as null).
        now["stdout"] = now["stdout"].replace('"request_id":null,"db_role":null,', "")
        if now != then:
            differences.append((recorded["args"], now, then))
    assert not differences, differences[0]
    assert len(EXPECTED) == 40  # every command recorded is run


# What issue 13 added to `check`: the head it prints (SEAL@POSITION), and checks of its own.
HEAD = "5c7a9de5bc745ef9339ab0513e7c3183465ea227b70d66dafcb888eb71bddfea@31"
ADDED_CHECKS = ("log_obeys_rules",)


def _as_then(now: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """`check`'s output with what issue 13 added to it taken out, once it is shown to be
    there: the head, as the seal the earlier version printed, and the added checks (which
    must pass). What is left must be what the earlier version printed."""
    out = now["stdout"]
    if out.startswith("{"):
        doc = json.loads(out)
        assert doc.pop("head") == HEAD
        added = [c for c in doc["checks"] if c["name"] in ADDED_CHECKS]
        assert len(added) == len(ADDED_CHECKS) and all(c["ok"] for c in added)
        doc["checks"] = [c for c in doc["checks"] if c["name"] not in ADDED_CHECKS]
        out = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        lines = out.splitlines(keepends=True)
        assert lines[-1] == f"head (seal@position): {HEAD}\n"
        added = [line for line in lines if line.split(":")[0].split()[-1] in ADDED_CHECKS]
        assert len(added) == len(ADDED_CHECKS) and all(a.startswith("ok ") for a in added)
        out = "".join(line for line in lines[:-1] if line not in added)
    return {**now, "stdout": out}


def test_the_fixture_holds_every_kind_of_event_prognos_had_then() -> None:
    with sqlite3.connect(FIXTURE / "ledger.db") as con:
        topics = {row[0] for row in con.execute("SELECT topic FROM stored_events")}
    assert topics == {f"prognos.events.ledger:{name}" for name in (
        "LineAdded", "BudgetSet", "BudgetTransferred", "ForecastRevised", "ActualBooked",
        "ActualReversed", "NoteAdded", "PeriodClosed", "SourceImported")}

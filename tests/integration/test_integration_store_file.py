"""A real SQLite file on disk: opened, written, closed and reopened, by the library and the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from backends import (
    column_names, console_script, execute_sql, open_store, position_column, query_sql, table_names,
)

from prognos.cli.render import report_json
from prognos.domain.application import Ledger
from prognos.events.errors import RefusedError, StoreError
from prognos.events.period import YearMonth
from prognos.projections.reports.report import report
from prognos.projections.store.base import BaseStore

Y = ("--year", "2024")
R = ("--reason", "r")


def report_doc(store: BaseStore, month: str, known_at: datetime | None = None) -> dict:
    ym = YearMonth.parse(month)
    return report_json(report(store, ym.year, ym, known_at))


def seed(ledger: Ledger) -> None:
    ledger.add_line("it", "IT")
    ledger.add_line("it-sak", "Säkerhet", "it")
    ledger.add_line("it-drift", "Drift", "it")
    ledger.add_line("skola", "Skola")
    ledger.set_budget("it-sak", Decimal("1200000.30"), 2024, "Budget")
    ledger.set_budget("it-drift", Decimal("600000"), 2024, "Budget")
    ledger.transfer_budget("it-sak", "skola", Decimal("1000"), 2024, "Flytt",
                           effective=YearMonth(2024, 3))
    ledger.revise_forecast("it-drift", Decimal("650000"), 2024, YearMonth(2024, 4), "Prognos")
    ledger.book_actual("it-sak", Decimal("-1500.50"), YearMonth(2024, 2), "V-1", None)


def test_a_store_keeps_the_ledger_across_separate_openings(location):
    path = location
    with open_store(path) as first:
        seed(Ledger(first, "anna"))
        expected = {m: report_doc(first, m) for m in ("2024-01", "2024-04", "2024-12")}
        positions = first.max_position()
    if isinstance(path, Path):
        assert path.exists() and path.stat().st_size > 0

    with open_store(path) as second:
        assert second.max_position() == positions
        assert {m: report_doc(second, m) for m in expected} == expected
        [booking] = Ledger(second, "bertil").book_actual(
            "it-drift", Decimal("99.99"), YearMonth(2024, 4), None, "Sent"
        )
        assert booking.position == positions + 1

    with open_store(path) as third:
        doc = report_doc(third, "2024-04")
        drift = next(ln for ln in doc["lines"] if ln["code"] == "it-drift")
        assert drift["actual_ytd"] == "99.99"
        assert report_doc(third, "2024-01") == expected["2024-01"]
        # known-at just before the late booking reproduces the earlier report
        at = booking.recorded_at - timedelta(microseconds=1)
        assert report_doc(third, "2024-12", at)["lines"] == expected["2024-12"]["lines"]


def test_two_open_stores_on_one_database_see_each_others_writes(location):
    a, b = open_store(location), open_store(location)
    try:
        Ledger(a, "anna").add_line("skola", "Skola")
        Ledger(b, "bertil").set_budget("skola", Decimal("500"), 2024, "Budget")
        Ledger(a, "anna").book_actual("skola", Decimal("20"), YearMonth(2024, 1))
        for store in (a, b):
            [line] = report_doc(store, "2024-01")["lines"]
            assert (line["budget"], line["actual_ytd"]) == ("500.00", "20.00")
        assert a.max_position() == b.max_position() == 3
        # a rule checked by one opening sees the other's writes
        with pytest.raises(RefusedError):
            Ledger(b, "bertil").add_line("skola-grund", "Grundskola", "skola")
    finally:
        a.close()
        b.close()


def test_recording_times_never_go_backwards_across_openings_even_if_the_clock_does(location):
    with open_store(location) as store:
        [first] = Ledger(store, "anna").add_line("skola", "Skola")
    past = datetime(2000, 1, 1, tzinfo=timezone.utc)
    with open_store(location) as store:
        [second] = Ledger(store, "anna", clock=lambda: past).add_line("it", "IT")
    assert second.recorded_at > first.recorded_at
    assert second.recorded_at.utcoffset() == timedelta(0)


def test_the_cli_reads_what_the_library_wrote_on_the_same_file(cli):
    with open_store(cli.store_path) as store:
        seed(Ledger(store, "anna"))
        expected = report_doc(store, "2024-05")
    assert cli.json("report", *Y, "--as-of", "2024-05") == expected
    result = cli("line", "add", "fritid", "--name", "Fritid")
    assert result.exit_code == 0, result.stderr
    with open_store(cli.store_path) as store:
        assert [ln["code"] for ln in report_doc(store, "2024-05")["lines"]][-1] == "fritid"


def _cli_scenario(cli) -> list[dict[str, Any]]:
    """A year of work through the CLI; returns the write outputs in order."""
    out: list[dict[str, Any]] = []

    def w(*args: str) -> dict[str, Any]:
        args_list = list(args)
        if "--" in args_list:
            args_list.insert(args_list.index("--"), "--json")
        else:
            args_list.append("--json")
        result = cli(*args_list)
        assert result.exit_code == 0, result.stderr
        out.append(json.loads(result.stdout))
        return out[-1]

    w("line", "add", "kommun", "--name", "Kommunen")
    w("line", "add", "it", "--name", "IT", "--parent", "kommun")
    w("line", "add", "it-sak", "--name", "Säkerhet", "--parent", "it")
    w("line", "add", "it-drift", "--name", "Drift", "--parent", "it")
    w("line", "add", "skola", "--name", "Skola", "--parent", "kommun")
    w("budget", "set", "it-sak", "1 236 897", *Y, *R)
    w("budget", "set", "it-drift", "2 016 tkr", *Y, *R)
    w("budget", "set", "skola", "51,3 mkr", *Y, *R)
    w("budget", "transfer", "skola", "it-sak", "100 000", *Y, "--effective", "2024-03", *R)
    w("forecast", "set", "it-sak", "1 400 000", *Y, "--as-of", "2024-04", *R)
    booking = w("actual", "book", "it-drift", "--period", "2024-02", "--", "-1 831 513")
    w("actual", "reverse", booking["events"][0]["event_id"], *R)
    w("actual", "book", "skola", "4 000 000,25", "--period", "2024-05", "--ref", "F-1")
    w("note", "add", "skola", "Fler elever", *Y, "--period", "2024-05")
    w("period", "close", "2024-05")
    w("budget", "set", "it-drift", "2 100 tkr", *Y, "--effective", "2024-07", *R)
    w("line", "add", "fritid", "--name", "Fritid")
    w("actual", "book", "fritid", "12.50", "--period", "2024-08")
    return out


def _everything(cli, writes: list[dict[str, Any]]) -> dict[str, Any]:
    known = [w["events"][0]["recorded_at"] for w in writes[2::4]]
    docs: dict[str, Any] = {}
    for m in (1, 2, 3, 5, 7, 12):
        docs[f"report {m}"] = cli.json("report", *Y, "--as-of", f"2024-{m:02d}")
    for k in known:
        docs[f"report known {k}"] = cli.json("report", *Y, "--as-of", "2024-12", "--known-at", k)
    for code in ("kommun", "it-drift", "skola"):
        docs[f"history {code}"] = cli.json("history", code)
        docs[f"why {code}"] = cli.json("why", code, *Y, "--from", "2024-01", "--to", "2024-12")
    return docs


def _query(path: Any, sql: str) -> list[Any]:
    return query_sql(path, sql)


def _rows(path: Path, table: str) -> list[Any]:
    return _query(path, f"SELECT * FROM {table} ORDER BY 1")


def test_rebuild_gives_identical_reports_history_and_bridges(cli):
    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    entries = _rows(cli.store_path, "prognos_entries")
    lines = _rows(cli.store_path, "prognos_lines")
    result = cli("rebuild", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"events": entries[-1][0]}
    assert _everything(cli, writes) == before
    assert _rows(cli.store_path, "prognos_entries") == entries
    assert _rows(cli.store_path, "prognos_lines") == lines
    assert cli("check").exit_code == 0
    human = cli("rebuild")
    assert human.exit_code == 0 and human.stdout.strip()


def test_rebuild_restores_views_that_were_dropped(cli):
    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    execute_sql(cli.store_path, "DELETE FROM prognos_entries")
    execute_sql(cli.store_path, "DELETE FROM prognos_lines")
    assert cli("check").exit_code == 1
    assert cli("rebuild").exit_code == 0
    assert cli("check").exit_code == 0
    assert _everything(cli, writes) == before


def test_the_events_themselves_are_never_updated_or_deleted(cli):
    """The log (eventsourcing's stored events) only grows: earlier rows stay byte-identical."""
    _cli_scenario(cli)
    tables = table_names(cli.store_path)
    log_tables = [t for t in tables if not t.startswith("prognos_") and t != "tracking"]
    assert log_tables, tables
    before = {t: _rows(cli.store_path, t) for t in log_tables}
    assert any(before.values())
    assert cli("actual", "book", "skola", "1", "--period", "2024-09").exit_code == 0
    assert cli("rebuild").exit_code == 0
    after = {t: _rows(cli.store_path, t) for t in log_tables}
    for t in log_tables:
        assert set(before[t]) <= set(after[t]), t
    assert sum(map(len, after.values())) == sum(map(len, before.values())) + 1


def test_check_passes_on_a_year_of_work(cli):
    _cli_scenario(cli)
    result = cli("check", "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["ok"] is True


def test_views_of_an_older_layout_are_rebuilt_when_the_store_is_opened(cli):
    """A store written by an earlier prognos keeps its log; only its views are rebuilt."""
    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    entries = _rows(cli.store_path, "prognos_entries")
    # as an earlier layout left them: other columns, no version mark
    execute_sql(cli.store_path, "ALTER TABLE prognos_lines ADD COLUMN stream TEXT")
    execute_sql(cli.store_path, "DELETE FROM prognos_meta WHERE key = 'views_version'")
    execute_sql(cli.store_path, "DELETE FROM prognos_entries WHERE position > 3")
    assert _everything(cli, writes) == before  # a read command rebuilds them first
    assert _rows(cli.store_path, "prognos_entries") == entries
    assert "stream" not in column_names(cli.store_path, "prognos_lines")
    assert cli("check").exit_code == 0


@pytest.mark.parametrize("code", ["kommun", "it", "it-drift", "skola"])
@pytest.mark.parametrize("year", [None, "2024"])
def test_history_is_the_same_by_index_seeks_and_by_a_scan_of_the_views(cli, monkeypatch, code, year):
    """A few lines are found by seeking the index, a large roll-up by one scan: same events."""
    from prognos.projections.store import queries

    _cli_scenario(cli)
    args = ("history", code, *(("--year", year) if year else ()))
    seeks = cli.json(*args)["events"]
    monkeypatch.setattr(queries, "SEEK_LINES", 0)  # every subtree counts as large
    scan = cli.json(*args)["events"]
    assert seeks == scan
    assert seeks and [e["position"] for e in seeks] == sorted(e["position"] for e in seeks)
    assert all(e["user"] == "anna" and e["recorded_at"] for e in seeks)
    if year is None:
        assert seeks[0]["kind"] == "line_added"


def test_a_rebuild_with_a_helper_process_writes_the_same_views(cli, monkeypatch):
    """Long rebuilds prepare rows in a second process: the views must not differ."""
    from prognos.projections.store import base as base_store

    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    tables = ("prognos_entries", "prognos_lines", "prognos_commands", "prognos_meta")
    rows = {t: _rows(cli.store_path, t) for t in tables}
    monkeypatch.setattr(base_store, "HELPER_FROM", 0)
    monkeypatch.setattr(base_store, "BATCH", 4)  # several batches through the pipe
    monkeypatch.setattr(base_store.os, "cpu_count", lambda: 2)
    result = cli("rebuild", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"events": rows["prognos_entries"][-1][0]}
    assert {t: _rows(cli.store_path, t) for t in tables} == rows
    assert _everything(cli, writes) == before
    assert cli("check").exit_code == 0


@pytest.mark.parametrize("interpreter", ["/bin/false", "/nonexistent/python3"])
def test_a_rebuild_whose_helper_stops_or_cannot_start_prepares_every_batch_itself(
    cli, monkeypatch, interpreter
):
    """The helper only saves time: if it exits at once (or there is no interpreter to
    start it with), the rebuild does its batches itself and writes the same views."""
    import sys

    from prognos.projections.store import base as base_store

    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    tables = ("prognos_entries", "prognos_lines", "prognos_commands", "prognos_meta")
    rows = {t: _rows(cli.store_path, t) for t in tables}
    monkeypatch.setattr(base_store, "HELPER_FROM", 0)
    monkeypatch.setattr(base_store, "BATCH", 4)
    monkeypatch.setattr(base_store.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(sys, "executable", interpreter)
    result = cli("rebuild", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"events": rows["prognos_entries"][-1][0]}
    assert {t: _rows(cli.store_path, t) for t in tables} == rows
    assert _everything(cli, writes) == before


def test_a_script_without_a_main_guard_rebuilds_with_a_helper_and_runs_once(cli, tmp_path):
    """The helper process must not import the caller's main module again: a script with
    no `if __name__ == "__main__"` guard would run its top level twice (a spawned
    multiprocessing child does exactly that, and then fails to start the helper)."""
    import subprocess
    import sys

    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    entries = _rows(cli.store_path, "prognos_entries")
    marker = tmp_path / "ran.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        from prognos.projections.store import base as base_store
        from prognos.projections.store.dialect import is_postgres_url
        from prognos.projections.store.postgres import PostgresStore
        from prognos.projections.store.sqlite import SQLiteStore

        with open({str(marker)!r}, "a") as f:
            f.write("ran\\n")
        base_store.HELPER_FROM = 0
        base_store.BATCH = 4
        base_store.os.cpu_count = lambda: 2
        where = {str(cli.store_path)!r}
        store = (PostgresStore if is_postgres_url(where) else SQLiteStore)(where)
        print(store.rebuild())
        store.close()
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "ran\n"  # the top level ran once
    assert int(done.stdout) == entries[-1][0]
    assert _rows(cli.store_path, "prognos_entries") == entries
    assert _everything(cli, writes) == before
    assert cli("check").exit_code == 0


def test_a_rebuild_whose_helper_meets_a_broken_event_fails_and_keeps_the_old_views(cli, monkeypatch):
    from prognos.projections.store import base as base_store

    _cli_scenario(cli)
    entries = _rows(cli.store_path, "prognos_entries")
    # the log is never edited; this simulates a damaged store
    execute_sql(cli.store_path, "UPDATE stored_events SET topic = 'gone:Event' "
                f"WHERE {position_column(cli.store_path)} = 7")
    monkeypatch.setattr(base_store, "HELPER_FROM", 0)
    monkeypatch.setattr(base_store.os, "cpu_count", lambda: 2)
    result = cli("rebuild")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _rows(cli.store_path, "prognos_entries") == entries


def test_a_rebuild_meeting_a_broken_event_in_process_fails_in_one_line_too(cli):
    _cli_scenario(cli)
    entries = _rows(cli.store_path, "prognos_entries")
    execute_sql(cli.store_path, "UPDATE stored_events SET topic = 'gone:Event' "
                f"WHERE {position_column(cli.store_path)} = 7")
    result = cli("rebuild")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "prognos: error: the views cannot follow the log: unknown event topic 'gone:Event'"
    ), result.stderr
    assert _rows(cli.store_path, "prognos_entries") == entries


@pytest.mark.sqlite_only  # streams per line were never written to PostgreSQL
def test_a_store_written_with_a_stream_per_line_takes_new_events_in_the_ledger_stream(cli):
    """Stores from before the single stream keep their events where they are; new events
    continue in the ledger stream with their positions as versions, above any old version."""
    from uuid import NAMESPACE_URL, uuid5

    from prognos.projections.store.guards import sqlite_trigger_names
    from prognos.projections.store.streams import LEDGER_STREAM_ID

    writes = _cli_scenario(cli)
    con = sqlite3.connect(cli.store_path)
    with con:  # as the earlier layout wrote them: one stream per line, versions from 1
        for name in sqlite_trigger_names():  # (that layout had no append-only triggers)
            con.execute(f"DROP TRIGGER {name}")
        rows = con.execute(
            "SELECT rowid, json_extract(CAST(state AS TEXT), '$.code') FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()
        versions: dict[str, int] = {}
        for rowid, code in rows:
            stream = uuid5(NAMESPACE_URL, f"prognos:line:{code}").hex if code else LEDGER_STREAM_ID
            versions[stream] = versions.get(stream, 0) + 1
            con.execute(
                "UPDATE stored_events SET originator_id = ?, originator_version = ? WHERE rowid = ?",
                (stream, versions[stream], rowid),
            )
    con.close()
    before = _everything(cli, writes)
    result = cli("actual", "book", "skola", "1", "--period", "2024-09", "--json")
    assert result.exit_code == 0, result.stderr
    position = json.loads(result.stdout)["events"][0]["position"]
    [last] = _query(cli.store_path, "SELECT originator_id, originator_version FROM stored_events "
                    "ORDER BY rowid DESC LIMIT 1")
    assert last == (LEDGER_STREAM_ID, position)
    assert cli("check").exit_code == 0
    assert cli("rebuild").exit_code == 0
    after = _everything(cli, writes)["history kommun"]["events"]
    assert after[:-1] == before["history kommun"]["events"]
    assert after[-1]["position"] == position


@pytest.mark.sqlite_only  # PostgreSQL: test_processes_opening_a_new_schema_at_once_create_it_once
def test_processes_creating_a_new_store_file_at_once_all_succeed(tmp_path):
    """eventsourcing checks, then creates its tables in a transaction of its own: two
    first uses at the same moment used to fail one of them (or call the file a
    database of something else). Creation is serialised among processes, and every
    write that says it was recorded is in the log (a lock on the database file itself
    once lost one: closing its descriptor dropped SQLite's locks)."""
    import subprocess

    for attempt in range(5):
        store = tmp_path / f"race{attempt}.db"
        env = {"PROGNOS_STORE": str(store), "PROGNOS_USER": "anna",
               **{k: v for k, v in os.environ.items() if not k.startswith("PROGNOS_")}}
        procs = [subprocess.Popen([console_script(), "line", "add", f"l{i}", "--name", "L"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for i in range(4)]
        results = [(p.wait(timeout=60), p.stderr.read().decode()) for p in procs]
        assert [code for code, _ in results] == [0] * 4, results
        rows = query_sql(store, "SELECT rowid FROM stored_events ORDER BY rowid")
        assert [r[0] for r in rows] == [1, 2, 3, 4]
        lines = query_sql(store, "SELECT code FROM prognos_lines ORDER BY code")
        assert [r[0] for r in lines] == ["l0", "l1", "l2", "l3"]


@pytest.mark.sqlite_only  # PostgreSQL: test_views_cut_short_are_made_again_from_the_log
def test_a_store_file_missing_a_view_table_is_finished_and_folded_from_its_log(cli):
    from prognos.projections.reports.check import run_checks

    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    execute_sql(cli.store_path, "DROP TABLE prognos_commands")
    execute_sql(cli.store_path, "DROP TABLE prognos_entries")
    assert _everything(cli, writes) == before
    with open_store(cli.store_path) as store:
        assert all(c.ok for c in run_checks(store))


@pytest.mark.sqlite_only
def test_an_event_table_of_another_application_is_not_turned_into_a_store(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    with con:
        con.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version "
                    "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, "
                    "originator_version))")
        con.execute("INSERT INTO stored_events VALUES ('x', 1, 'shop.orders:Placed', '{}')")
    con.close()
    with pytest.raises(StoreError, match="something else"):
        open_store(other)
    con = sqlite3.connect(other)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == [
        "stored_events", "sqlite_autoindex_stored_events_1"]
    con.close()


def test_a_rebuild_with_a_path_object_on_sys_path_still_gets_its_helper(cli, monkeypatch):
    """Python ignores entries of sys.path that are not text; so does the helper's start."""
    import sys

    from prognos.projections.store import base as base_store

    writes = _cli_scenario(cli)
    before = _everything(cli, writes)
    monkeypatch.setattr(sys, "path", [*sys.path, Path("/nowhere")])
    monkeypatch.setattr(base_store, "HELPER_FROM", 0)
    monkeypatch.setattr(base_store, "BATCH", 4)
    monkeypatch.setattr(base_store.os, "cpu_count", lambda: 2)
    from prognos.projections.store import rebuild_worker

    started = []

    class Counting(rebuild_worker.Helper):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self.process)

    monkeypatch.setattr(rebuild_worker, "Helper", Counting)
    assert cli("rebuild").exit_code == 0
    assert started and started[0].wait(timeout=30) == 0  # it ran, and finished its work
    assert _everything(cli, writes) == before


@pytest.mark.sqlite_only
def test_a_store_is_created_where_its_folder_cannot_be_locked(tmp_path, monkeypatch):
    import fcntl

    def no_locks(fd, operation):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with open_store(tmp_path / "new.db") as store:
        assert store.max_position() == 0


@pytest.mark.sqlite_only
def test_a_store_file_whose_name_is_not_utf8_works(tmp_path):
    import os
    import subprocess

    store = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"ekonomi-\xe5r.db"))
    for args in (["line", "add", "it", "--name", "IT"], ["history", "it", "--json"]):
        done = subprocess.run([console_script(), "--store", store, "--user", "anna", *args],
                              capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr

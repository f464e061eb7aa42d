"""`prognos demo` on the seed report, end to end on real SQLite files (issue 3).

The demo builds a ledger of the city's August 2024 interim report in its own
store, reproduces tables 1.1-1.4 from that ledger, and reconciles the published
figures. The transcription it is checked against is the CSVs shipped in the
package (cli/seed), read here directly.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from backends import dump_store
from typer.testing import CliRunner

from prognos.cli.main import app
from prognos.projections.store.sqlite import SQLiteStore

TABLE_IDS = {"1.1", "1.2", "1.3", "1.4"}
COLUMNS = {"budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd",
           "actual_deviation"}
FINDING_KEYS = {"table", "row", "column", "printed", "computed", "difference", "rule"}

# The printed tables as transcribed: files, label columns, and what each column means.
PRINTED = {
    "1.1": ([("table_1_1_service_areas.csv", "Tjänsteområde")],
            {"budget_mkr": "budget", "prognos_maj_mkr": "forecast",
             "avvikelse_mkr": "forecast_deviation"}),
    "1.2": ([("table_1_2_services.csv", "tjänst"), ("table_1_2_totals.csv", "summa_label")],
            {"budget_kr": "budget", "prognos_maj_kr": "forecast",
             "avvikelse_kr": "forecast_deviation"}),
    "1.3": ([("table_1_3_initiatives_by_area.csv", "area")],
            {"utfall_jan_aug_mkr": "actual_ytd", "budget_jan_aug_mkr": "budget_ytd",
             "avvikelse_1_mkr": "actual_deviation", "budget_mkr": "budget",
             "prognos_per_maj_mkr": "forecast", "avvikelse_2_mkr": "forecast_deviation"}),
    "1.4": ([("table_1_4_initiatives.csv", "insats"), ("table_1_4_totals.csv", "summa_label")],
            {"utfall_jan_aug_tkr": "actual_ytd", "budget_jan_aug_tkr": "budget_ytd",
             "avvikelse_utfall_budget_tkr": "actual_deviation", "helar_prognos_tkr": "forecast",
             "budget_tkr": "budget", "avvikelse_prognos_budget_tkr": "forecast_deviation"}),
}
# The columns that are input to the ledger (the rest are derived).
INPUT_COLUMNS = {"1.2": ("budget", "forecast"),
                 "1.4": ("actual_ytd", "budget_ytd", "forecast", "budget")}
LEAF_FILES = {"1.2": "table_1_2_services.csv", "1.4": "table_1_4_initiatives.csv"}


def seed(name: str) -> list[dict[str, str]]:
    path = Path(str(files("prognos.cli") / "seed" / name))
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def printed_cells(table: str, leaves_only: bool = False) -> dict[tuple[str, str], str]:
    """(row label, column) -> the figure as transcribed."""
    sources, columns = PRINTED[table]
    cells = {}
    for name, label in sources:
        if leaves_only and name != LEAF_FILES.get(table):
            continue
        for record in seed(name):
            for raw, column in columns.items():
                cells[record[label], column] = record[raw]
    return cells


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env or {})


def max_position(path: Path) -> int:
    store = SQLiteStore(path)
    try:
        return store.max_position()
    finally:
        store.close()


@dataclass
class DemoRun:
    result: Any
    out: Path
    user_store: Path
    doc: dict[str, Any]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """One `prognos demo --out ... --json`, with PROGNOS_STORE pointing elsewhere."""
    folder = tmp_path_factory.mktemp("demo")
    out, user_store = folder / "x.db", folder / "mine.db"
    result = invoke("demo", "--out", str(out), "--json",
                    env={"PROGNOS_STORE": str(user_store), "PROGNOS_USER": "anna"})
    assert result.exit_code == 0, (result.stdout, result.stderr)
    yield DemoRun(result, out, user_store, json.loads(result.stdout))


@pytest.fixture(scope="module")
def human(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    folder = tmp_path_factory.mktemp("demo-human")
    out = folder / "y.db"
    result = invoke("demo", "--out", str(out), env={"PROGNOS_STORE": str(folder / "mine.db")})
    return result, out


def findings(doc: dict[str, Any]) -> list[dict[str, str]]:
    return doc["discrepancies"] + doc["rounding"]


def reproduced(doc: dict[str, Any], table: str) -> dict[str, dict[str, str]]:
    return {row["row"]: row for row in doc["tables"][table]["rows"]}


# ---------------------------------------------------------------------------
# The JSON document
# ---------------------------------------------------------------------------


def test_json_is_the_only_thing_on_stdout(demo):
    assert demo.result.stderr == ""
    assert json.loads(demo.result.stdout) == demo.doc  # the whole of stdout is one document
    assert set(demo.doc) == {"store", "tables", "discrepancies", "rounding", "causes"}
    assert Path(demo.doc["store"]) == demo.out
    assert set(demo.doc["tables"]) == TABLE_IDS


def test_findings_use_the_reconcile_format(demo):
    assert demo.doc["discrepancies"], "the seed report has known discrepancies"
    assert demo.doc["rounding"]
    labels = {t: {label for label, _ in printed_cells(t)} for t in TABLE_IDS}
    for f in findings(demo.doc):
        assert set(f) == FINDING_KEYS, f
        assert f["table"] in TABLE_IDS and f["column"] in COLUMNS, f
        assert f["row"] in labels[f["table"]], f  # the label exactly as printed
        for key in ("printed", "computed", "difference"):
            assert re.fullmatch(r"-?\d+(\.\d+)?", f[key]), f
        assert Decimal(f["difference"]) == Decimal(f["printed"]) - Decimal(f["computed"])
        # `printed` is the transcribed figure itself: same digits, unit and sign.
        assert f["printed"] == printed_cells(f["table"])[f["row"], f["column"]], f


def test_reproduced_tables_are_in_the_reports_units(demo):
    for table, decimals in (("1.1", 1), ("1.2", 0), ("1.3", 1), ("1.4", 0)):
        for row in demo.doc["tables"][table]["rows"]:
            for column in COLUMNS & set(row):
                pattern = r"-?\d+" + (r"\.\d" if decimals else "")
                assert re.fullmatch(pattern, row[column]), (table, row)
        rows = reproduced(demo.doc, table)
        assert {label for label, _ in printed_cells(table)} <= set(rows), table


@pytest.mark.parametrize("table", ["1.2", "1.4"])
def test_reproduced_leaf_rows_equal_the_transcription(demo, table):
    rows = reproduced(demo.doc, table)
    for (label, column), text in printed_cells(table, leaves_only=True).items():
        if column in INPUT_COLUMNS[table]:
            assert Decimal(rows[label][column]) == Decimal(text), (table, label, column)


def test_every_printed_figure_the_ledger_does_not_reproduce_is_in_the_reconciliation(demo):
    reported = {(f["table"], f["row"], f["column"]) for f in findings(demo.doc)}
    differing = []
    for table in sorted(TABLE_IDS):
        rows = reproduced(demo.doc, table)
        for (label, column), text in printed_cells(table).items():
            if Decimal(rows[label][column]) != Decimal(text):
                differing.append((table, label, column))
    assert differing, "the seed report has figures that do not follow from its rows"
    missing = [cell for cell in differing if cell not in reported]
    assert missing == [], missing


@pytest.mark.parametrize(
    "table, row, column, printed, computed",
    [
        ("1.2", "Summa bastjänster", "forecast", "253243988", "253246987"),
        ("1.4", "Upphandling IT-stöd för förmånsportal", "actual_deviation", "24", "-24"),
    ],
)
def test_known_findings_of_the_seed_report_are_discrepancies(demo, table, row, column, printed,
                                                              computed):
    hits = [f for f in demo.doc["discrepancies"]
            if (f["table"], f["row"], f["column"]) == (table, row, column)]
    assert hits, f"{table} {row} {column} is not among the discrepancies"
    assert any(Decimal(f["printed"]) == Decimal(printed)
               and Decimal(f["computed"]) == Decimal(computed) for f in hits), hits
    assert all(f["printed"] == printed for f in hits)


def test_a_printed_48_point_0_keeps_its_digits(demo):
    [f] = [f for f in findings(demo.doc)
           if (f["table"], f["row"], f["column"]) == ("1.3", "Digital infrastruktur", "forecast")]
    assert f["printed"] == "48.0"


# ---------------------------------------------------------------------------
# The demo store
# ---------------------------------------------------------------------------


def test_the_demo_ignores_prognos_store(demo):
    assert demo.out.exists()
    assert not demo.user_store.exists()


def test_the_demo_ignores_store_and_never_touches_the_users_store(tmp_path):
    mine = tmp_path / "mine.db"
    assert invoke("--store", str(mine), "line", "add", "egen", "--name", "Egen",
                  env={"PROGNOS_USER": "anna"}).exit_code == 0
    before = dump_store(mine)
    out = tmp_path / "demo.db"
    result = invoke("--store", str(mine), "demo", "--out", str(out), "--json",
                    env={"PROGNOS_STORE": str(mine)})
    assert result.exit_code == 0, result.stderr
    assert dump_store(mine) == before
    assert json.loads(result.stdout)["store"] == str(out)


def test_the_demo_store_passes_check(demo):
    result = invoke("--store", str(demo.out), "check", "--json")
    assert result.exit_code == 0, result.stdout
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and all(c["ok"] for c in doc["checks"])


def test_running_the_demo_again_replaces_its_store(demo, tmp_path):
    out = tmp_path / "again.db"
    first = invoke("demo", "--out", str(out), "--json")
    assert first.exit_code == 0
    events = max_position(out)
    assert events > 0
    second = invoke("demo", "--out", str(out), "--json")
    assert second.exit_code == 0
    assert max_position(out) == events  # replaced, not added to
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["tables"] == two["tables"] == demo.doc["tables"]
    assert (one["discrepancies"], one["rounding"]) == (two["discrepancies"], two["rounding"])


def test_the_default_demo_store_is_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--json", env={"PROGNOS_STORE": str(tmp_path / "mine.db")})
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "prognos-demo.db").exists()
    assert not (tmp_path / "mine.db").exists()
    assert not (tmp_path / "prognos.db").exists()


def test_the_ledger_holds_the_seed_as_described(demo):
    """Budgets, May forecasts, one August booking per non-zero initiative, and the notes."""
    def report(as_of: str) -> dict[str, dict[str, Any]]:
        result = invoke("--store", str(demo.out), "report", "--year", "2024", "--as-of", as_of,
                        "--json")
        assert result.exit_code == 0
        return {line["name"]: line for line in json.loads(result.stdout)["lines"]}

    may, august = report("2024-05"), report("2024-08")
    for record in seed("table_1_2_services.csv"):
        line = may[record["tjänst"]]
        assert line["is_leaf"]
        assert Decimal(line["budget"]) == Decimal(record["budget_kr"])
        assert Decimal(line["forecast"]) == Decimal(record["prognos_maj_kr"])
    area = {r["row"]: r["inferred_area"] for r in seed("inferred_area_mapping.csv")
            if r["table"] == "1.2"}
    by_code = {line["code"]: line for line in may.values()}
    for name, parent_area in area.items():
        parent = by_code[may[name]["parent"]]
        assert parent["name"] == parent_area
        assert by_code[parent["parent"]]["name"] == "Bastjänster"
    for record in seed("table_1_4_initiatives.csv"):
        line = august[record["insats"]]
        assert Decimal(line["budget"]) == Decimal(record["budget_tkr"]) * 1000
        assert Decimal(line["forecast"]) == Decimal(record["helar_prognos_tkr"]) * 1000
        assert Decimal(line["actual_ytd"]) == Decimal(record["utfall_jan_aug_tkr"]) * 1000

    result = invoke("--store", str(demo.out), "history", "forandringsinsatser", "--json")
    assert result.exit_code == 0
    events = json.loads(result.stdout)["events"]
    bookings = [e for e in events if e["kind"] == "actual_booked"]
    nonzero = [r for r in seed("table_1_4_initiatives.csv") if Decimal(r["utfall_jan_aug_tkr"])]
    assert len(bookings) == len(nonzero)
    assert {e["period"] for e in bookings} == {"2024-08"}
    assert all(e["ref"] for e in bookings)
    assert {e["as_of"] for e in events if e["kind"] == "forecast_revised"} == {"2024-05"}
    notes = [e for e in events if e["kind"] == "note_added"]
    assert len(notes) == len(seed("commentary.csv"))
    roll_ups = {line["code"] for line in august.values() if not line["is_leaf"]}
    assert any(note["line"] in roll_ups for note in notes)  # a note on a portfolio


# ---------------------------------------------------------------------------
# The human output
# ---------------------------------------------------------------------------


def test_the_human_demo_leads_with_the_findings_then_shows_the_tables(human):
    result, out = human
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    title = re.search(r"(\d+) fel i de publicerade siffrorna", text)
    assert title, text[:500]
    first_table = text.index("1.1 Kostnad per tjänsteområde 2024")
    assert title.start() < text.index("1. Tabell") < first_table
    for table in sorted(TABLE_IDS):
        assert f"{table} " in text[first_table:]
    # Each table's sign convention is named, in Swedish.
    assert "avvikelse prognos = prognos − budget" in text
    assert "avvikelse t.o.m. = budget t.o.m. − utfall t.o.m." in text


def test_the_human_demo_counts_causes_in_its_title(demo, human):
    result, _ = human
    text = " ".join(result.stdout.split())
    consequences = sum(len(c["consequences"]) for c in demo.doc["causes"])
    assert (f"{len(demo.doc['causes'])} fel i de publicerade siffrorna: "
            f"{len(demo.doc['discrepancies'])} siffror stämmer inte, {consequences} av dem bara "
            f"som följd av ett annat fel; {len(demo.doc['rounding'])} skiljer sig bara genom "
            "avrundning") in text
    numbered = re.findall(r"(?m)^ ?(\d+)\. Tabell ", result.stdout)
    assert [int(n) for n in numbered] == list(range(1, len(demo.doc["causes"]) + 1))


def test_the_human_demo_shows_the_reports_notation(human):
    result, _ = human
    # kr with thousands separators, mkr with a decimal comma, a real minus.
    assert re.search(r"IT-Arbetsplats +132 267 972 +134 108 837 +1 840 865", result.stdout)
    assert re.search(r"HR +138,6 +132,2 +−6,5", result.stdout)
    assert "132267972" not in result.stdout and "138.6" not in result.stdout


def test_the_english_demo_says_the_same_in_english(tmp_path):
    result = invoke("demo", "--out", str(tmp_path / "d.db"), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert re.search(r"\d+ errors in the published figures: \d+ figures do not add up", text)
    assert ("Table 1.2, Summa bastjänster, forecast: printed 253 243 988 kr; from the sum of "
            "its printed rows: 253 246 987 (difference -2 999 kr)") in text
    assert "fel i de publicerade" not in text


def test_the_human_demo_suggests_commands_that_work_on_the_demo_store(human):
    result, out = human
    text = " ".join(result.stdout.split())
    prefix = f"prognos --store {out} "
    parts = text.split(prefix)[1:]
    commands = [p.split(" prognos ")[0].split() for p in parts]
    verbs = [c[0] for c in commands]
    assert {"report", "history", "why"} <= set(verbs), commands
    for command in commands:
        ran = invoke("--store", str(out), *command)
        assert ran.exit_code == 0, (command, ran.stdout, ran.stderr)


def test_the_human_demo_shows_the_known_discrepancy_in_full(human):
    result, _ = human
    text = " ".join(result.stdout.split())
    assert ("Tabell 1.2, Summa bastjänster, prognos: tryckt 253 243 988 kr; summan av "
            "tabellens tryckta rader ger 253 246 987 (skillnad −2 999 kr). Trolig orsak: en "
            "tryckt summa som inte är summan av sina tryckta rader.") in text


# ---------------------------------------------------------------------------
# Causes and the publisher's rounding in the seed report
# ---------------------------------------------------------------------------


def cause_of(doc: dict[str, Any], table: str, row: str, column: str) -> dict[str, Any]:
    [cause] = [c for c in doc["causes"] if (c["table"], c["row"], c["column"]) == (table, row,
                                                                                    column)]
    return cause


def test_every_discrepancy_is_in_exactly_one_cause(demo):
    grouped = [f for c in demo.doc["causes"] for f in c["findings"] + c["consequences"]]
    assert sorted(map(repr, grouped)) == sorted(map(repr, demo.doc["discrepancies"]))
    sizes = [Decimal(c["size_kr"]) for c in demo.doc["causes"]]
    assert sizes == sorted(sizes, reverse=True)  # largest first, in kronor


def test_summa_bastjanster_forecast_is_a_cause_with_its_consequences(demo):
    cause = cause_of(demo.doc, "1.2", "Summa bastjänster", "forecast")
    assert cause["cause"] == "total_not_sum_of_rows" and Decimal(cause["size_kr"]) == 2999
    assert [(f["printed"], f["computed"]) for f in cause["findings"]] == [
        ("253243988", "253246987")]
    # Its deviation is its own forecast minus budget, and the grand total adds it: both
    # wrong only because it is.
    assert {(f["row"], f["column"]) for f in cause["consequences"]} == {
        ("Summa bastjänster", "forecast_deviation"),
        ("Summa bastjänster och digital infrastruktur", "forecast"),
        ("Summa bastjänster och digital infrastruktur", "forecast_deviation"),
    }
    cells = {(c["table"], c["row"], c["column"]) for c in demo.doc["causes"]}
    assert ("1.2", "Summa bastjänster och digital infrastruktur", "forecast") not in cells


def test_the_lost_sign_on_formansportal_is_a_cause(demo):
    cause = cause_of(demo.doc, "1.4", "Upphandling IT-stöd för förmånsportal",
                     "actual_deviation")
    assert cause["cause"] == "sign_lost" and cause["consequences"] == []


def test_hrs_deviation_printed_as_its_columns_give_is_rounding(demo):
    # Table 1.1 prints HR's deviation −6,4 = 132,2 − 138,6, though 1.2's kronor give
    # −6,458834: the publisher's rounding, not a discrepancy.
    [f] = [f for f in findings(demo.doc)
           if (f["table"], f["row"], f["column"]) == ("1.1", "HR", "forecast_deviation")]
    assert f in demo.doc["rounding"]
    assert (f["printed"], Decimal(f["computed"])) == ("-6.4", Decimal("-6.458834"))


def test_a_printed_total_that_is_the_sum_of_its_printed_rows_is_rounding_against_a_finer_table(
        demo):
    # The publisher's rounding holds for totals too: 1.1's Summa adds 1.1's printed rows.
    summa = [f for f in findings(demo.doc) if (f["table"], f["row"]) == ("1.1", "Summa")]
    assert summa and all(f in demo.doc["rounding"] for f in summa)


@pytest.mark.parametrize("columns", [80, 100])
def test_the_human_demo_at_80_and_100_columns_cuts_no_figure_or_header(demo, tmp_path, columns):
    from prognos.cli.texts import texts

    sv = texts("sv")
    result = invoke("demo", "--out", str(tmp_path / "d.db"), env={"COLUMNS": str(columns)})
    out = result.stdout
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "…" not in out
    findings_part, tables_part = out.split("Tabellerna återskapade ur liggaren")
    # Every cause's printed figure with its unit on one line, never broken.
    for cause in demo.doc["causes"]:
        unit = {"1.1": "mkr", "1.2": "kr", "1.3": "mkr", "1.4": "tkr"}[cause["table"]]
        assert f"{sv.figure(Decimal(cause['printed']))} {unit}" in findings_part, cause
    # Every reproduced figure in the report's notation, and the Swedish headers.
    for table in demo.doc["tables"].values():
        for row in table["rows"]:
            for column in table["columns"]:
                assert sv.figure(Decimal(row[column])) in tables_part, (row, column)
    for header in ("Budget", "Prognos", "Avvikelse", "t.o.m.", "Utfall"):
        assert header in tables_part


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_a_suggested_command_is_continued_not_wrapped(width):
    from prognos.cli.demo import shell_lines

    command = ("prognos --store prognos-demo.db why bastjanster --year 2024 --from 2024-01 "
               "--to 2024-05")
    shown = shell_lines(command, width)
    assert all(len(line) <= width for line in shown.splitlines())
    assert " ".join(shown.replace(" \\\n", " ").split()) == command  # pastes as one command
    assert (shown.count("\n") == 0) == (len(command) + 2 <= width)

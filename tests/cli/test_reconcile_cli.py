"""`prognos reconcile SPEC`: a published report's tables audited from the command line.

A small report of two tables: 1.2 lists services in kronor with printed Summa
rows, 1.1 the same money per area in mkr to one decimal, tied to 1.2 by a mapping
file. Exit 1 when any printed figure is a real discrepancy, 0 when the figures
differ only by rounding; `--json` prints `{"discrepancies": [...], "rounding": [...]}`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

FINDING_KEYS = {"table", "row", "column", "printed", "computed", "difference", "rule"}

SERVICES = """sektion,tjänst,budget_kr,prognos_kr,avvikelse_kr
bas,Tjänst x,1 230 000,1 250 000,20 000
bas,Tjänst y,20 000,30 000,10 000
di,Tjänst z,5 000 000,4 900 000,-100 000
"""
SERVICE_TOTALS = """sektion,summa_label,budget_kr,prognos_kr,avvikelse_kr
bas,Summa bas,1 250 000,{summa_bas_prognos},30 000
di,Summa di,5 000 000,4 900 000,-100 000
alla,Summa alla,6 250 000,6 180 000,-70 000
"""
AREAS = """Tjänsteområde,budget_mkr,prognos_mkr,avvikelse_mkr
Område A,"1,3","1,3","0,0"
Område B,"5,0","4,9","-0,1"
Summa,"6,3","6,2","-0,1"
"""
MAPPING = """row,area
Tjänst x,Område A
Tjänst y,Område A
Tjänst z,Område B
"""
SPEC = """
[[tables]]
id = "1.1"
file = "areas.csv"
unit = "mkr"
precision = "0.1"
label = "Tjänsteområde"
columns = ["budget_mkr", "prognos_mkr", "avvikelse_mkr"]
names = { budget_mkr = "budget", prognos_mkr = "forecast", avvikelse_mkr = "forecast_deviation" }
deviations = ["avvikelse_mkr = prognos_mkr - budget_mkr"]

[[tables]]
id = "1.2"
file = "services.csv"
totals_file = "service_totals.csv"
unit = "kr"
precision = "1"
label = "tjänst"
total_label = "summa_label"
group = "sektion"
columns = ["budget_kr", "prognos_kr", "avvikelse_kr"]
names = { budget_kr = "budget", prognos_kr = "forecast", avvikelse_kr = "forecast_deviation" }
deviations = ["avvikelse_kr = prognos_kr - budget_kr"]

[[cross]]
coarse = "1.1"
fine = "1.2"
columns = { budget = "budget", forecast = "forecast", forecast_deviation = "forecast_deviation" }
cover = { Summa = "*" }
mapping = { file = "mapping.csv", row = "row", to = "area" }
"""


def write_report(folder: Path, summa_bas_prognos: str = "1 280 000", fmt: str = "toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "services.csv").write_text(SERVICES, encoding="utf-8")
    (folder / "service_totals.csv").write_text(
        SERVICE_TOTALS.format(summa_bas_prognos=summa_bas_prognos), encoding="utf-8"
    )
    (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
    (folder / "mapping.csv").write_text(MAPPING, encoding="utf-8")
    if fmt == "toml":
        spec = folder / "spec.toml"
        spec.write_text(SPEC, encoding="utf-8")
    else:
        import tomllib

        spec = folder / "spec.json"
        spec.write_text(json.dumps(tomllib.loads(SPEC), ensure_ascii=False), encoding="utf-8")
    return spec


def run_json(cli: Any, spec: Path) -> tuple[int, dict[str, Any]]:
    result = cli("reconcile", str(spec), "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert set(doc) == {"discrepancies", "rounding", "causes"}
    for f in doc["discrepancies"] + doc["rounding"]:
        assert set(f) == FINDING_KEYS
        assert Decimal(f["difference"]) == Decimal(f["printed"]) - Decimal(f["computed"])
    return result.exit_code, doc


def keyed(findings: list[dict[str, str]]) -> dict[tuple[str, str, str, str], dict[str, str]]:
    return {(f["table"], f["row"], f["column"], f["rule"]): f for f in findings}


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_a_typo_in_a_printed_total_is_a_discrepancy_and_exits_1(cli, tmp_path, fmt):
    spec = write_report(tmp_path / "rapport", summa_bas_prognos="1 283 000", fmt=fmt)
    code, doc = run_json(cli, spec)
    assert code == 1
    found = keyed(doc["discrepancies"])
    assert found["1.2", "Summa bas", "forecast", "total"] == {
        "table": "1.2", "row": "Summa bas", "column": "forecast", "printed": "1283000",
        "computed": "1280000", "difference": "3000", "rule": "total",
    }
    # Its own deviation no longer follows from its printed columns either.
    assert found["1.2", "Summa bas", "forecast_deviation", "row_deviation"]["computed"] == "33000"
    # The grand total is off the printed subtotals, but right against the rows.
    assert found["1.2", "Summa alla", "forecast", "total_of_totals"]["difference"] == "-3000"
    assert ("1.2", "Summa alla", "forecast", "total") not in found


def test_figures_that_differ_only_by_rounding_exit_0(cli, tmp_path):
    spec = write_report(tmp_path / "rapport")
    code, doc = run_json(cli, spec)
    assert code == 0
    assert doc["discrepancies"] == []
    rounding = keyed(doc["rounding"])
    # 1.25 mkr printed as 1,3; 1.28 as 1,3; 0.03 as 0,0 -- against the mapped kronor rows.
    assert rounding["1.1", "Område A", "budget", "cross_table"] == {
        "table": "1.1", "row": "Område A", "column": "budget", "printed": "1.3",
        "computed": "1.250000", "difference": "0.050000", "rule": "cross_table",
    }
    assert rounding["1.1", "Område A", "forecast_deviation", "cross_table"]["printed"] == "0.0"
    assert Decimal(rounding["1.1", "Summa", "forecast_deviation", "cross_table"]["computed"]) == (
        Decimal("-0.07")
    )
    assert rounding["1.1", "Summa", "forecast_deviation", "cross_table"]["printed"] == "-0.1"
    assert {f["rule"] for f in doc["rounding"]} == {"cross_table"}
    assert not any(f["row"] == "Område B" for f in doc["rounding"])  # exact


FIGURE = r"[−-]?\d{1,3}(?: \d{3})*(?:,\d+)?"
SENTENCE = re.compile(
    rf"Tabell (?P<table>\S+), (?P<row>.+?), (?P<column>[^:,]+): tryckt (?P<printed>{FIGURE}) "
    rf"(?:kr|tkr|mkr); (?P<gives>.+?)\. (?:Trolig orsak|Orsaken syns inte)"
    rf"|Tabell (?P<table2>\S+), (?P<row2>.+?), (?P<column2>[^:,]+): tryckt "
    rf"(?P<printed2>{FIGURE}) (?:kr|tkr|mkr); (?P<gives2>.+?)\)(?= –| Avrundning|$)"
)
GIVES = re.compile(rf"ger (?P<computed>{FIGURE}) \(skillnad (?P<difference>{FIGURE})")


def swedish(figure: str) -> Decimal:
    return Decimal(figure.replace(" ", "").replace(",", ".").replace("−", "-"))


def sentences(stdout: str) -> dict[tuple[str, str, str, Decimal], set[tuple[Decimal, Decimal]]]:
    """Every figure a finding's sentence names, as (table, row, column, printed) with what
    the sentence says the figures give and the difference."""
    flat = " ".join(stdout.split())
    said: dict[tuple[str, str, str, Decimal], set[tuple[Decimal, Decimal]]] = {}
    for m in SENTENCE.finditer(flat):
        table, row, column, printed, gives = (
            m[k] or m[f"{k}2"] for k in ("table", "row", "column", "printed", "gives"))
        said[table, row, column, swedish(printed)] = {
            (swedish(g["computed"]), swedish(g["difference"])) for g in GIVES.finditer(gives)}
    return said


def rounding_rows(stdout: str) -> set[tuple[str, Decimal, Decimal, Decimal]]:
    """The rounding table's rows as (table and label, printed, computed, difference), cut
    at the right edges of the figures' headers (the figures are right-aligned)."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "Tryckt" in line and "Skillnad" in line)
    ends = [lines[header].index(h) + len(h) for h in ("Tryckt", "Beräknat", "Skillnad")]
    starts = [lines[header].index("Rad, kolumn"), *ends[:2]]
    rows = set()
    for line in lines[header + 1:]:
        if not line.strip():
            break
        label = line[:ends[0] - len("Tryckt")].strip()
        cells = [line[a:b].strip() for a, b in zip([starts[0], *ends[:2]], ends)]
        figures = [swedish(c.split("  ")[-1].strip()) for c in cells]
        rows.add((" ".join(label.split()), *figures))
    return rows


@pytest.mark.parametrize("typo, code", [("1 283 000", 1), ("1 280 000", 0)],
                         ids=["discrepancy", "rounding-only"])
def test_the_human_output_counts_causes_and_exits_the_same(cli, tmp_path, typo, code):
    spec = write_report(tmp_path / "rapport", summa_bas_prognos=typo)
    _, doc = run_json(cli, spec)
    result = cli("reconcile", str(spec))
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr == ""
    text = " ".join(result.stdout.split())
    if code:
        counts = re.search(r"(\d+) fel i de publicerade siffrorna: (\d+) siffror stämmer inte, "
                           r"(\d+) av dem bara som följd av ett annat fel; (\d+) skiljer sig "
                           r"bara genom avrundning", text)
        assert counts, text
        consequences = sum(len(c["consequences"]) for c in doc["causes"])
        assert [int(n) for n in counts.groups()] == [
            len(doc["causes"]), len(doc["discrepancies"]), consequences, len(doc["rounding"])]
    else:
        assert f"Inga fel i de publicerade siffrorna: {len(doc['rounding'])} skiljer sig" in text
        assert doc["causes"] == []


def test_the_human_output_names_every_figure_in_swedish_notation(cli, tmp_path):
    spec = write_report(tmp_path / "rapport", summa_bas_prognos="1 283 000")
    _, doc = run_json(cli, spec)
    result = cli("reconcile", str(spec), env={"COLUMNS": "200"})
    said = sentences(result.stdout)
    names = {"budget": "budget", "forecast": "prognos", "forecast_deviation": "avvikelse prognos"}
    for f in doc["discrepancies"]:
        key = (f["table"], f["row"], names.get(f["column"], f["column"]),
               Decimal(f["printed"]))
        assert key in said, (f, said)
        assert (Decimal(f["computed"]), Decimal(f["difference"])) in said[key], (f, said)
    assert len(said) == len(doc["discrepancies"])  # each figure once, cause or consequence
    rows = rounding_rows(result.stdout)
    for f in doc["rounding"]:
        label = f"{f['table']} " + ("mkr" if f["table"] == "1.1" else "kr")
        label += f" {f['row']}, {names.get(f['column'], f['column'])}"
        assert (label, Decimal(f["printed"]), Decimal(f["computed"]),
                Decimal(f["difference"])) in rows, (f, rows)
    assert len(rows) == len(doc["rounding"])


def test_the_consequences_are_listed_under_their_cause(cli, tmp_path):
    spec = write_report(tmp_path / "rapport", summa_bas_prognos="1 283 000")
    code, doc = run_json(cli, spec)
    assert code == 1
    [cause] = doc["causes"]
    assert (cause["table"], cause["row"], cause["column"]) == ("1.2", "Summa bas", "forecast")
    assert cause["cause"] == "total_not_sum_of_rows"
    assert Decimal(cause["size_kr"]) == 3000
    # Its own deviation and the grand total follow from it; they stay discrepancies.
    assert {(f["row"], f["column"], f["rule"]) for f in cause["consequences"]} == {
        ("Summa bas", "forecast_deviation", "row_deviation"),
        ("Summa alla", "forecast", "total_of_totals"),
    }
    result = cli("reconcile", str(spec), env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("1. Tabell 1.2, Summa bas,"))
    assert lines[at + 1].strip() == "Följer av felet:"
    assert lines[at + 2].lstrip().startswith("– Tabell 1.2, Summa")
    assert lines[at + 3].lstrip().startswith("– Tabell 1.2, Summa")


def test_reconcile_touches_no_store(cli, tmp_path):
    spec = write_report(tmp_path / "rapport")
    assert cli("reconcile", str(spec), "--json").exit_code == 0
    assert not Path(cli.store_path).exists()


def test_a_spec_naming_a_missing_column_is_a_usage_error(cli, tmp_path):
    spec = write_report(tmp_path / "rapport")
    spec.write_text(SPEC.replace('"avvikelse_kr"]', '"avvikelse"]'), encoding="utf-8")
    result = cli("reconcile", str(spec), "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert "avvikelse" in result.stderr


def test_a_missing_spec_is_a_usage_error(cli, tmp_path):
    result = cli("reconcile", str(tmp_path / "saknas.toml"))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "saknas.toml" in result.stderr


def test_one_csv_table_can_be_reconciled_from_options_alone(cli, tmp_path):
    (tmp_path / "t.csv").write_text(
        "tjänst,budget,prognos,avvikelse\na,100,110,10\nb,200,190,-10\nSumma,300,310,0\n",
        encoding="utf-8",
    )
    args = ["reconcile", str(tmp_path / "t.csv"), "--unit", "kr", "--precision", "1",
            "--deviation", "avvikelse = prognos - budget", "--json"]
    result = cli(*args)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["discrepancies"]
    # Summa prognos is 310 but its rows add to 300; its deviation 0 is not 310 - 300.
    assert {(f["row"], f["column"], f["rule"]) for f in found} == {
        ("Summa", "prognos", "total"),
        ("Summa", "avvikelse", "row_deviation"),
    }


def test_a_csv_table_without_unit_and_precision_is_a_usage_error(cli, tmp_path):
    (tmp_path / "t.csv").write_text("a,b\nx,1\n", encoding="utf-8")
    result = cli("reconcile", str(tmp_path / "t.csv"))
    assert result.exit_code == 2
    assert "--unit" in result.stderr


# ---------------------------------------------------------------------------
# Found by a review: layouts real reports use, and specs with a slip in them
# ---------------------------------------------------------------------------


def _reconcile_csv(cli: Any, folder: Path, rows: str, totals: str | None = None,
                   *options: str) -> tuple[int, dict[str, Any]]:
    (folder / "t.csv").write_text(rows, encoding="utf-8")
    args = ["reconcile", str(folder / "t.csv"), "--unit", "kr", "--precision", "1", "--json"]
    if totals is not None:
        (folder / "tt.csv").write_text(totals, encoding="utf-8")
        args += ["--totals", str(folder / "tt.csv"), "--label-col", "namn",
                 "--group-col", "grp", "--total-label-col", "lbl"]
    result = cli(*args, *options)
    assert result.stderr == "", result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_every_sections_subtotal_may_have_the_same_label(cli, tmp_path):
    """Each section's subtotal reads "Summa": the grand total is checked against both."""
    code, doc = _reconcile_csv(
        cli, tmp_path, "grp,namn,a\nA,x,10\nA,y,20\nB,x,100\nB,y,200\n",
        "grp,lbl,a\nA,Summa,30\nB,Summa,300\nALL,Totalt,330\n",
    )
    assert (code, doc) == (0, {"discrepancies": [], "rounding": [], "causes": []})
    code, doc = _reconcile_csv(
        cli, tmp_path, "grp,namn,a\nA,x,10\nA,y,20\nB,x,100\nB,y,200\n",
        "grp,lbl,a\nA,Summa,30\nB,Summa,300\nALL,Totalt,340\n",
    )
    assert code == 1
    assert {(f["row"], f["computed"], f["rule"]) for f in doc["discrepancies"]} == {
        ("Totalt", "330", "total_of_totals"), ("Totalt", "330", "total"),
    }


def test_a_grand_total_counts_the_rows_of_a_group_without_a_subtotal(cli, tmp_path):
    code, doc = _reconcile_csv(cli, tmp_path, "grp,namn,a\nA,x,1\nA,y,2\nB,z,3\n",
                               "grp,lbl,a\nA,Summa A,3\nALL,Totalt,6\n")
    assert (code, doc) == (0, {"discrepancies": [], "rounding": [], "causes": []})


def test_a_dash_is_a_printed_zero_and_still_checked(cli, tmp_path):
    code, doc = _reconcile_csv(cli, tmp_path, "namn;a;b\nx;-;5\ny;3;3\nSumma;10;8\n")
    assert code == 1
    [found] = doc["discrepancies"]
    assert (found["row"], found["column"], found["printed"], found["computed"]) == (
        "Summa", "a", "10", "3")


def _cross_spec(folder: Path, fine: str, coarse: str, coarse_unit: str, coarse_precision: str,
                cover: str) -> Path:
    """A coarse table `c` (All) over a fine one `f` in kronor, one column `a`."""
    (folder / "fine.csv").write_text(fine, encoding="utf-8")
    (folder / "coarse.csv").write_text(coarse, encoding="utf-8")
    spec = folder / "spec.toml"
    spec.write_text(
        f'[[tables]]\nid = "c"\nfile = "coarse.csv"\nunit = "{coarse_unit}"\n'
        f'precision = "{coarse_precision}"\n'
        '[[tables]]\nid = "f"\nfile = "fine.csv"\nunit = "kr"\nprecision = "1"\n'
        f'[[cross]]\ncoarse = "c"\nfine = "f"\ncolumns = {{ a = "a" }}\ncover = {{ All = {cover} }}\n',
        encoding="utf-8",
    )
    return spec


def test_cross_checks_count_rows_that_share_a_label(cli, tmp_path):
    spec = _cross_spec(tmp_path, "namn,a\nx,10\nx,20\ny,30\n", "namn,a\nAll,\"0,060\"\n",
                       "tkr", "0.001", '"*"')
    code, doc = run_json(cli, spec)
    assert (code, doc) == (0, {"discrepancies": [], "rounding": [], "causes": []})


def test_a_cover_naming_a_row_label_that_repeats_is_a_usage_error(cli, tmp_path):
    spec = _cross_spec(tmp_path, "namn,a\nx,10\nx,20\n", "namn,a\nAll,30\n", "kr", "1",
                       '["x"]')
    result = cli("reconcile", str(spec))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert "'x'" in result.stderr


@pytest.mark.parametrize("precision", ["nan", "sNaN", "inf", "0", "-1", "1e999999999", "x"])
def test_a_precision_that_is_not_a_positive_number_is_a_usage_error(cli, tmp_path, precision):
    (tmp_path / "t.csv").write_text("namn,a\nx,1\nSumma,4\n", encoding="utf-8")
    result = cli("reconcile", str(tmp_path / "t.csv"), "--unit", "kr", "--precision", precision)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and "precision" in result.stderr


@pytest.mark.parametrize("key, value", [("label", "tjanst"), ("group", "sektionen"),
                                        ("total_label", "summa")])
def test_a_misspelt_label_or_group_column_in_a_spec_is_a_usage_error(cli, tmp_path, key, value):
    spec = write_report(tmp_path / "rapport")
    text = spec.read_text(encoding="utf-8")
    original = {"label": 'label = "tjänst"', "group": 'group = "sektion"',
                "total_label": 'total_label = "summa_label"'}[key]
    spec.write_text(text.replace(original, f'{key} = "{value}"'), encoding="utf-8")
    result = cli("reconcile", str(spec))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and repr(value) in result.stderr


def test_a_spec_file_ending_in_upper_case_toml_is_read_as_toml(cli, tmp_path):
    spec = write_report(tmp_path / "rapport")
    upper = spec.with_name("SPEC.TOML")
    spec.rename(upper)
    code, _ = run_json(cli, upper)
    assert code == 0

"""`prognos export` (issue 12): the report as xlsx, CSV or JSON, read back with openpyxl and
`csv` (values, types, number formats, neutralised cells), never compared as bytes."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

Y = ("--year", "2024")
FIGURES = ("budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd",
           "actual_deviation")
# What a spreadsheet would run as a formula, in every kind of text the ledger holds.
EVIL_NAME = "=HYPERLINK(\"http://x\",\"klicka\")"
EVIL_REASON = "+1+1"
EVIL_NOTE = "@SUM(A1:A9)"
EVIL_REF = "-2+3"


@pytest.fixture
def city(tree: None, ok: Any) -> None:
    ok("line", "add", "evil", "--name", EVIL_NAME, "--parent", "skola")
    ok("budget", "set", "it-sak", "1 236 897", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "it-drift", "500 000,50", *Y, "--reason", EVIL_REASON)
    ok("budget", "set", "evil", "1000", *Y, "--reason", "Ny")
    ok("forecast", "set", "it-sak", "1 300 000", *Y, "--as-of", "2024-03", "--reason", "Licenser")
    ok("actual", "book", "it-drift", "-2 500", "--period", "2024-02", "--ref", EVIL_REF)
    ok("actual", "book", "it-sak", "100 000", "--period", "2024-03", "--ref", "V-1")
    ok("note", "add", "it-sak", EVIL_NOTE, *Y, "--period", "2024-03")
    ok("note", "add", "it", "Helåret ser bra ut", *Y, "--period", "2024-04")


def export(ok: Any, tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    result = ok("export", *Y, "--as-of", "2024-04", "-o", str(out), *extra)
    assert str(out) in result.stdout
    return out


def report(cli: Any, *extra: str) -> dict[str, Any]:
    return cli.json("report", *Y, "--as-of", "2024-04", *extra)


def test_xlsx_holds_the_report_as_numbers_in_kronor_shown_in_the_unit(
    city: None, ok: Any, cli: Any, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(export(ok, tmp_path, "r.xlsx", "--unit", "tkr"))
    assert book.sheetnames == ["Rapport", "Historik", "Kommentarer", "Om exporten"]
    sheet = book["Rapport"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Kod", "Namn", "Överordnad"]
    assert header[3] == "Budget, tkr" and header[7] == "Utfall t.o.m., tkr"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2) if r[0].value}
    doc = report(cli)
    assert list(rows) == [line["code"] for line in doc["lines"]]  # the report's order
    for line in doc["lines"]:
        cells = rows[line["code"]]
        assert cells[1].value == line["name"]
        assert cells[1].alignment.indent == line["depth"]  # the tree by indent, not spaces
        assert (cells[2].value or None) == line["parent"]
        assert cells[0].font.b == (not line["is_leaf"])  # roll-ups bold
        for cell, key in zip(cells[3:], FIGURES):
            assert cell.number_format == "#,##0.0,"  # 1 236 897 kr shows 1 236,9 tkr
            if cell.value is None:  # no data is not zero
                assert key.startswith("actual") and line["code"] in ("evil", "skola")
                continue
            assert isinstance(cell.value, (int, float)), (cell.value, key)
            assert Decimal(str(cell.value)) == Decimal(line[key]), (line["code"], key)
    assert rows["it-sak"][3].value == 1236897
    total = [r for r in sheet.iter_rows(min_row=2) if r[1].value == "Totalt"]
    assert len(total) == 1 and total[0][1].font.b
    assert Decimal(str(total[0][3].value)) == Decimal(doc["total"]["budget"])
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHI"]
    assert all(w and w >= 10 for w in widths)
    assert widths[1] >= len(EVIL_NAME)  # fitted to the longest name


@pytest.mark.parametrize("unit, number_format", [("kr", "#,##0"), ("mkr", "#,##0.0,,")])
def test_the_unit_is_only_a_number_format(
    city: None, ok: Any, tmp_path: Path, unit: str, number_format: str
) -> None:
    sheet = openpyxl.load_workbook(export(ok, tmp_path, f"{unit}.xlsx", "--unit", unit))[
        "Rapport"]
    [it_sak] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "it-sak"]
    assert (it_sak[3].value, it_sak[3].number_format) == (1236897, number_format)


def test_xlsx_history_notes_and_what_it_was_made_from(
    city: None, ok: Any, cli: Any, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(export(ok, tmp_path, "r.xlsx"))
    history = list(book["Historik"].iter_rows(values_only=True))
    assert history[0][0] == "Position" and history[0][-1] == "Händelse-id"
    events = [e for root in ("it", "skola")
              for e in cli.json("history", root, *Y)["events"]]
    assert sorted(r[-1] for r in history[1:]) == sorted(e["event_id"] for e in events)
    by_id = {r[-1]: r for r in history[1:]}
    for e in events:
        row = by_id[e["event_id"]]
        assert row[0] == e["position"] and row[2] == e["user"] and row[4] == e["line"]
        assert row[1].isoformat()[:19] == e["recorded_at"][:19]  # a real time, UTC
        if e["amount"] is not None:
            assert Decimal(str(row[6])) == Decimal(e["amount"])
    notes = list(book["Kommentarer"].iter_rows(values_only=True))
    assert [n[3] for n in notes[1:]] == [EVIL_NOTE, "Helåret ser bra ut"][::-1] or {
        n[3] for n in notes[1:]} == {EVIL_NOTE, "Helåret ser bra ut"}
    about = dict(book["Om exporten"].iter_rows(min_row=2, values_only=True))
    assert about["År"] == 2024 and about["Per månad"] == "2024-04"
    head = cli.json("check")["head"]  # the head check prints, as SEAL@POSITION
    assert about["Huvud (sigill@position)"] == head
    assert head.endswith(f"@{about['Huvudsigillets position']}")
    assert about["Rader"] == 5 and about["prognos-version"]


def test_no_text_becomes_a_formula_in_xlsx(city: None, ok: Any, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(ok, tmp_path, "r.xlsx"))
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.value)
                    if cell.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        assert cell.quotePrefix, (sheet.title, cell.value)
                        seen.append(cell.value)
                elif cell.value is not None:
                    assert cell.data_type in ("n", "d"), (sheet.title, cell.value)
    assert {EVIL_NAME, EVIL_REASON, EVIL_NOTE, EVIL_REF} <= set(seen)
    [drift] = [r for r in book["Historik"].iter_rows(values_only=True) if r[7] == EVIL_REF]
    assert drift[6] == -2500  # a negative amount stays a number


def test_csv_opens_in_swedish_excel(city: None, ok: Any, cli: Any, tmp_path: Path) -> None:
    out = export(ok, tmp_path, "r.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["Kod", "Namn", "Överordnad"]
    by_code = {r[0]: r for r in rows[1:] if r[0]}
    doc = report(cli)
    for line in doc["lines"]:
        row = by_code[line["code"] if line["code"] != "evil" else line["code"]]
        assert row[1] in (line["name"], "'" + line["name"])  # not indented
        assert row[2] == (line["parent"] or "")
        for text, key in zip(row[3:], FIGURES):
            if text == "":
                assert key.startswith("actual") and line["code"] in ("evil", "skola")
                continue
            assert " " not in text and "\u2212" not in text and "." not in text
            assert Decimal(text.replace(",", ".")) == Decimal(line[key])
    assert by_code["it-drift"][3] == "500000,50"
    assert by_code["it-drift"][7] == "-2500,00"  # an ASCII minus: a number to Excel
    assert by_code["evil"][1] == "'" + EVIL_NAME  # neutralised
    assert rows[-1][1] == "Totalt"


def test_csv_delimiter_decimal_and_unit_can_be_chosen(
    city: None, ok: Any, tmp_path: Path
) -> None:
    out = export(ok, tmp_path, "r.csv", "--delimiter", ",", "--decimal", ".", "--unit", "tkr")
    rows = {r[0]: r for r in csv.reader(out.read_text(encoding="utf-8-sig").splitlines())}
    assert rows["it-sak"][3] == "1236.897"  # exactly, in tkr
    assert rows["it-drift"][3] == "500.0005"


def test_json_is_the_report(city: None, ok: Any, cli: Any, tmp_path: Path) -> None:
    out = export(ok, tmp_path, "r.json")
    assert json.loads(out.read_text()) == report(cli)


def test_the_format_comes_from_the_suffix_or_format(
    city: None, ok: Any, tmp_path: Path
) -> None:
    out = export(ok, tmp_path, "rapport.txt", "--format", "csv")
    assert out.read_text(encoding="utf-8-sig").startswith("Kod;")
    out = export(ok, tmp_path, "RAPPORT.XLSX")
    assert openpyxl.load_workbook(out).sheetnames[0] == "Rapport"


def test_english_on_request(city: None, ok: Any, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(ok, tmp_path, "r.xlsx", "--lang", "en"))
    assert book.sheetnames == ["Report", "History", "Notes", "About"]
    assert [c.value for c in book["Report"][1]][:4] == ["Code", "Name", "Parent", "Budget, kr"]


def test_known_at_exports_the_ledger_as_it_was(city: None, ok: Any, cli: Any,
                                                tmp_path: Path) -> None:
    then = cli.json("history", "it-sak", *Y)["events"][0]["recorded_at"]
    out = export(ok, tmp_path, "then.json", "--known-at", then)
    assert json.loads(out.read_text()) == report(cli, "--known-at", then)
    book = openpyxl.load_workbook(export(ok, tmp_path, "then.xlsx", "--known-at", then))
    history = list(book["Historik"].iter_rows(min_row=2, values_only=True))
    known = {e["position"] for root in ("it", "skola")
             for e in cli.json("history", root, *Y)["events"] if e["recorded_at"] <= then}
    assert known and {r[0] for r in history} == known
    about = dict(book["Om exporten"].iter_rows(min_row=2, values_only=True))
    assert about["Liggaren så som den var känd"].startswith(then[:19])


@pytest.mark.parametrize("args, names", [
    (("-o", "r.pdf"), "r.pdf"),
    (("-o", "r"), ".xlsx"),
    (("-o", "r.csv", "--format", "xlsx"), "--format"),
    (("-o", "r.csv", "--delimiter", ",", "--decimal", ","), "--decimal"),
    (("-o", "r.csv", "--format", "pdf"), "--format"),
    (("-o", "r.csv", "--as-of", "2024-13"), "2024-13"),
])
def test_what_cannot_be_written_is_a_usage_error(
    city: None, cli: Any, tmp_path: Path, args: tuple[str, ...], names: str
) -> None:
    args = tuple(str(tmp_path / a) if a.startswith("r") else a for a in args)
    as_of = () if "--as-of" in args else ("--as-of", "2024-04")
    result = cli("export", *Y, *as_of, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert len(result.stderr.splitlines()) == 1 and names in result.stderr
    assert list(tmp_path.glob("r*")) == [] and list(tmp_path.glob(".r*")) == []


def test_a_month_outside_the_year_is_refused(city: None, cli: Any, tmp_path: Path) -> None:
    result = cli("export", *Y, "--as-of", "2023-04", "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "--as-of" in result.stderr
    assert list(tmp_path.glob("*r.csv*")) == []


@pytest.mark.sqlite_only
def test_an_export_needs_a_ledger_and_never_makes_one(cli: Any, tmp_path: Path) -> None:
    result = cli("export", *Y, "--as-of", "2024-04", "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1 and "init" in result.stderr
    assert not (tmp_path / "r.xlsx").exists() and not cli.store_path.exists()


def test_an_empty_ledger_exports_an_empty_report(ok: Any, tmp_path: Path) -> None:
    ok("init")
    for name in ("e.xlsx", "e.csv", "e.json"):
        export(ok, tmp_path, name)
    rows = list(openpyxl.load_workbook(tmp_path / "e.xlsx")["Rapport"].iter_rows(
        values_only=True))
    assert [r[1] for r in rows] == ["Namn", "Totalt"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "a=1", "", "x"])
def test_a_text_a_spreadsheet_would_run_is_neutralised_in_both(text: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    from prognos.cli.files.sheet import neutral
    from prognos.cli.files.xlsx import text_cell

    dangerous = text[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert neutral(text) == ("'" + text if dangerous else text)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append([text_cell(sheet, text)])
    book.save(tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")["s"]["A1"]
    # An empty text stays empty; XML reads a carriage return back as a line feed.
    assert cell.value == (text.replace("\r", "\n") or None)
    if text:
        assert cell.data_type == "s" and bool(cell.quotePrefix) == dangerous


def test_a_history_longer_than_a_sheet_goes_on_after_the_others(
    city: None, ok: Any, cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from prognos.cli.files import xlsx

    monkeypatch.setattr(xlsx, "SHEET_ROWS", 4)  # Excel's is 1 048 576
    book = openpyxl.load_workbook(export(ok, tmp_path, "r.xlsx"))
    names = book.sheetnames
    assert names[:4] == ["Rapport", "Historik", "Kommentarer", "Om exporten"]
    assert names[4:] == [f"Historik ({n})" for n in range(2, len(names) - 2)]
    rows = [r for name in ["Historik", *names[4:]]
            for r in list(book[name].iter_rows(values_only=True))[1:]]
    assert all(book[name].max_row <= 4 for name in ["Historik", *names[4:]])
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # in order, none lost
    about = dict(book["Om exporten"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == about["Händelser i historiken"] > 6

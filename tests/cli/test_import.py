"""`prognos import` and `prognos source` as finance staff use them (issue 3).

Budgets, forecasts and actuals come from CSV (any of the usual encodings and
delimiters) and xlsx files, in Swedish notation and units, with their columns
found by name, by option or by a mapping file. A file is recorded whole or not at
all, once, with every event citing the file's SHA-256 and row, and the exact
bytes can be had back from the store.

Fixtures `tree`, `ok`, `refused`, `usage_error`, `line_of` come from
tests/cli/conftest.py; the tree is::

    it          roll-up
      it-sak    leaf
      it-drift  leaf
    skola       leaf
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from backends import open_store


SUMMARY_KEYS = {
    "sha256", "rows", "events_recorded", "first_position", "last_position", "already_imported",
    "skipped_booked",
}


@pytest.fixture
def put(tmp_path: Path) -> Callable[..., Path]:
    """Write a file into the test's folder: text in an encoding, or raw bytes."""

    def run(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return run


@pytest.fixture
def imp(cli: Any) -> Callable[..., dict[str, Any]]:
    """`prognos import ... --json` that must succeed; returns the summary."""

    def run(*args: Any) -> dict[str, Any]:
        result = cli("import", *map(str, args), "--json")
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        assert result.stderr == ""
        summary = json.loads(result.stdout)
        assert set(summary) == SUMMARY_KEYS
        return summary

    return run


def events_of(cli: Any, code: str, kind: str | None = None) -> list[dict[str, Any]]:
    events = cli.json("history", code)["events"]
    return [e for e in events if kind is None or e["kind"] == kind]


def amounts(cli: Any, code: str, kind: str) -> list[Decimal]:
    return [Decimal(e["amount"]) for e in events_of(cli, code, kind)]


def max_position(cli: Any) -> int:
    store = open_store(cli.store_path)
    try:
        return store.max_position()
    finally:
        store.close()


def fig(line: dict[str, Any], field: str) -> Decimal:
    return Decimal(line[field])


# ---------------------------------------------------------------------------
# The three kinds, and the ways to say which one a file holds
# ---------------------------------------------------------------------------


def test_a_budget_file_sets_each_lines_budget(tree, put, imp, line_of):
    path = put("budget.csv", "code;amount\nit-sak;1 236 897\nit-drift;51,3 tkr\nskola;- 4,2\n")
    summary = imp(path, "--kind", "budget", "--year", "2024")
    assert summary["rows"] == 3 and summary["already_imported"] is False
    assert fig(line_of("it-sak", "2024-12"), "budget") == Decimal("1236897")
    assert fig(line_of("it-drift", "2024-12"), "budget") == Decimal("51300")
    assert fig(line_of("skola", "2024-12"), "budget") == Decimal("-4.2")
    # Effective from January, the default of a budget: one twelfth to date in January.
    assert fig(line_of("it-sak", "2024-01"), "budget_ytd") == Decimal("103074.75")


@pytest.mark.parametrize(
    "form",
    [
        ("budget", "{f}"),
        ("{f}", "budget"),
        ("{f}", "--kind", "budget"),
        ("{f}", "--type", "budget"),
        ("budgets", "{f}"),
    ],
    ids=["kind-first", "kind-last", "--kind", "--type", "plural"],
)
def test_the_kind_is_an_option_or_a_word_before_or_after_the_file(tree, put, imp, line_of, form):
    path = put("b.csv", "code;amount\nskola;500\n")
    imp(*(str(path) if a == "{f}" else a for a in form), "--year", "2024")
    assert fig(line_of("skola", "2024-12"), "budget") == Decimal(500)


def test_the_kind_may_be_given_both_as_a_word_and_in_the_mapping_file(tree, put, imp, line_of):
    """As the README shows: `import budget b.csv --mapping m.toml` with `kind` in m.toml."""
    mapping = put("m.toml", 'kind = "budget"\nyear = 2024\n')
    imp("budget", put("b.csv", "code;amount\nskola;500\n"), "--mapping", mapping)
    assert fig(line_of("skola", "2024-12"), "budget") == Decimal(500)


def test_two_different_kinds_are_a_usage_error(tree, put, usage_error):
    mapping = put("m.toml", 'kind = "budget"\nyear = 2024\n')
    usage_error("import", "forecast", str(put("b.csv", "code;amount\nskola;5\n")),
                "--mapping", str(mapping), "--as-of", "2024-05",
                names=["two kinds", "budget", "forecast"])


def test_a_budget_file_with_an_effective_month(tree, put, imp, line_of):
    imp(put("b.csv", "code;amount\nskola;1200\n"), "budget", "--year", "2024",
        "--effective", "2024-07")
    assert fig(line_of("skola", "2024-06"), "budget") == 0
    assert fig(line_of("skola", "2024-07"), "budget") == Decimal(1200)


def test_a_forecast_file_revises_the_forecast_as_of_its_month(cli, tree, put, imp, line_of):
    imp(put("b.csv", "code;amount\nit-sak;1000\n"), "budget", "--year", "2024")
    imp(put("f.csv", "code;prognos\nit-sak;1 250\n"), "forecast", "--year", "2024",
        "--as-of", "2024-05")
    may, april = line_of("it-sak", "2024-05"), line_of("it-sak", "2024-04")
    assert fig(may, "forecast") == Decimal(1250) and may["forecast_revised"] is True
    assert fig(april, "forecast") == Decimal(1000) and april["forecast_revised"] is False
    [event] = events_of(cli, "it-sak", "forecast_revised")
    assert event["as_of"] == "2024-05" and event["year"] == 2024


def test_an_actual_file_books_each_row_in_its_period(cli, tree, put, imp, line_of):
    imp(put("a.csv", "code;amount\nit-sak;1 500\nit-sak;-200\nit-drift;75,50\n"),
        "actual", "--period", "2024-03")
    assert fig(line_of("it-sak", "2024-02"), "actual_ytd") == 0
    assert fig(line_of("it-sak", "2024-03"), "actual_ytd") == Decimal(1300)
    assert fig(line_of("it-drift", "2024-03"), "actual_ytd") == Decimal("75.50")
    assert [e["period"] for e in events_of(cli, "it", "actual_booked")] == ["2024-03"] * 3


def test_an_actual_file_with_a_month_and_a_reference_column(cli, tree, put, imp, line_of):
    imp(put("a.csv", "code;amount;month;ref\nit-sak;100;2024-01;V1\nit-sak;250;2024-04;V2\n"),
        "actual", "--year", "2024")
    bookings = events_of(cli, "it-sak", "actual_booked")
    assert [(e["period"], e["ref"], Decimal(e["amount"])) for e in bookings] == [
        ("2024-01", "V1", Decimal(100)), ("2024-04", "V2", Decimal(250))
    ]
    assert fig(line_of("it-sak", "2024-03"), "actual_ytd") == Decimal(100)
    assert fig(line_of("it-sak", "2024-04"), "actual_ytd") == Decimal(350)


def test_a_zero_actual_is_no_booking(cli, tree, put, imp):
    imp(put("a.csv", "code;amount\nit-sak;0\nit-drift;10\n"), "actual", "--period", "2024-02")
    assert events_of(cli, "it-sak", "actual_booked") == []
    assert amounts(cli, "it-drift", "actual_booked") == [Decimal(10)]


# ---------------------------------------------------------------------------
# Columns: guessed, given by option, or by a mapping file
# ---------------------------------------------------------------------------

EXPORT = (
    "Konto nr;Benämning;Belopp (kr);Bokföringsmånad;Verifikation\n"
    "it-sak;Informationssäkerhet;1 200;2024-02;A-17\n"
    "skola;Skola;- 300,25;2024-03;A-18\n"
)
COLUMN_OPTIONS = {
    "line": "Konto nr", "amount": "Belopp (kr)", "name": "Benämning",
    "month": "Bokföringsmånad", "ref": "Verifikation",
}


def _check_export_booked(cli: Any) -> None:
    [sak] = events_of(cli, "it-sak", "actual_booked")
    [skola] = events_of(cli, "skola", "actual_booked")
    assert (Decimal(sak["amount"]), sak["period"], sak["ref"]) == (Decimal(1200), "2024-02", "A-17")
    assert (Decimal(skola["amount"]), skola["period"], skola["ref"]) == (
        Decimal("-300.25"), "2024-03", "A-18"
    )


def test_column_options_name_the_columns(cli, tree, put, imp):
    path = put("export.csv", EXPORT)
    args = [a for role, header in COLUMN_OPTIONS.items() for a in (f"--{role}-col", header)]
    imp(path, "actual", "--year", "2024", *args)
    _check_export_booked(cli)


def test_a_column_option_naming_no_column_is_a_usage_error(tree, put, usage_error):
    path = put("export.csv", EXPORT)
    usage_error("import", str(path), "actual", "--period", "2024-02", "--line-col", "Konto nr",
                "--amount-col", "Saknas", names=["export.csv", "Saknas"])


def test_without_column_options_an_unguessable_header_is_a_usage_error(tree, put, usage_error):
    usage_error("import", str(put("export.csv", EXPORT)), "actual", "--period", "2024-02",
                names=["export.csv", "--line-col"])


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_a_mapping_file_gives_the_same_options(cli, tree, put, imp, fmt):
    path = put("export.csv", EXPORT)
    if fmt == "json":
        mapping = put("mapping.json", json.dumps(
            {"kind": "actual", "year": 2024, "columns": COLUMN_OPTIONS}, ensure_ascii=False
        ))
    else:
        body = "\n".join(f'{role} = "{header}"' for role, header in COLUMN_OPTIONS.items())
        mapping = put("mapping.toml", f'kind = "actual"\nyear = 2024\n\n[columns]\n{body}\n')
    imp(path, "--mapping", mapping)
    _check_export_booked(cli)


def test_a_mapping_file_with_option_keys_and_a_unit(cli, tree, put, imp):
    path = put("tkr.csv", "Konto;Tkr\nit-sak;2 016\nskola;51,3\n")
    mapping = put("m.toml", 'kind = "budget"\nyear = 2024\nunit = "tkr"\n'
                            'line-col = "Konto"\namount_col = "Tkr"\n')
    imp(path, "--mapping", mapping)
    assert amounts(cli, "it-sak", "budget_set") == [Decimal(2016000)]
    assert amounts(cli, "skola", "budget_set") == [Decimal(51300)]


def test_options_on_the_command_line_win_over_the_mapping_file(cli, tree, put, imp):
    path = put("b.csv", "code;amount\nskola;7\n")
    mapping = put("m.json", '{"kind": "budget", "year": 2024, "unit": "mkr"}')
    imp(path, "--mapping", mapping, "--unit", "tkr")
    assert amounts(cli, "skola", "budget_set") == [Decimal(7000)]


@pytest.mark.parametrize(
    "kind, header, options, expected",
    [
        ("forecast", "code;budget;prognos", ("--as-of", "2024-05"), 1200),
        ("forecast", "code;belopp;forecast", ("--as-of", "2024-05"), 1200),
        ("actual", "konto;budget;utfall", ("--period", "2024-03"), 1200),
        ("budget", "code;prognos;budget", (), 1200),
    ],
    ids=["forecast-prognos", "forecast-over-belopp", "actual-utfall", "budget"],
)
def test_the_amount_column_guessed_is_the_kinds_own(cli, tree, put, imp, kind, header, options,
                                                    expected):
    """A file with a budget and a forecast column: a forecast import takes the forecast."""
    imp(put("f.csv", f"{header}\nskola;1000;1200\n"), kind, "--year", "2024", *options)
    event = {"forecast": "forecast_revised", "actual": "actual_booked", "budget": "budget_set"}
    assert amounts(cli, "skola", event[kind]) == [Decimal(expected)]


def test_a_column_named_for_another_kind_is_never_the_amount(tree, put, usage_error):
    usage_error("import", str(put("b.csv", "code;budget\nskola;1000\n")), "forecast",
                "--year", "2024", "--as-of", "2024-05", names=["b.csv", "--amount-col"])


@pytest.mark.parametrize(
    "mapping, names",
    [
        ('{"kind": "budget", "year": 2024, "columns": {"line": "code", "ammount": "rev"}}',
         ["ammount"]),
        ('{"kind": "budget", "year": 2024, "amount-column": "rev"}', ["amount-column"]),
        ('{"kind": "budget", "year": 2024, "reason": 5}', ["reason"]),
        ('{"kind": "budget", "year": 2024, "delimiter": 5}', ["delimiter"]),
        ('{"kind": "budget", "year": 2024, "effective": 202403}', ["effective"]),
        ('{"kind": "budget", "year": 2024, "columns": ["code"]}', ["columns"]),
        ('{"kind": "budget", "year": true}', ["year"]),
        ('{"kind": "budget", "year": 2024, "create_lines": "false"}', ["create_lines"]),
        ('{"kind": "budget", "year": 2024, "columns": {"line": 1.5}}', ["columns.line"]),
    ],
    ids=["misspelt-role", "unknown-key", "reason-number", "delimiter-number",
         "month-number", "columns-list", "year-bool", "bool-as-text", "column-float"],
)
def test_a_mapping_file_with_a_wrong_key_or_value_is_a_usage_error(tree, put, usage_error,
                                                                    mapping, names):
    path = put("b.csv", "code;amount;rev\nskola;100;150\n")
    usage_error("import", str(path), "--mapping", str(put("m.json", mapping)),
                names=["m.json", *names])


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_a_mapping_file_may_give_columns_by_number(cli, tree, put, imp, fmt):
    path = put("b.csv", "kod;namn;summa\nskola;Skola;150\n")
    mapping = (put("m.json", '{"kind": "budget", "year": 2024, "columns": {"line": 1, "amount": 3}}')
               if fmt == "json" else
               put("m.toml", 'kind = "budget"\nyear = 2024\n[columns]\nline = 1\namount = 3\n'))
    imp(path, "--mapping", mapping)
    assert amounts(cli, "skola", "budget_set") == [Decimal(150)]


@pytest.mark.parametrize(
    "kind, option",
    [("budget", "--as-of"), ("budget", "--period"), ("forecast", "--effective"),
     ("actual", "--as-of")],
)
def test_a_month_option_of_another_kind_is_a_usage_error(tree, put, usage_error, kind, option):
    usage_error("import", str(put("b.csv", "code;amount\nskola;1\n")), kind, "--year", "2024",
                option, "2024-05", names=[option])


@pytest.mark.parametrize(
    "kind, key", [("budget", "as_of"), ("forecast", "period"), ("actual", "effective")]
)
def test_a_month_key_of_another_kind_in_a_mapping_file_is_a_usage_error(tree, put, usage_error,
                                                                       kind, key):
    mapping = put("m.json", json.dumps({"kind": kind, "year": 2024, key: "2024-05"}))
    usage_error("import", str(put("b.csv", "code;amount\nskola;1\n")), "--mapping",
                str(mapping), names=[key, "mapping file"])


def test_a_file_whose_name_is_not_utf8_is_imported_under_a_readable_name(cli, tree, tmp_path,
                                                                         imp):
    """Linux allows any bytes in a file name; the name recorded is readable text."""
    import os

    path = os.path.join(os.fsencode(tmp_path), b"budget-\xe5r.csv")
    with open(path, "wb") as f:
        f.write(b"code;amount\nskola;7\n")
    imp(os.fsdecode(path), "budget", "--year", "2024")
    [event] = events_of(cli, "skola", "budget_set")
    assert amounts(cli, "skola", "budget_set") == [Decimal(7)]
    assert event["source"]["row"] == 2


def test_an_amount_cell_of_many_characters_is_refused(tree, put, usage_error):
    usage_error("import", str(put("b.csv", "code;amount\nskola;" + "1 " * 40 + "\n")),
                "budget", "--year", "2024", names=["too long", "row 2"])


# ---------------------------------------------------------------------------
# Units and notation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, cell, kronor",
    [
        ("tkr", "2 016", "2016000"),
        ("tkr", "1,5", "1500"),
        ("mkr", "51,3", "51300000"),
        ("mkr", "- 4,2", "-4200000"),
        ("kr", "51,3 mkr", "51300000"),  # a unit in the cell wins
        ("tkr", "51,3 mkr", "51300000"),
        ("tkr", "500 kr", "500"),
        ("mkr", "2 016 tkr", "2016000"),
        ("kr", "1\u00a0236\u00a0897", "1236897"),
        ("kr", "1\u202f236\u202f897", "1236897"),
        ("kr", "12.50", "12.50"),
    ],
)
def test_unit_option_and_unit_in_the_cell(cli, tree, put, imp, unit, cell, kronor):
    imp(put("u.csv", f'code;amount\nskola;"{cell}"\n'), "budget", "--year", "2024",
        "--unit", unit)
    assert amounts(cli, "skola", "budget_set") == [Decimal(kronor)]


def test_the_unit_defaults_to_kronor(cli, tree, put, imp):
    imp(put("u.csv", "code;amount\nskola;51,3\n"), "budget", "--year", "2024")
    assert amounts(cli, "skola", "budget_set") == [Decimal("51.3")]


# ---------------------------------------------------------------------------
# Encodings and delimiters
# ---------------------------------------------------------------------------

SWEDISH = "kod;benämning;belopp\nit-sak;Lön och förmåner;1 234,50\nskola;Övrigt, Ärenden;- 99\n"


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")],
    ids=["utf-8", "utf-8-bom", "windows-1252"],
)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
@pytest.mark.parametrize("given", [False, True], ids=["sniffed", "--delimiter"])
def test_encodings_and_delimiters(cli, tree, put, imp, encoding, bom, delimiter, given):
    rows = [line.split(";") for line in SWEDISH.splitlines()]

    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text else text

    text = "\r\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\r\n"
    path = put("sv.csv", bom + text.encode(encoding))
    options = ["--delimiter", "tab" if delimiter == "\t" else delimiter] if given else []
    imp(path, "budget", "--year", "2024", *options)
    assert amounts(cli, "it-sak", "budget_set") == [Decimal("1234.50")]
    assert amounts(cli, "skola", "budget_set") == [Decimal(-99)]


def test_a_windows_1252_header_and_no_break_spaces_are_read(cli, tree, put, imp):
    path = put("w.csv", "Konto;Belopp;Månad\nit-sak;1\u00a0000;2024-06\n", encoding="cp1252")
    imp(path, "actual", "--year", "2024", "--line-col", "Konto", "--month-col", "Månad")
    [booking] = events_of(cli, "it-sak", "actual_booked")
    assert (Decimal(booking["amount"]), booking["period"]) == (Decimal(1000), "2024-06")


@pytest.mark.parametrize(
    "cell, kronor",
    [
        ("1\u00a0236\u00a0897,00\u00a0kr", "1236897"),  # Excel's Swedish currency format
        ("51,3\u00a0mkr", "51300000"),
        ("-\u00a04,2", "-4.2"),
        ("\u00a01 000", "1000"),
        ("1 000\u00a0", "1000"),
        ("12\u202f000\u2009tkr", "12000000"),
    ],
)
def test_no_break_spaces_around_the_number_sign_and_unit(cli, tree, put, imp, cell, kronor):
    imp(put("b.csv", f"code;amount\nskola;{cell}\n"), "budget", "--year", "2024")
    assert amounts(cli, "skola", "budget_set") == [Decimal(kronor)]


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def _xlsx(
    path: Path, rows: list[list[Any]], sheet: str = "Blad1", first: str | None = None
) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    if first is not None:
        book.active.title = first
        book.active.append(["ingenting", "här"])
        ws = book.create_sheet(sheet)
    else:
        ws = book.active
        ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_an_xlsx_file_with_numeric_and_text_cells(cli, tree, tmp_path, imp):
    path = _xlsx(
        tmp_path / "utfall.xlsx",
        [
            ["Konto", "Belopp", "Period", "Ref"],
            ["it-sak", 1500, "2024-01", "V1"],  # an integer cell
            ["it-sak", 0.1, datetime(2024, 2, 1), "V2"],  # a float cell, a date cell
            ["it-drift", 1234.5, "2024-03", None],
            ["it-drift", "1 236 897", "2024-03", "V4"],  # text cells, as typed
            ["skola", "51,3 tkr", "2024-04", "V5"],
            ["skola", "- 4,2", "2024-04", "V6"],
            [None, None, None, None],  # an empty row is no row
        ],
    )
    summary = imp(path, "actual", "--year", "2024", "--line-col", "Konto")
    assert summary["rows"] == 6
    assert amounts(cli, "it-sak", "actual_booked") == [Decimal(1500), Decimal("0.1")]
    assert [e["period"] for e in events_of(cli, "it-sak", "actual_booked")] == [
        "2024-01", "2024-02"
    ]
    assert amounts(cli, "it-drift", "actual_booked") == [Decimal("1234.5"), Decimal(1236897)]
    assert amounts(cli, "skola", "actual_booked") == [Decimal(51300), Decimal("-4.2")]
    rows = [(e["line"], e["source"]["row"]) for e in events_of(cli, "it", "actual_booked")]
    assert sorted(rows, key=lambda r: r[1]) == [
        ("it-sak", 2), ("it-sak", 3), ("it-drift", 4), ("it-drift", 5)
    ]


def test_an_xlsx_sheet_is_chosen_by_name(cli, tree, tmp_path, imp):
    path = _xlsx(tmp_path / "b.xlsx", [["code", "amount"], ["skola", 4200]], sheet="Budget",
                 first="Försättsblad")
    imp(path, "budget", "--year", "2024", "--sheet", "Budget")
    assert amounts(cli, "skola", "budget_set") == [Decimal(4200)]


def test_a_bad_xlsx_cell_names_its_row_and_column(tree, tmp_path, usage_error):
    path = _xlsx(tmp_path / "b.xlsx", [["code", "amount"], ["skola", 1], ["it-sak", 0.001]])
    usage_error("import", str(path), "budget", "--year", "2024",
                names=["b.xlsx", "row 3", "'amount'"])


def test_a_broken_xlsx_file_is_a_usage_error(tree, put, usage_error):
    path = put("trasig.xlsx", b"PK\x03\x04 this is not a workbook")
    usage_error("import", str(path), "budget", "--year", "2024", names="trasig.xlsx")


def _edit_sheet(path: Path, old: bytes, new: bytes) -> None:
    """Change the first sheet's XML as another program would have written it."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old in entries[sheet], entries[sheet]
    entries[sheet] = entries[sheet].replace(old, new)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def test_an_xlsx_file_that_declares_too_few_rows_is_read_whole(cli, tree, tmp_path, imp):
    """openpyxl's read-only mode stops at the size a sheet declares; some writers
    declare it wrong. Every row is read all the same, none dropped."""
    path = _xlsx(tmp_path / "b.xlsx", [["code", "amount", "ref"], ["skola", 100, "B1"],
                                       ["it-sak", 200, None], ["it-drift", 300, None]])
    _edit_sheet(path, b'<dimension ref="A1:C4" />', b'<dimension ref="A1:B2" />')
    summary = imp(path, "budget", "--year", "2024")
    assert summary["rows"] == 3
    assert amounts(cli, "it-sak", "budget_set") == [Decimal(200)]
    assert amounts(cli, "it-drift", "budget_set") == [Decimal(300)]


def test_an_xlsx_formulas_float_noise_is_read_as_excel_shows_it(cli, tree, tmp_path, imp):
    """Excel keeps a formula's result as a binary float written out in full (1000.5 * 1.1
    is 1100.5500000000002) and shows it to 15 significant digits: 1100.55."""
    path = _xlsx(tmp_path / "b.xlsx", [["code", "amount"], ["skola", 1100.25], ["it-sak", 0.75]])
    _edit_sheet(path, b"<v>1100.25</v>", b"<v>1100.5500000000002</v>")
    _edit_sheet(path, b"<v>0.75</v>", b"<v>0.30000000000000004</v>")
    imp(path, "budget", "--year", "2024")
    assert amounts(cli, "skola", "budget_set") == [Decimal("1100.55")]
    assert amounts(cli, "it-sak", "budget_set") == [Decimal("0.3")]


def test_openpyxl_is_a_declared_dependency():
    requires = importlib.metadata.requires("prognos") or []
    assert any(re.match(r"openpyxl\b", r, re.I) and "extra ==" not in r for r in requires), requires


# ---------------------------------------------------------------------------
# Unknown lines: refused, or created under a parent
# ---------------------------------------------------------------------------


def test_an_unknown_line_is_refused_naming_file_row_and_column(tree, put, refused):
    path = put("b.csv", "code;amount\nskola;1\nit-ny;2\n")
    line = refused("import", str(path), "budget", "--year", "2024",
                   names=["b.csv", "row 3", "'code'", "it-ny"])
    assert "--create-lines" in line


def test_create_lines_adds_unknown_lines_under_the_parent(cli, tree, put, imp, line_of):
    path = put("b.csv", "code;name;amount\nit-ny;Nytt system;1 000\nskola;Skola;5\nit-mer;;7\n")
    summary = imp(path, "budget", "--year", "2024", "--create-lines", "--parent", "it")
    added = {e["line"]: e for e in events_of(cli, "it", "line_added")}
    assert added["it-ny"]["parent"] == "it" and added["it-ny"]["name"] == "Nytt system"
    assert added["it-mer"]["parent"] == "it" and added["it-mer"]["name"] == "it-mer"
    assert added["it-ny"]["source"] == {"sha256": summary["sha256"], "row": 2}
    assert added["it-mer"]["source"] == {"sha256": summary["sha256"], "row": 4}
    assert fig(line_of("it-ny", "2024-12"), "budget") == Decimal(1000)
    assert fig(line_of("it", "2024-12"), "budget") == Decimal(1007)
    assert fig(line_of("skola", "2024-12"), "budget") == Decimal(5)  # known lines as before
    doc = cli.json("report", "--year", "2024", "--as-of", "2024-12")
    lines = [ln["code"] for ln in doc["lines"]]
    assert lines.index("it-ny") < lines.index("skola")  # under `it`, depth first


def test_create_lines_takes_the_parent_from_a_parent_column(cli, tree, put, imp):
    path = put("b.csv", "code;parent;amount\nit-ny;;1\nskola-ny;skola;2\n")
    imp(path, "budget", "--year", "2024", "--create-lines", "--parent", "it")
    added = {e["line"]: e["parent"] for e in events_of(cli, "it", "line_added")}
    added.update({e["line"]: e["parent"] for e in events_of(cli, "skola", "line_added")})
    assert added["it-ny"] == "it"  # no parent in the row: --parent
    assert added["skola-ny"] == "skola"  # the row's own parent wins


def test_an_unknown_parent_in_the_parent_column_names_that_column(tree, put, refused):
    path = put("b.csv", "kod;namn;förälder;belopp\nx9;X9;nope;100\n")
    line = refused("import", str(path), "budget", "--year", "2024", "--create-lines",
                   names=["b.csv", "row 2", "'förälder'", "nope"])
    assert "'kod'" not in line


def test_an_unknown_parent_given_by_option_names_no_column(tree, put, refused):
    path = put("b.csv", "kod;belopp\nx9;100\n")
    line = refused("import", str(path), "budget", "--year", "2024", "--create-lines",
                   "--parent", "nope", names=["b.csv", "row 2", "nope"])
    assert "column" not in line


def test_create_lines_without_a_parent_is_refused(tree, put, refused):
    path = put("b.csv", "code;amount\nit-ny;1\n")
    refused("import", str(path), "budget", "--year", "2024", "--create-lines",
            names=["b.csv", "row 2", "--parent"])


def test_create_lines_under_a_leaf_with_amounts_is_refused(tree, ok, put, refused):
    ok("budget", "set", "skola", "100", "--year", "2024", "--reason", "r")
    path = put("b.csv", "code;amount\nskola-ny;1\n")
    refused("import", str(path), "budget", "--year", "2024", "--create-lines", "--parent",
            "skola", names=["b.csv", "row 2", "skola"])


def test_amounts_on_a_roll_up_are_refused(tree, put, refused):
    refused("import", str(put("b.csv", "code;amount\nit;1\n")), "budget", "--year", "2024",
            names=["b.csv", "row 2", "it"])


# ---------------------------------------------------------------------------
# All or nothing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "last, names, code",
    [
        ("skola;NaN", ["'amount'", "NaN"], 2),
        ("skola;1.234", ["'amount'"], 2),
        ("skola;1.234,50", ["'amount'"], 2),
        ("skola;", ["'amount'"], 2),
        ("okand;1", ["'code'", "okand"], 1),
        ("skola", ["'amount'"], 2),
        ("skola;1;extra", [], 2),
    ],
    ids=["nan", "finer-than-ore", "comma-and-point", "empty", "unknown-line", "short", "long"],
)
def test_one_bad_last_row_refuses_the_whole_file(tree, put, refused, usage_error, last, names,
                                                  code):
    body = "".join(f"{c};{i}\n" for i, c in enumerate(["it-sak", "it-drift", "skola"] * 30, 1))
    path = put("big.csv", f"code;amount\n{body}{last}\n")
    run = refused if code == 1 else usage_error
    run("import", str(path), "budget", "--year", "2024", names=["big.csv", "row 92", *names])


def test_a_bad_month_refuses_the_whole_file(tree, put, usage_error, refused):
    good = "code;amount;month\nit-sak;1;2024-01\n"
    usage_error("import", str(put("a.csv", good + "it-sak;1;2024-13\n")), "actual",
                names=["a.csv", "row 3", "'month'"])
    refused("import", str(put("b.csv", good + "it-sak;1;2023-05\n")), "actual", "--year", "2024",
            names=["b.csv", "row 3", "'month'", "2023-05"])


def test_a_month_option_outside_the_year_is_refused(tree, put, refused):
    refused("import", str(put("b.csv", "code;amount\nskola;1\n")), "budget", "--year", "2024",
            "--effective", "2023-12", names=["2023-12"])


def test_a_closed_month_refuses_the_whole_file(tree, ok, put, refused):
    ok("period", "close", "2024-03")
    path = put("a.csv", "code;amount;month\nit-sak;1;2024-04\nit-sak;2;2024-03\n")
    refused("import", str(path), "actual", "--year", "2024", names=["a.csv", "row 3"])


@pytest.mark.parametrize("kind", ["budget", "forecast", "actual"])
def test_a_refused_file_leaves_no_trace_and_can_then_be_imported(cli, tree, put, imp, refused,
                                                                  kind):
    bad = put("a.csv", "code;amount\nit-sak;1\nnope;2\n")
    month = {"budget": [], "forecast": ["--as-of", "2024-05"], "actual": ["--period", "2024-05"]}
    refused("import", str(bad), kind, "--year", "2024", *month[kind], names=["a.csv", "row 3"])
    result = cli("source", hashlib.sha256(bad.read_bytes()).hexdigest())
    assert result.exit_code == 1  # the refused file's bytes were not kept either
    good = put("a.csv", "code;amount\nit-sak;1\nit-drift;2\n")
    summary = imp(good, kind, "--year", "2024", *month[kind])
    assert summary["already_imported"] is False and summary["rows"] == 2


def test_kind_and_year_are_required(tree, put, usage_error):
    path = put("b.csv", "code;amount\nskola;1\n")
    usage_error("import", str(path), "--year", "2024", names="--kind")
    usage_error("import", str(path), "budget", names="--year")
    usage_error("import", str(path), "actual", names="--period")


def test_a_missing_file_is_a_usage_error(tree, tmp_path, usage_error):
    usage_error("import", str(tmp_path / "finns-inte.csv"), "budget", "--year", "2024",
                names="finns-inte.csv")


# ---------------------------------------------------------------------------
# Idempotency, sources, the summary
# ---------------------------------------------------------------------------


def test_the_summary_and_the_source_of_every_event(cli, tree, put, imp):
    path = put("a.csv", "code;amount;month\nit-sak;10;2024-01\n\nit-drift;20;2024-02\n"
                        "skola;30;2024-02\n")
    before = max_position(cli)
    summary = imp(path, "actual", "--year", "2024")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["sha256"] == sha
    assert summary["rows"] == 3
    assert summary["already_imported"] is False
    assert summary["first_position"] == before + 1
    assert summary["last_position"] == max_position(cli)
    assert summary["events_recorded"] == summary["last_position"] - summary["first_position"] + 1
    # File row numbers: the header is row 1, and the blank line 3 still counts.
    sources = {
        e["line"]: e["source"]
        for code in ("it", "skola") for e in events_of(cli, code, "actual_booked")
    }
    assert sources == {
        "it-sak": {"sha256": sha, "row": 2},
        "it-drift": {"sha256": sha, "row": 4},
        "skola": {"sha256": sha, "row": 5},
    }


def test_events_of_one_import_are_one_command(cli, tree, put, imp):
    imp(put("a.csv", "code;amount\nit-sak;1\nit-drift;2\nskola;3\n"), "actual", "--period",
        "2024-01")
    events = [e for code in ("it", "skola") for e in events_of(cli, code, "actual_booked")]
    assert len({e["command_id"] for e in events}) == 1
    assert len({e["recorded_at"] for e in events}) == 1
    assert {e["reason"] for e in events} != {None}


def test_a_second_import_of_the_same_file_adds_nothing(cli, tree, put, imp, snapshot, line_of):
    path = put("a.csv", "code;amount\nit-sak;1 000\n")
    first = imp(path, "actual", "--period", "2024-01")
    assert first["already_imported"] is False and first["events_recorded"] >= 1
    before = snapshot(cli.store_path)
    again = imp(path, "actual", "--period", "2024-01")
    assert again == {
        "sha256": first["sha256"], "rows": 1, "events_recorded": 0,
        "first_position": None, "last_position": None, "already_imported": True,
        "skipped_booked": [],
    }
    assert snapshot(cli.store_path) == before
    assert fig(line_of("it-sak", "2024-01"), "actual_ytd") == Decimal(1000)


def test_the_same_bytes_under_another_name_are_the_same_file(cli, tree, put, imp):
    content = "code;amount\nit-sak;1 000\n"
    first = imp(put("a.csv", content), "actual", "--period", "2024-01")
    again = imp(put("kopia.csv", content), "actual", "--period", "2024-01")
    assert again["already_imported"] is True and again["sha256"] == first["sha256"]
    assert amounts(cli, "it-sak", "actual_booked") == [Decimal(1000)]


def test_a_second_import_says_so_in_words(cli, tree, put, imp):
    path = put("a.csv", "code;amount\nit-sak;1\n")
    imp(path, "actual", "--period", "2024-01")
    result = cli("import", str(path), "actual", "--period", "2024-01")
    assert result.exit_code == 0
    assert "redan importerad" in result.stdout  # Swedish by default
    result = cli("import", str(path), "actual", "--period", "2024-01", "--lang", "en")
    assert "already imported" in result.stdout


@pytest.mark.parametrize(
    "content",
    [
        "code;amount\r\nit-sak;1 000\r\n".encode("utf-8"),
        b"\xef\xbb\xbf" + "kod;belopp\nit-sak;1\u00a0000\n".encode("utf-8"),
        "Konto;Belopp;Benämning\nit-sak;1 000;Lön\n".encode("cp1252"),
    ],
    ids=["crlf", "bom", "cp1252"],
)
def test_source_returns_exactly_the_imported_bytes(cli, tree, put, imp, tmp_path, content):
    path = put("a.csv", content)
    summary = imp(path, "actual", "--period", "2024-01")
    result = cli("source", summary["sha256"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == content
    out = tmp_path / "ut.csv"
    out.write_bytes(result.stdout_bytes)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == summary["sha256"]


def test_source_returns_an_xlsx_file_byte_for_byte(cli, tree, tmp_path, imp):
    path = _xlsx(tmp_path / "b.xlsx", [["code", "amount"], ["skola", 4200]])
    summary = imp(path, "budget", "--year", "2024")
    result = cli("source", summary["sha256"].upper())
    assert result.exit_code == 0
    assert result.stdout_bytes == path.read_bytes()


def test_source_of_an_unknown_sha_is_refused(tree, refused):
    refused("source", "0" * 64, names="0" * 64)


# ---------------------------------------------------------------------------
# A big file, in one transaction
# ---------------------------------------------------------------------------

BIG_ROWS = 100_000


def test_a_file_of_100000_rows_is_one_transaction(cli, tree, put, imp, line_of):
    codes = ("it-sak", "it-drift", "skola")
    lines = ["konto;belopp;period;ref"]
    total = {c: Decimal(0) for c in codes}
    for i in range(BIG_ROWS):
        code = codes[i % 3]
        amount = Decimal(i % 997 + 1) + Decimal(i % 100) / 100
        total[code] += amount
        lines.append(f"{code};{amount:f};2024-{i % 12 + 1:02d};V{i}")
    path = put("stor.csv", "\n".join(lines) + "\n")
    before = max_position(cli)
    started = time.perf_counter()
    summary = imp(path, "actual", "--year", "2024")
    elapsed = time.perf_counter() - started
    assert summary["rows"] == BIG_ROWS
    assert summary["first_position"] == before + 1
    assert summary["last_position"] == max_position(cli)
    assert summary["events_recorded"] == summary["last_position"] - summary["first_position"] + 1
    assert summary["events_recorded"] >= BIG_ROWS
    for code in codes:
        assert fig(line_of(code, "2024-12"), "actual_ytd") == total[code]
    # One command: every booking has the same recorded-at.
    history = events_of(cli, "skola", "actual_booked")
    assert len(history) == BIG_ROWS // 3
    assert len({e["recorded_at"] for e in history}) == 1
    assert [e["source"]["row"] for e in history] == [i + 2 for i in range(2, BIG_ROWS, 3)]
    assert elapsed < 60, f"100,000 rows took {elapsed:.1f} s"


# ---------------------------------------------------------------------------
# Errors in the bytes of a file name where they are
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, row",
    [
        ('code;amount\nit-sak;"1"2\nskola;3\n', 2),  # text after a closing quote
        ('code;amount\nit-sak;1\nskola;"12\n', 3),  # a quote never closed (a cut file)
        ('code;amount\nit-sak;1\nskola;2\nit-drift;"3"x\n', 4),
    ],
    ids=["after-quote", "unclosed-quote", "last-row"],
)
def test_a_quoting_error_names_the_row_it_is_in(tree, put, usage_error, content, row):
    path = put("q.csv", content)
    usage_error("import", str(path), "budget", "--year", "2024", names=["q.csv", f"row {row}"])


def test_a_file_marked_utf8_is_never_read_as_windows_1252(tree, put, usage_error):
    content = "\ufeffcode;name;amount;ref\nit-ny;Lön;5;Ver-ö\nit-mer;Åsa;7;x".encode("utf-8")
    path = put("bom.csv", content + "ö".encode("utf-8")[:1])  # a cut multi-byte character
    usage_error("import", str(path), "actual", "--period", "2024-03", "--create-lines",
                "--parent", "it", names="bom.csv")


def test_an_unmarked_file_that_is_not_utf8_is_read_as_windows_1252(cli, tree, put, imp):
    path = put("w.csv", "code;name;amount\nit-ny;Lön;5\n", encoding="cp1252")
    imp(path, "budget", "--year", "2024", "--create-lines", "--parent", "it")
    [added] = [e for e in events_of(cli, "it", "line_added") if e["line"] == "it-ny"]
    assert added["name"] == "Lön"


def test_an_invalid_byte_in_a_utf8_file_names_its_row(tree, put, usage_error):
    content = "\ufeffcode;amount\nit-sak;1\nskola;2\nit-drift;3\n".encode("utf-8")
    path = put("bom.csv", content.replace(b"skola;2", b"skola;\xff2"))
    usage_error("import", str(path), "budget", "--year", "2024", names=["bom.csv", "row 3"])


def test_a_bad_row_after_several_written_chunks_still_records_nothing(cli, tree, put, snapshot,
                                                                      monkeypatch):
    # Events are written in chunks inside the import's one transaction: a refusal
    # in the last chunk must take the earlier chunks with it.
    import prognos.domain.importing.decider as importer

    monkeypatch.setattr(importer, "CHUNK", 3)
    rows = "".join(f"it-sak;{n};V{n}\n" for n in range(1, 12)) + "it-sak;12,3.4;V12\n"
    path = put("many.csv", "code;amount;ref\n" + rows)
    before = snapshot(cli.store_path)
    result = cli("import", str(path), "actual", "--period", "2024-03")
    assert result.exit_code == 2, result.output
    assert "row 13" in result.stderr
    assert snapshot(cli.store_path) == before


def test_an_import_written_in_several_chunks_has_contiguous_positions(cli, tree, put, monkeypatch):
    import prognos.domain.importing.decider as importer

    monkeypatch.setattr(importer, "CHUNK", 4)
    rows = "".join(f"it-sak;{n};V{n}\n" for n in range(1, 11))
    summary = cli.json("import", str(put("ten.csv", "code;amount;ref\n" + rows)), "actual",
                       "--period", "2024-03")
    assert summary["events_recorded"] == 11  # the file's header event and ten bookings
    assert summary["last_position"] - summary["first_position"] == 10
    assert cli("check").exit_code == 0

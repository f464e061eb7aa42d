"""The controller's language (issue 11): Swedish labels and notation by default, English on
request, the sign convention named, no data shown as no data, the notes beside the
figures, and every table readable at 80 and 100 columns with nothing that matters cut."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from prognos.cli.texts import texts

Y = ("--year", "2024")
SV = texts("sv")


@pytest.fixture
def city(tree: None, ok: Any) -> None:
    """Amounts of a city's size: nine digits in kronor, as table 1.2 prints them."""
    ok("budget", "set", "it-sak", "132 267 972", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "it-drift", "118 561 204,50", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "skola", "2 016 000", *Y, "--reason", "KF-beslut")
    ok("forecast", "set", "it-sak", "138 600 123", *Y, "--as-of", "2024-05",
       "--reason", "Fler licenser än budgeterat, och konsulter för säkerhetsarbetet")
    ok("forecast", "set", "it-drift", "111 900 000", *Y, "--as-of", "2024-05", "--reason", "Lägre")
    ok("actual", "book", "it-sak", "55 120 444,25", "--period", "2024-03", "--ref", "V-2024-0311")
    ok("actual", "book", "it-drift", "-2 500 000", "--period", "2024-04", "--ref", "V-2024-0412")
    ok("actual", "book", "it-drift", "2 500 000", "--period", "2024-04", "--ref", "V-2024-0413")
    ok("note", "add", "it-sak", "Licensavtalet omförhandlat; konsulterna kvar till hösten",
       *Y, "--period", "2024-05")
    ok("note", "add", "skola", "Ingen avvikelse", *Y, "--period", "2024-08")


def test_the_report_is_in_swedish_by_default_and_in_english_on_request(
    city: None, ok: Any, monkeypatch: Any
) -> None:
    sv = ok("report", *Y, "--as-of", "2024-05").stdout
    # Where there is room (a file or a pipe is laid out wide), each header on one line.
    for label in ("Budgetuppföljning 2024 per 2024-05", "Rad", "Budget", "Prognos",
                  "Avvikelse", "Budget t.o.m.", "Utfall t.o.m.", "Avvikelse t.o.m.", "Totalt",
                  "avvikelse = prognos − budget"):
        assert label in sv
    en = ok("report", *Y, "--as-of", "2024-05", "--lang", "en").stdout
    for label in ("2024 as of 2024-05", "Forecast", "Dev. YTD", "Total"):
        assert label in en
    monkeypatch.setenv("PROGNOS_LANG", "en")
    assert "Forecast" in ok("report", *Y, "--as-of", "2024-05").stdout


def test_a_language_prognos_does_not_speak_is_a_usage_error(tree: None, usage_error: Any) -> None:
    usage_error("report", *Y, "--as-of", "2024-05", "--lang", "de", names="--lang")


def test_amounts_are_in_swedish_notation(city: None, ok: Any, cli: Any) -> None:
    out = ok("report", *Y, "--as-of", "2024-05").stdout
    assert "132 267 972" in out  # it-sak's budget
    assert "\u22126 661 204" in out  # it-drift's deviation: 111 900 000 - 118 561 204,50
    assert "\u2212" in out and not re.search(r"(?<![\w-])-\d", out)  # a real minus only
    mkr = ok("report", *Y, "--as-of", "2024-05", "--unit", "mkr").stdout
    assert "132,3" in mkr and ", mkr" in mkr
    doc = cli.json("report", *Y, "--as-of", "2024-05")  # JSON: decimal strings, kronor
    assert {ln["code"]: ln["budget"] for ln in doc["lines"]}["it-sak"] == "132267972.00"


def test_the_sign_convention_is_chosen_and_named(city: None, ok: Any, cli: Any) -> None:
    own = ok("report", *Y, "--as-of", "2024-05").stdout
    published = ok("report", *Y, "--as-of", "2024-05", "--sign", "budget-minus-forecast").stdout
    assert "avvikelse = prognos − budget" in own
    assert "avvikelse = budget − prognos" in published
    assert "6 332 151" in own and "\u22126 332 151" in published  # it-sak, forecast over budget
    plain = cli.json("report", *Y, "--as-of", "2024-05")
    signed = cli.json("report", *Y, "--as-of", "2024-05", "--sign", "budget-minus-forecast")
    assert plain == signed  # JSON keeps forecast - budget


def test_a_line_with_nothing_booked_shows_no_actual_not_zero(city: None, ok: Any,
                                                               cli: Any) -> None:
    out = ok("report", *Y, "--as-of", "2024-05", "--unit", "tkr").stdout
    [skola] = [line for line in out.splitlines() if line.startswith("Skola")]
    assert skola.split()[1:] == ["2", "016", "2", "016", "0", "840"]  # no actual, no deviation
    [drift] = [line for line in out.splitlines() if line.strip().startswith("Drift")]
    assert drift.split()[-3:] == ["0", "\u221249", "401"]  # booked, netting to zero: 0
    doc = cli.json("report", *Y, "--as-of", "2024-05")
    lines = {ln["code"]: ln for ln in doc["lines"]}
    assert lines["skola"]["actual_ytd"] == "0.00"  # JSON keeps numbers
    assert lines["it-drift"]["actual_ytd"] == "0.00"  # booked, and netting to zero


def test_the_report_marks_the_lines_with_notes_and_prints_them_below(
    city: None, ok: Any, cli: Any
) -> None:
    out = ok("report", *Y, "--as-of", "2024-05").stdout
    assert "Informationssäkerhet * [1]" in " ".join(out.split())
    assert "Kommentarer" in out and "[1] it-sak, 2024-05: Licensavtalet" in out
    assert "Ingen avvikelse" not in out  # August's note is after --as-of
    assert "Ingen avvikelse" in ok("report", *Y, "--as-of", "2024-08").stdout
    assert "Kommentarer" not in ok("report", *Y, "--as-of", "2024-05", "--no-notes").stdout
    assert "notes" not in cli.json("report", *Y, "--as-of", "2024-05")
    [note] = cli.json("report", *Y, "--as-of", "2024-05", "--notes")["notes"]
    assert note["line"] == "it-sak" and note["period"] == "2024-05" and note["user"] == "anna"


def test_why_prints_the_notes_of_the_line_and_its_subtree_in_its_months(
    city: None, ok: Any, cli: Any
) -> None:
    out = ok("why", "it", *Y, "--from", "2024-01", "--to", "2024-06").stdout
    assert "Licensavtalet omförhandlat" in " ".join(out.split())
    assert "Ingen avvikelse" not in out  # skola is not below it
    assert "notes" not in cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-06")
    doc = cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-04", "--notes")
    assert doc["notes"] == []  # May's note is after --to


def test_note_list_lists_the_notes_of_a_year_a_line_and_a_month(city: None, ok: Any,
                                                                  cli: Any) -> None:
    every = cli.json("note", "list", *Y)["notes"]
    assert [n["line"] for n in every] == ["it-sak", "skola"]
    assert [n["line"] for n in cli.json("note", "list", "it", *Y)["notes"]] == ["it-sak"]
    assert cli.json("note", "list", *Y, "--period", "2024-08")["notes"][0]["line"] == "skola"
    assert all(n["user"] == "anna" and n["recorded_at"] for n in every)
    out = ok("note", "list", *Y).stdout
    assert "Kommentarer 2024" in out and f"#{every[0]['position']}" in out


def test_note_list_refuses_an_unknown_line(city: None, refused: Any) -> None:
    refused("note", "list", "nope", *Y, names="nope")


def test_a_write_command_says_what_it_understood(tree: None, ok: Any) -> None:
    said = ok("actual", "book", "it-drift", "2500000", "--period", "2024-03").stdout.strip()
    assert re.fullmatch(r"bokfört utfall 2 500 000,00 kr på it-drift för 2024-03 \(#\d+\)", said)
    said = ok("budget", "transfer", "it-drift", "it-sak", "150 tkr", *Y, "--effective",
              "2024-04", "--reason", "Ny tjänst").stdout.strip()
    assert re.fullmatch(r"överfört budget 150 000,00 kr från it-drift till it-sak för 2024 "
                        r"från 2024-04 \(#\d+, #\d+\)", said)
    said = ok("actual", "book", "it-sak", "-1500", "--period", "2024-03",
              "--lang", "en").stdout
    assert said.startswith("recorded actual_booked on it-sak at position")


# -- readable at 80 and 100 columns ---------------------------------------------------

def _amounts(doc: dict[str, Any], unit: str) -> set[str]:
    shown = set()
    for row in [*doc["lines"], doc["total"]]:
        for key in ("budget", "forecast", "forecast_deviation", "budget_ytd"):
            shown.add(SV.amount(Decimal(row[key]), unit))  # type: ignore[arg-type]
    return shown


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("unit", ["kr", "tkr", "mkr"])
def test_a_report_at_80_and_100_columns_cuts_no_amount_or_header(
    city: None, ok: Any, cli: Any, monkeypatch: Any, columns: int, unit: str
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = ok("report", *Y, "--as-of", "2024-05", "--unit", unit).stdout
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "…" not in out
    body = out.split("Kommentarer")[0]
    for amount in _amounts(cli.json("report", *Y, "--as-of", "2024-05"), unit):
        assert amount in body, amount
    for header in ("Budget", "Prognos", "Avvikelse", "t.o.m.", "Utfall"):
        assert header in body


@pytest.mark.parametrize("columns", [80, 100])
def test_history_why_and_notes_at_80_and_100_columns_cut_no_amount_or_reference(
    city: None, ok: Any, cli: Any, monkeypatch: Any, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    history = ok("history", "it").stdout
    for event in cli.json("history", "it")["events"]:
        assert f"#{event['position']}" in history
        if event["amount"] is not None:
            assert SV.amount(Decimal(event["amount"]), "kr", decimals=2) in history
        if event["ref"]:
            assert event["ref"] in history.replace("\n    ", "")  # references are not cut
    why = ok("why", "it", *Y, "--from", "2024-01", "--to", "2024-06").stdout
    for step in cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-06")["steps"]:
        for key in ("before", "delta", "after"):
            assert SV.amount(Decimal(step[key])) in why
    notes = ok("note", "list", *Y).stdout
    for out in (history, why, notes):
        assert max(len(line) for line in out.splitlines()) <= columns
        assert "…" not in out


def test_check_says_what_it_found_in_swedish_and_its_json_is_as_before(
    city: None, ok: Any, cli: Any
) -> None:
    *sv, head = ok("check").stdout.splitlines()
    assert all(line.startswith("ok ") for line in sv) and len(sv) == 10
    assert head.startswith("huvud (sigill@position): ")
    said = dict(line[3:].strip().split(": ", 1) for line in sv)
    assert said["views_equal_replay"].endswith("händelser stämmer med sina rader i vyerna")
    assert said["rollups_sum_children"] == "varje summarad är summan av sina underrader"
    assert said["log_sealed"].split(" ", 1)[1].startswith("händelser förseglade")
    en = ok("check", "--lang", "en").stdout
    assert "events match their view rows" in en
    doc = cli.json("check")
    assert doc["ok"] is True
    assert all(set(c) == {"name", "ok", "detail"} for c in doc["checks"])
    assert {c["name"]: c["detail"] for c in doc["checks"]}["rollups_sum_children"] == (
        "every roll-up equals the sum of its children")  # JSON: English, as before

"""`prognos why`: the forecast bridge between two months, step by step."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")
STEP_KEYS = {"event_id", "kind", "line", "month", "before", "after", "delta", "user",
             "recorded_at", "reason"}


def d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def bridge_story(tree, write):
    """it = it-sak + it-drift; skola is outside `it`. Returns the write outputs by name."""
    w = {}
    w["sak"] = write("budget", "set", "it-sak", "1000", *Y, "--reason", "Budget")
    w["drift"] = write("budget", "set", "it-drift", "500", *Y, "--reason", "Budget")
    w["skola"] = write("budget", "set", "skola", "2000", *Y, "--reason", "Budget")
    w["inside"] = write("budget", "transfer", "it-sak", "it-drift", "100", *Y,
                        "--effective", "2024-02", "--reason", "Inom IT")
    w["outside"] = write("budget", "transfer", "it-sak", "skola", "200", *Y,
                         "--effective", "2024-03", "--reason", "Till skolan", user="bertil")
    w["drift_rev"] = write("forecast", "set", "it-drift", "700", *Y, "--as-of", "2024-04",
                           "--reason", "Drift dyrare")
    w["drift_budget"] = write("budget", "set", "it-drift", "900", *Y, "--effective", "2024-05",
                              "--reason", "Drift ny budget")
    w["sak_budget"] = write("budget", "set", "it-sak", "1000", *Y, "--effective", "2024-05",
                            "--reason", "Säk återställd")
    w["sak_rev1"] = write("forecast", "set", "it-sak", "1100", *Y, "--as-of", "2024-06",
                          "--reason", "Prognos juni")
    w["sak_rev2"] = write("forecast", "set", "it-sak", "1050", *Y, "--as-of", "2024-06",
                          "--reason", "Prognos juni, rättad")
    w["sak_july"] = write("forecast", "set", "it-sak", "5000", *Y, "--as-of", "2024-07",
                          "--reason", "Efter --to")
    return w


def why(cli, code: str, frm: str, to: str, *extra: str) -> dict:
    return cli.json("why", code, *Y, "--from", frm, "--to", to, *extra)


def test_the_why_document_has_the_contract_shape(bridge_story, cli):
    doc = why(cli, "it", "2024-01", "2024-06")
    assert set(doc) == {"code", "year", "known_at", "from", "to", "change", "steps"}
    assert doc["code"] == "it"
    assert doc["year"] == 2024
    assert doc["known_at"] is None
    assert set(doc["from"]) == set(doc["to"]) == {"as_of", "forecast"}
    assert doc["from"]["as_of"] == "2024-01"
    assert doc["to"]["as_of"] == "2024-06"
    assert doc["steps"]
    for step in doc["steps"]:
        assert set(step) == STEP_KEYS, step


def test_the_bridge_of_a_roll_up_step_by_step(bridge_story, cli):
    w = bridge_story
    doc = why(cli, "it", "2024-01", "2024-06")
    assert doc["from"]["forecast"] == "1500.00"
    assert doc["to"]["forecast"] == "1750.00"
    assert doc["change"] == "250.00"
    got = [(s["month"], s["kind"], s["line"], s["before"], s["delta"], s["after"])
           for s in doc["steps"]]
    assert got == [
        # February's transfer inside `it` nets to zero and is left out.
        ("2024-03", "budget_transferred", "it-sak", "1500.00", "-200.00", "1300.00"),
        ("2024-04", "forecast_revised", "it-drift", "1300.00", "100.00", "1400.00"),
        # it-drift's May budget does not move its (revised) forecast: no step.
        ("2024-05", "budget_set", "it-sak", "1400.00", "300.00", "1700.00"),
        ("2024-06", "forecast_revised", "it-sak", "1700.00", "100.00", "1800.00"),
        ("2024-06", "forecast_revised", "it-sak", "1800.00", "-50.00", "1750.00"),
    ]
    steps = doc["steps"]
    assert steps[0]["user"] == "bertil"
    assert steps[0]["reason"] == "Till skolan"
    assert steps[0]["recorded_at"] == w["outside"][0]["recorded_at"]
    assert steps[0]["event_id"] in {e["event_id"] for e in w["outside"]}
    assert steps[1]["event_id"] == w["drift_rev"][0]["event_id"]
    assert steps[2]["event_id"] == w["sak_budget"][0]["event_id"]
    assert steps[3]["event_id"] == w["sak_rev1"][0]["event_id"]
    assert steps[4]["event_id"] == w["sak_rev2"][0]["event_id"]
    assert steps[4]["reason"] == "Prognos juni, rättad"
    assert steps[4]["user"] == "anna"


def test_a_transfer_inside_the_roll_up_is_a_step_of_each_leaf(bridge_story, cli):
    w = bridge_story
    sak = why(cli, "it-sak", "2024-01", "2024-03")
    assert [(s["month"], s["delta"]) for s in sak["steps"]] == [
        ("2024-02", "-100.00"), ("2024-03", "-200.00"),
    ]
    assert sak["steps"][0]["event_id"] in {e["event_id"] for e in w["inside"]}
    drift = why(cli, "it-drift", "2024-01", "2024-03")
    assert [(s["month"], s["delta"]) for s in drift["steps"]] == [("2024-02", "100.00")]
    it = why(cli, "it", "2024-01", "2024-02")
    assert it["steps"] == []
    assert it["change"] == "0.00"


@pytest.mark.parametrize(
    "code, frm, to",
    [("it", "2024-01", "2024-06"), ("it", "2024-03", "2024-12"), ("it-sak", "2024-02", "2024-07"),
     ("skola", "2024-01", "2024-12"), ("it-drift", "2024-04", "2024-05")],
)
def test_each_step_starts_where_the_previous_ended_and_deltas_sum_to_the_change(
    bridge_story, cli, line_of, code, frm, to
):
    doc = why(cli, code, frm, to)
    running = d(doc["from"]["forecast"])
    for step in doc["steps"]:
        assert d(step["before"]) == running
        assert d(step["after"]) == d(step["before"]) + d(step["delta"])
        assert d(step["delta"]) != 0
        assert frm < step["month"] <= to
        running = d(step["after"])
    assert running == d(doc["to"]["forecast"])
    assert sum((d(s["delta"]) for s in doc["steps"]), d("0")) == d(doc["change"])
    assert d(doc["change"]) == d(doc["to"]["forecast"]) - d(doc["from"]["forecast"])
    # The two ends are the report's forecasts as of those months.
    assert d(doc["from"]["forecast"]) == d(line_of(code, frm)["forecast"])
    assert d(doc["to"]["forecast"]) == d(line_of(code, to)["forecast"])


def test_steps_are_in_month_order_then_recording_order(bridge_story, cli):
    steps = why(cli, "it", "2024-01", "2024-12")["steps"]
    keys = [(s["month"], s["recorded_at"]) for s in steps]
    assert keys == sorted(keys)
    assert steps[-1]["month"] == "2024-07"  # the revision recorded after --to 2024-06 above
    assert steps[-1]["event_id"] == bridge_story["sak_july"][0]["event_id"]


def test_a_budget_change_of_a_line_not_yet_revised_is_a_step(tree, write, cli):
    write("budget", "set", "skola", "1000", *Y, *R)
    [change] = write("budget", "set", "skola", "1300", *Y, "--effective", "2024-03",
                     "--reason", "Ny budget")
    doc = why(cli, "skola", "2024-01", "2024-06")
    assert [(s["kind"], s["month"], s["delta"], s["reason"]) for s in doc["steps"]] == [
        ("budget_set", "2024-03", "300.00", "Ny budget"),
    ]
    assert doc["steps"][0]["event_id"] == change["event_id"]


def test_a_budget_change_of_an_already_revised_line_is_not_a_step(tree, write, cli):
    write("budget", "set", "skola", "1000", *Y, *R)
    write("forecast", "set", "skola", "1100", *Y, "--as-of", "2024-02", *R)
    write("budget", "set", "skola", "1300", *Y, "--effective", "2024-03", *R)
    write("budget", "transfer", "skola", "it-sak", "50", *Y, "--effective", "2024-04", *R)
    doc = why(cli, "skola", "2024-01", "2024-06")
    assert [(s["kind"], s["month"], s["delta"]) for s in doc["steps"]] == [
        ("forecast_revised", "2024-02", "100.00"),
    ]
    assert doc["change"] == "100.00"


def test_revised_is_judged_by_month_not_by_recording_time(tree, write, cli):
    write("budget", "set", "skola", "1000", *Y, *R)
    write("forecast", "set", "skola", "1100", *Y, "--as-of", "2024-05", *R)
    # Recorded after the May revision, but effective in March when skola was not yet revised.
    write("budget", "set", "skola", "1200", *Y, "--effective", "2024-03", *R)
    doc = why(cli, "skola", "2024-01", "2024-06")
    assert [(s["kind"], s["month"], s["before"], s["after"]) for s in doc["steps"]] == [
        ("budget_set", "2024-03", "1000.00", "1200.00"),
        ("forecast_revised", "2024-05", "1200.00", "1100.00"),
    ]


def test_a_revision_to_the_same_forecast_is_no_step(tree, write, cli):
    write("budget", "set", "skola", "1000", *Y, *R)
    write("forecast", "set", "skola", "1000", *Y, "--as-of", "2024-03", *R)
    doc = why(cli, "skola", "2024-01", "2024-06")
    assert doc["steps"] == []
    assert doc["change"] == "0.00"


def test_actuals_and_notes_are_no_steps(tree, write, cli):
    write("budget", "set", "skola", "1000", *Y, *R)
    write("actual", "book", "skola", "400", "--period", "2024-03")
    write("note", "add", "skola", "text", *Y, "--period", "2024-03")
    assert why(cli, "skola", "2024-01", "2024-12")["steps"] == []


def test_the_same_month_twice_is_an_empty_bridge(bridge_story, cli):
    doc = why(cli, "it", "2024-04", "2024-04")
    assert doc["steps"] == []
    assert doc["change"] == "0.00"
    assert doc["from"]["forecast"] == doc["to"]["forecast"]


def test_why_at_known_at_leaves_out_later_commands(bridge_story, cli):
    w = bridge_story
    known = w["drift_rev"][0]["recorded_at"]
    doc = why(cli, "it", "2024-01", "2024-06", "--known-at", known)
    assert datetime.fromisoformat(doc["known_at"]) == datetime.fromisoformat(known)
    assert [(s["month"], s["delta"]) for s in doc["steps"]] == [
        ("2024-03", "-200.00"), ("2024-04", "100.00"),
    ]
    assert doc["to"]["forecast"] == "1400.00"
    assert doc["change"] == "-100.00"


def test_why_works_for_the_top_of_a_deeper_tree(tree, ok, cli):
    ok("line", "add", "kommun", "--name", "Kommunen")
    ok("line", "add", "k-it", "--name", "IT", "--parent", "kommun")
    ok("line", "add", "k-it-a", "--name", "A", "--parent", "k-it")
    ok("line", "add", "k-skola", "--name", "Skola", "--parent", "kommun")
    ok("budget", "set", "k-it-a", "100", *Y, *R)
    ok("budget", "set", "k-skola", "100", *Y, *R)
    ok("budget", "transfer", "k-it-a", "k-skola", "30", *Y, "--effective", "2024-02", *R)
    ok("budget", "transfer", "k-skola", "skola", "10", *Y, "--effective", "2024-03", *R)
    doc = why(cli, "kommun", "2024-01", "2024-12")
    assert doc["from"]["forecast"] == "200.00"
    assert [(s["month"], s["line"], s["delta"]) for s in doc["steps"]] == [
        ("2024-03", "k-skola", "-10.00"),
    ]
    assert doc["to"]["forecast"] == "190.00"


def test_why_without_json_is_a_table(bridge_story, ok, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    out = ok("why", "it", *Y, "--from", "2024-01", "--to", "2024-06").stdout
    assert "Till skolan" in out and "2024-03" in out
    doc = cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-06")
    # who, when (to the minute in a table) and why
    assert all(step["recorded_at"][:16].replace("T", " ") in out for step in doc["steps"])

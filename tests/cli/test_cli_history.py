"""`prognos history`: the audit trail of a line, or of a roll-up's whole subtree."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")
AUDIT = ("event_id", "position", "recorded_at", "user", "reason")
KINDS = {
    "line_added", "budget_set", "budget_transferred", "forecast_revised", "actual_booked",
    "actual_reversed", "note_added",
}


@pytest.fixture
def story(tree, write):
    """Every kind of event on it-sak, by two users; returns the write outputs by name."""
    w = {}
    w["budget"] = write("budget", "set", "it-sak", "1000", *Y, "--reason", "Budget 2024")
    w["transfer"] = write("budget", "transfer", "it-sak", "skola", "100", *Y,
                          "--effective", "2024-02", "--reason", "Omfördelning", user="bertil")
    w["forecast"] = write("forecast", "set", "it-sak", "1200", *Y, "--as-of", "2024-04",
                          "--reason", "Prognos per april")
    w["booking"] = write("actual", "book", "it-sak", "300", "--period", "2024-03",
                         "--ref", "V-17", "--reason", "Licens")
    w["reversal"] = write("actual", "reverse", w["booking"][0]["event_id"],
                          "--reason", "Fel konto", user="bertil")
    w["note"] = write("note", "add", "it-sak", "Licenser dyrare", *Y, "--period", "2024-04")
    return w


def test_history_is_a_document_of_code_and_events(story, cli):
    doc = cli.json("history", "it-sak")
    assert set(doc) == {"code", "events"}
    assert doc["code"] == "it-sak"


def test_history_lists_every_kind_in_recording_order(story, cli):
    events = cli.json("history", "it-sak")["events"]
    assert [e["kind"] for e in events] == [
        "line_added", "budget_set", "budget_transferred", "forecast_revised", "actual_booked",
        "actual_reversed", "note_added",
    ]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions)
    assert {e["kind"] for e in events} == KINDS


def test_every_history_event_carries_its_audit_fields(story, cli):
    events = cli.json("history", "it-sak")["events"]
    for e in events:
        for field in AUDIT:
            assert field in e, (field, e)
        uuid.UUID(e["event_id"])
        assert datetime.fromisoformat(e["recorded_at"]).utcoffset().total_seconds() == 0
        assert e["line"] == "it-sak"
    by_kind = {e["kind"]: e for e in events}
    assert by_kind["budget_set"]["user"] == "anna"
    assert by_kind["budget_set"]["reason"] == "Budget 2024"
    assert by_kind["budget_transferred"]["user"] == "bertil"
    assert by_kind["budget_transferred"]["reason"] == "Omfördelning"
    assert by_kind["forecast_revised"]["reason"] == "Prognos per april"
    assert by_kind["actual_booked"]["ref"] == "V-17"
    assert by_kind["actual_booked"]["reason"] == "Licens"
    assert by_kind["actual_reversed"]["user"] == "bertil"
    assert by_kind["actual_reversed"]["reason"] == "Fel konto"
    assert by_kind["note_added"]["text"] == "Licenser dyrare"


def test_history_matches_what_the_write_commands_printed(story, cli):
    events = {e["event_id"]: e for e in cli.json("history", "it-sak")["events"]}
    for name, printed in story.items():
        for p in printed:
            if p["line"] != "it-sak":
                continue
            e = events[p["event_id"]]
            assert (e["position"], e["recorded_at"], e["line"]) == (
                p["position"], p["recorded_at"], p["line"],
            ), name


def test_history_shows_amounts_and_months(story, cli):
    by_kind = {e["kind"]: e for e in cli.json("history", "it-sak")["events"]}
    assert by_kind["budget_set"]["amount"] == "1000.00"
    assert by_kind["budget_set"]["effective"] == "2024-01"
    assert by_kind["budget_transferred"]["amount"] == "-100.00"
    assert by_kind["budget_transferred"]["effective"] == "2024-02"
    assert by_kind["forecast_revised"]["amount"] == "1200.00"
    assert by_kind["forecast_revised"]["as_of"] == "2024-04"
    assert by_kind["actual_booked"]["amount"] == "300.00"
    assert by_kind["actual_booked"]["period"] == "2024-03"
    assert by_kind["actual_reversed"]["amount"] == "-300.00"
    assert by_kind["actual_reversed"]["period"] == "2024-03"
    assert by_kind["note_added"]["period"] == "2024-04"


def test_reversal_links_go_both_ways(story, cli):
    by_kind = {e["kind"]: e for e in cli.json("history", "it-sak")["events"]}
    booking, reversal = by_kind["actual_booked"], by_kind["actual_reversed"]
    assert booking["event_id"] == story["booking"][0]["event_id"]
    assert reversal["event_id"] == story["reversal"][0]["event_id"]
    assert booking["reversed_by"] == reversal["event_id"]
    assert reversal["corrects"] == booking["event_id"]
    assert booking.get("corrects") is None
    assert reversal.get("reversed_by") is None


def test_an_unreversed_booking_has_no_reversal_link(tree, write, cli):
    [booking] = write("actual", "book", "skola", "5", "--period", "2024-01")
    [row] = [e for e in cli.json("history", "skola")["events"] if e["kind"] == "actual_booked"]
    assert row["event_id"] == booking["event_id"]
    assert row["reversed_by"] is None


def test_the_receiving_side_of_a_transfer_is_in_its_own_history(story, cli):
    events = cli.json("history", "skola")["events"]
    assert [e["kind"] for e in events] == ["line_added", "budget_transferred"]
    assert events[1]["amount"] == "100.00"
    assert events[1]["recorded_at"] == story["transfer"][0]["recorded_at"]


def test_a_roll_up_history_includes_its_subtree_in_recording_order(story, write, cli):
    write("budget", "set", "it-drift", "50", *Y, *R)
    events = cli.json("history", "it")["events"]
    assert cli.json("history", "it")["code"] == "it"
    assert [(e["line"], e["kind"]) for e in events] == [
        ("it", "line_added"),
        ("it-sak", "line_added"),
        ("it-drift", "line_added"),
        ("it-sak", "budget_set"),
        ("it-sak", "budget_transferred"),
        ("it-sak", "forecast_revised"),
        ("it-sak", "actual_booked"),
        ("it-sak", "actual_reversed"),
        ("it-sak", "note_added"),
        ("it-drift", "budget_set"),
    ]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions)
    # skola's side of the transfer is outside the subtree.
    assert all(e["line"] != "skola" for e in events)


def test_a_deeper_roll_up_history_reaches_grandchildren(tree, ok, cli):
    ok("line", "add", "it-sak-fw", "--name", "Brandvägg", "--parent", "it-sak")
    ok("budget", "set", "it-sak-fw", "7", *Y, *R)
    lines = [e["line"] for e in cli.json("history", "it")["events"]]
    assert "it-sak-fw" in lines
    assert lines.count("it-sak-fw") == 2


def test_history_year_keeps_only_that_years_events(tree, ok, cli):
    ok("budget", "set", "skola", "100", "--year", "2023", *R)
    ok("actual", "book", "skola", "5", "--period", "2023-11")
    ok("budget", "set", "skola", "200", *Y, *R)
    ok("actual", "book", "skola", "7", "--period", "2024-02")
    ok("note", "add", "skola", "n", *Y, "--period", "2024-02")
    ok("forecast", "set", "skola", "210", "--year", "2025", "--as-of", "2025-01", *R)
    dated = [e for e in cli.json("history", "skola", "--year", "2024")["events"]
             if e["kind"] != "line_added"]
    assert [(e["kind"], e["amount"]) for e in dated] == [
        ("budget_set", "200.00"), ("actual_booked", "7.00"), ("note_added", None),
    ]
    all_events = cli.json("history", "skola")["events"]
    assert len([e for e in all_events if e["kind"] != "line_added"]) == 6


def test_history_without_json_is_a_table(story, ok, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    out = ok("history", "it-sak").stdout
    for word in ("budget", "återföring", "bertil", "Fel konto"):  # Swedish by default
        assert word in out
    english = ok("history", "it-sak", "--lang", "en").stdout
    for word in ("budget_set", "actual_reversed", "bertil", "Fel konto"):
        assert word in english
    # Each event's position (what `actual reverse` takes, as #N) and reference are shown.
    for event in cli.json("history", "it-sak")["events"]:
        assert f"#{event['position']}" in out and f"#{event['position']}" in english
        assert event["ref"] is None or event["ref"] in out

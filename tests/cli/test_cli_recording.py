"""What write commands print and record: event ids, positions, one recorded-at, the user."""

from __future__ import annotations

import getpass
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")
EVENT_KEYS = {"event_id", "position", "recorded_at", "line"}


def _utc(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    assert instant.tzinfo is not None, f"recorded_at without offset: {text}"
    assert instant.utcoffset() == timedelta(0), f"recorded_at not in UTC: {text}"
    return instant


def _assert_event_shape(event: dict) -> None:
    assert EVENT_KEYS <= set(event), event
    uuid.UUID(event["event_id"])
    assert isinstance(event["position"], int) and event["position"] > 0
    _utc(event["recorded_at"])


@pytest.fixture
def budgeted(tree, ok):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "set", "skola", "500", *Y, *R)


WRITES = [
    ("line", "add", "fritid", "--name", "Fritid"),
    ("budget", "set", "it-drift", "100", *Y, *R),
    ("forecast", "set", "it-sak", "1100", *Y, "--as-of", "2024-03", *R),
    ("actual", "book", "it-sak", "100", "--period", "2024-03", "--ref", "V-1"),
    ("note", "add", "it-sak", "Licenser dyrare", *Y, "--period", "2024-03"),
    ("period", "close", "2024-01"),
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: " ".join(a[:2]))
def test_a_write_command_prints_its_event_as_json(budgeted, write, args):
    [event] = write(*args)
    _assert_event_shape(event)


def test_the_json_of_a_write_is_one_document_with_an_events_list(budgeted, cli):
    result = cli("budget", "set", "it-drift", "250", *Y, *R, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc) == ["events"]
    assert [e["line"] for e in doc["events"]] == ["it-drift"]


def test_the_line_of_an_event_is_the_line_it_touches(budgeted, write):
    assert write("line", "add", "fritid", "--name", "Fritid")[0]["line"] == "fritid"
    [booking] = write("actual", "book", "skola", "10", "--period", "2024-02")
    assert booking["line"] == "skola"
    [reversal] = write("actual", "reverse", booking["event_id"], *R)
    assert reversal["line"] == "skola"
    assert reversal["event_id"] != booking["event_id"]


def test_a_close_touches_no_line(budgeted, write):
    [event] = write("period", "close", "2024-02")
    assert event["line"] is None


def test_a_transfer_records_two_events_in_one_command(budgeted, write):
    events = write("budget", "transfer", "it-sak", "skola", "300", *Y, *R)
    assert len(events) == 2
    for event in events:
        _assert_event_shape(event)
    assert {e["line"] for e in events} == {"it-sak", "skola"}
    assert events[0]["recorded_at"] == events[1]["recorded_at"]
    assert events[1]["position"] == events[0]["position"] + 1
    assert events[0]["event_id"] != events[1]["event_id"]


def test_the_two_sides_of_a_transfer_share_the_command_in_history(budgeted, write, cli):
    events = write("budget", "transfer", "it-sak", "skola", "300", *Y, *R)
    ids = {e["event_id"] for e in events}
    sides = [
        e
        for code in ("it-sak", "skola")
        for e in cli.json("history", code)["events"]
        if e["event_id"] in ids
    ]
    assert len(sides) == 2
    assert {e["amount"] for e in sides} == {"-300.00", "300.00"}
    assert len({e["recorded_at"] for e in sides}) == 1


def test_positions_grow_by_one_per_event(tree, write):
    first = write("budget", "set", "it-sak", "1", *Y, *R)
    pair = write("budget", "transfer", "it-sak", "skola", "1", *Y, *R)
    last = write("budget", "set", "it-drift", "1", *Y, *R)
    positions = [e["position"] for e in first + pair + last]
    assert positions == list(range(positions[0], positions[0] + 4))


def test_recorded_at_strictly_increases_from_command_to_command(tree, write):
    times = [
        _utc(write("actual", "book", "it-sak", "1", "--period", "2024-01")[0]["recorded_at"])
        for _ in range(5)
    ]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_recorded_at_is_the_system_clock_in_utc_not_any_month_given(tree, write):
    before = datetime.now(timezone.utc)
    [event] = write("actual", "book", "it-sak", "100", "--period", "1999-12")
    after = datetime.now(timezone.utc)
    recorded = _utc(event["recorded_at"])
    assert event["recorded_at"].endswith("+00:00")
    assert before - timedelta(seconds=1) <= recorded <= after + timedelta(seconds=1)


def test_recorded_at_ignores_the_local_time_zone(tree, cli, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    before = datetime.now(timezone.utc)
    result = cli("budget", "set", "it-sak", "1", *Y, *R, "--json")
    after = datetime.now(timezone.utc)
    recorded = _utc(json.loads(result.stdout)["events"][0]["recorded_at"])
    assert before - timedelta(seconds=1) <= recorded <= after + timedelta(seconds=1)


def _user_of(cli, event_id: str, code: str) -> str:
    [event] = [e for e in cli.json("history", code)["events"] if e["event_id"] == event_id]
    return event["user"]


def test_the_user_comes_from_prognos_user(tree, write, cli):
    [event] = write("budget", "set", "it-sak", "1", *Y, *R, user="bertil")
    assert _user_of(cli, event["event_id"], "it-sak") == "bertil"


def test_the_global_user_option_wins_over_prognos_user(tree, cli):
    result = cli("--user", "cecilia", "budget", "set", "it-sak", "1", *Y, *R, "--json",
                 user="bertil")
    assert result.exit_code == 0, result.stderr
    event_id = json.loads(result.stdout)["events"][0]["event_id"]
    assert _user_of(cli, event_id, "it-sak") == "cecilia"


def test_the_user_defaults_to_the_login_name(tree, cli):
    from prognos.cli.main import app

    env = {"PROGNOS_STORE": str(cli.store_path), "PROGNOS_USER": None}
    result = cli.runner.invoke(app, ["budget", "set", "it-sak", "1", *Y, *R, "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    event_id = json.loads(result.stdout)["events"][0]["event_id"]
    assert _user_of(cli, event_id, "it-sak") == getpass.getuser()


def test_every_event_of_a_transfer_carries_user_and_reason(tree, write, cli):
    events = write("budget", "transfer", "it-sak", "skola", "5", *Y, "--reason", "Omfördelning",
                   user="dagmar")
    for e in events:
        [row] = [h for h in cli.json("history", e["line"])["events"]
                 if h["event_id"] == e["event_id"]]
        assert row["user"] == "dagmar"
        assert row["reason"] == "Omfördelning"
        assert row["recorded_at"] == e["recorded_at"]
        assert row["position"] == e["position"]


def test_the_human_output_of_a_write_names_the_event(tree, ok):
    out = ok("budget", "set", "it-sak", "1", *Y, *R).stdout
    assert out.strip()
    assert "it-sak" in out


def test_the_global_store_option_wins_over_prognos_store(tree, cli, tmp_path):
    other = tmp_path / "other.db"
    result = cli("--store", str(other), "line", "add", "annan", "--name", "Annan")
    assert result.exit_code == 0, result.stderr
    assert other.exists()
    codes = [ln["code"] for ln in cli.json("report", *Y, "--as-of", "2024-01")["lines"]]
    assert "annan" not in codes
    result = cli("--store", str(other), "report", *Y, "--as-of", "2024-01", "--json")
    assert [ln["code"] for ln in json.loads(result.stdout)["lines"]] == ["annan"]


def test_no_moment_shows_half_a_transfer(budgeted, write, cli):
    from datetime import datetime as dt

    events = write("budget", "transfer", "it-sak", "skola", "300", *Y, *R)
    at = events[0]["recorded_at"]
    just_before = (dt.fromisoformat(at) - timedelta(microseconds=1)).isoformat()

    def budgets(known_at: str) -> tuple[str, str, str]:
        doc = cli.json("report", *Y, "--as-of", "2024-12", "--known-at", known_at)
        lines = {ln["code"]: ln["budget"] for ln in doc["lines"]}
        return lines["it-sak"], lines["skola"], doc["total"]["budget"]

    assert budgets(just_before) == ("1000.00", "500.00", "1500.00")
    assert budgets(at) == ("700.00", "800.00", "1500.00")

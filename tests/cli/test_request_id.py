"""Nothing booked twice by a retry (issue 13): every write command takes --request-id; the
same id sent again records nothing and prints the first answer (exit 0), the same id with
other content is refused (exit 1). The id is recorded on the command's events as
`request_id`; on PostgreSQL each event also records the database role that wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backends import is_postgres, position_column, query_sql

Y = ("--year", "2024")
R = ("--reason", "r")

# Every write command, as run after the `tree` fixture, by what it is asked.
WRITES = {
    "line add": ("line", "add", "ny", "--name", "Ny", "--parent", "it"),
    "budget set": ("budget", "set", "skola", "1 000", *Y, *R),
    "budget transfer": ("budget", "transfer", "it-sak", "it-drift", "100", *Y, *R),
    "forecast set": ("forecast", "set", "skola", "900", *Y, "--as-of", "2024-05", *R),
    "actual book": ("actual", "book", "skola", "75", "--period", "2024-03", "--ref", "V1"),
    "period close": ("period", "close", "2024-01"),
    "note add": ("note", "add", "skola", "Förklaring", *Y, "--period", "2024-03"),
}


@pytest.mark.parametrize("command", sorted(WRITES))
def test_a_request_sent_again_records_nothing_and_prints_the_first_answer(
    tree, cli, snapshot, command
):
    args = (*WRITES[command], "--request-id", f"req-{command}")
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    before = snapshot(cli.store_path)
    again = cli(*args)
    assert (again.exit_code, again.stdout, again.stderr) == (0, first.stdout, "")
    assert snapshot(cli.store_path) == before
    as_json = cli(*args, "--json")  # the same answer, in JSON too
    assert as_json.exit_code == 0 and snapshot(cli.store_path) == before
    events = json.loads(as_json.stdout)["events"]
    assert events and all(e["position"] < 10 for e in events)


@pytest.mark.parametrize("command", sorted(WRITES))
def test_the_request_id_is_recorded_on_the_commands_events(tree, cli, command):
    events = cli.json(*WRITES[command], "--request-id", "R-17")["events"]
    column = position_column(cli.store_path)
    recorded = [json.loads(bytes(state)) for e in events for (state,) in query_sql(
        cli.store_path, f"SELECT state FROM stored_events WHERE {column} = ?", e["position"])]
    assert len(recorded) == len(events) and {e["request_id"] for e in recorded} == {"R-17"}
    assert {e["db_role"] for e in recorded} == ({"postgres"} if is_postgres(cli.store_path)
                                                else {None})
    if events[0]["line"] is not None:  # and history shows it
        history = cli.json("history", events[0]["line"])["events"]
        assert {e["request_id"] for e in history if e["event_id"] == events[0]["event_id"]} == {
            "R-17"}


def test_the_same_amount_written_otherwise_is_the_same_request(tree, cli, snapshot):
    assert cli("budget", "set", "skola", "1000", *Y, *R, "--request-id", "a").exit_code == 0
    before = snapshot(cli.store_path)
    assert cli("budget", "set", "skola", "1 000,00", *Y, *R, "--request-id", "a").exit_code == 0
    assert snapshot(cli.store_path) == before


@pytest.mark.parametrize("other", [
    ("actual", "book", "skola", "76", "--period", "2024-03", "--ref", "V1"),
    ("actual", "book", "skola", "75", "--period", "2024-03", "--ref", "V1", "--reason", "x"),
    ("actual", "book", "skola", "75", "--period", "2024-03", "--ref", "V2"),
    ("actual", "book", "skola", "75", "--period", "2024-04", "--ref", "V1"),
    ("actual", "book", "it-sak", "75", "--period", "2024-03", "--ref", "V1"),
    ("note", "add", "skola", "Förklaring", *Y, "--period", "2024-03"),
])
def test_the_same_request_id_with_other_content_is_refused(tree, cli, refused, other):
    assert cli(*WRITES["actual book"], "--request-id", "x-1").exit_code == 0
    refused(*other, "--request-id", "x-1", names=["'x-1'", "other content", "nothing"])


def test_the_same_request_id_from_another_user_is_refused(tree, cli, refused):
    assert cli(*WRITES["actual book"], "--request-id", "x-1").exit_code == 0
    refused(*WRITES["actual book"], "--request-id", "x-1", user="bert", names="'x-1'")


def test_a_reversal_sent_again_reverses_once(tree, cli, write, snapshot):
    [booking] = write(*WRITES["actual book"])
    args = ("actual", "reverse", booking["event_id"], *R, "--request-id", "rev")
    first = cli(*args)
    before = snapshot(cli.store_path)
    again = cli(*args)
    assert first.exit_code == again.exit_code == 0 and first.stdout == again.stdout
    assert snapshot(cli.store_path) == before


def test_an_import_sent_again_prints_its_first_summary(tree, cli, snapshot, tmp_path: Path):
    path = tmp_path / "mars.csv"
    path.write_text("code;amount;month;ref\nskola;10;2024-03;A\nskola;0;2024-03;B\n",
                    encoding="utf-8")
    args = ("import", "actual", str(path), "--request-id", "imp-1", "--json")
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    before = snapshot(cli.store_path)
    again = cli(*args)
    assert (again.exit_code, again.stdout) == (0, first.stdout)
    assert json.loads(again.stdout)["already_imported"] is False  # the first answer, as it was
    assert snapshot(cli.store_path) == before
    path.write_text("code;amount;month;ref\nskola;11;2024-03;A\n", encoding="utf-8")
    assert cli(*args).exit_code == 1  # another file under the same request id


@pytest.mark.parametrize("bad", ["", "x" * 65, "a\nb", "tab\there"])
def test_a_request_id_that_is_empty_too_long_or_holds_control_characters_is_malformed(
    tree, usage_error, bad
):
    usage_error(*WRITES["actual book"], "--request-id", bad, names="--request-id")


def test_a_request_id_of_64_characters_is_taken(tree, cli):
    assert cli(*WRITES["actual book"], "--request-id", "å" * 64).exit_code == 0

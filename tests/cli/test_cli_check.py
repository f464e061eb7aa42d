"""`prognos check`: exit 0 on a healthy store, 1 once the views no longer match the log."""

from __future__ import annotations

import json

import pytest
from backends import execute_sql, position_column, query_sql

Y = ("--year", "2024")
R = ("--reason", "r")


@pytest.fixture
def healthy(tree, write, ok):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "set", "skola", "2000", *Y, *R)
    ok("budget", "transfer", "it-sak", "skola", "100", *Y, "--effective", "2024-03", *R)
    ok("forecast", "set", "it-drift", "300", *Y, "--as-of", "2024-04", *R)
    [booking] = write("actual", "book", "it-sak", "250", "--period", "2024-02")
    ok("actual", "reverse", booking["event_id"], *R)
    ok("actual", "book", "skola", "75", "--period", "2024-05")
    ok("note", "add", "skola", "n", *Y, "--period", "2024-05")
    ok("period", "close", "2024-02")


def run_check(cli) -> tuple[int, dict]:
    result = cli("check", "--json")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, json.loads(result.stdout)


def tamper(cli, sql: str, *params) -> None:
    changed = execute_sql(cli.store_path, sql, *params)
    assert changed > 0, f"tampering changed nothing: {sql}"


def assert_shape(doc: dict) -> None:
    assert set(doc) == {"ok", "head", "checks"}
    assert isinstance(doc["ok"], bool)
    assert doc["checks"]
    for c in doc["checks"]:
        assert set(c) == {"name", "ok", "detail"}, c
        assert isinstance(c["name"], str) and c["name"]
        assert isinstance(c["ok"], bool)
        assert isinstance(c["detail"], str)
    assert doc["ok"] == all(c["ok"] for c in doc["checks"])


def test_check_passes_on_a_healthy_store(healthy, cli):
    code, doc = run_check(cli)
    assert_shape(doc)
    assert code == 0
    assert doc["ok"] is True
    assert len({c["name"] for c in doc["checks"]}) == len(doc["checks"])


def test_check_passes_on_an_empty_store(cli):
    assert cli("init").exit_code == 0  # check reads, and creates no store (issue 11)
    code, doc = run_check(cli)
    assert_shape(doc)
    assert (code, doc["ok"]) == (0, True)


def test_check_without_json_exits_zero_and_prints_each_check(healthy, cli):
    result = cli("check")
    assert result.exit_code == 0
    names = [c["name"] for c in run_check(cli)[1]["checks"]]
    for name in names:
        assert name in result.stdout


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE prognos_entries SET amount = amount + 1 WHERE kind = 'budget_set'",
        "UPDATE prognos_entries SET amount = amount + 1 WHERE kind = 'forecast_revised'",
        "UPDATE prognos_entries SET amount = amount * 2 WHERE kind = 'actual_booked'",
        "UPDATE prognos_entries SET amount = -amount WHERE kind = 'budget_transferred' "
        "AND amount < 0",
        "UPDATE prognos_entries SET month = month + 1 WHERE kind = 'budget_transferred'",
        "UPDATE prognos_entries SET ref = 'V99' WHERE kind = 'actual_booked'",
        "UPDATE prognos_commands SET recorded_at = '2000-01-01T00:00:00.000000+00:00' "
        "WHERE position = (SELECT MIN(position) FROM prognos_commands)",
        "DELETE FROM prognos_commands WHERE position = (SELECT MAX(position) FROM prognos_commands)",
        "UPDATE prognos_entries SET corrects = NULL WHERE kind = 'actual_reversed'",
        "UPDATE prognos_entries SET line = 'it-drift' WHERE kind = 'actual_reversed'",
    ],
    ids=["budget-amount", "forecast-amount", "actual-amount", "transfer-sign", "transfer-month",
         "ref", "command-time", "command-mark", "reversal-link", "reversal-line"],
)
def test_check_fails_after_a_view_row_is_tampered_with(healthy, cli, sql):
    tamper(cli, sql)
    code, doc = run_check(cli)
    assert_shape(doc)
    assert code == 1
    assert doc["ok"] is False
    assert any(not c["ok"] for c in doc["checks"])


@pytest.mark.parametrize("kind", ["actual_booked", "budget_set", "note_added", "actual_reversed"])
def test_check_fails_after_a_view_row_is_deleted(healthy, cli, kind):
    tamper(cli, "DELETE FROM prognos_entries WHERE position = "
                "(SELECT MIN(position) FROM prognos_entries WHERE kind = ?)", kind)
    code, doc = run_check(cli)
    assert (code, doc["ok"]) == (1, False)


def test_check_fails_when_the_line_tree_view_is_tampered_with(healthy, cli):
    tamper(cli, "UPDATE prognos_lines SET parent = NULL WHERE code = 'it-sak'")
    code, doc = run_check(cli)
    assert (code, doc["ok"]) == (1, False)


def test_check_without_json_exits_one_on_a_broken_store(healthy, cli):
    tamper(cli, "UPDATE prognos_entries SET amount = amount + 1 WHERE kind = 'budget_set'")
    result = cli("check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "FEL views_equal_replay" in result.stdout  # Swedish by default
    assert "FAIL views_equal_replay" in cli("check", "--lang", "en").stdout


def test_rebuild_repairs_tampered_views(healthy, cli):
    report_before = cli.json("report", *Y, "--as-of", "2024-12")
    tamper(cli, "UPDATE prognos_entries SET amount = amount + 1 WHERE kind = 'budget_set'")
    assert run_check(cli)[0] == 1
    assert cli.json("report", *Y, "--as-of", "2024-12") != report_before
    result = cli("rebuild")
    assert result.exit_code == 0, result.stderr
    assert run_check(cli)[0] == 0
    assert cli.json("report", *Y, "--as-of", "2024-12") == report_before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE prognos_lines SET has_amounts = 0 WHERE code = 'it-sak'",
        "UPDATE prognos_lines SET has_amounts = 2 WHERE code = 'it-sak'",
        "UPDATE prognos_lines SET children = 0 WHERE code = 'it'",
        "UPDATE prognos_meta SET value = '2023-01' WHERE key = 'closed_through'",
    ],
    ids=["has_amounts", "has_amounts_not_a_flag", "children", "closed_through"],
)
def test_check_fails_after_a_view_the_rules_rely_on_is_tampered_with(healthy, cli, sql):
    tamper(cli, sql)
    code, doc = run_check(cli)
    assert (code, doc["ok"]) == (1, False)


def test_check_reads_every_year_and_names_each_check_once_in_order(healthy, cli, ok):
    ok("budget", "set", "it-sak", "1200", "--year", "2025", *R)
    ok("forecast", "set", "it-sak", "1300", "--year", "2025", "--as-of", "2025-06", *R)
    code, doc = run_check(cli)
    assert code == 0, doc
    assert [c["name"] for c in doc["checks"]] == [
        "views_up_to_date", "views_equal_replay", "decision_views_equal_replay",
        "recording_times", "log_obeys_rules", "reports_equal_replay", "rollups_sum_children",
        "transfers_net_to_zero", "reversal_links", "log_sealed",
    ]
    assert "2 year(s)" in next(c["detail"] for c in doc["checks"] if c["name"] == "reports_equal_replay")


def test_check_finds_a_tampered_report_figure_in_a_later_year(healthy, cli, ok):
    ok("budget", "set", "it-sak", "1200", "--year", "2025", *R)
    tamper(cli, "UPDATE prognos_entries SET amount = amount + 1 WHERE year = 2025")
    code, doc = run_check(cli)
    assert code == 1
    failed = {c["name"] for c in doc["checks"] if not c["ok"]}
    assert {"views_equal_replay", "reports_equal_replay"} <= failed


def _damage_event(cli, kind: str, edit, holding: bytes = b"") -> int:
    """Rewrite the stored state (or topic) of the first event of a kind (whose state holds
    `holding`), as damage or a foreign program would; its position."""
    column = position_column(cli.store_path)
    rows = query_sql(cli.store_path, f"SELECT {column}, topic, state FROM stored_events "
                                     f"ORDER BY {column}")
    for position, topic, state in rows:
        if topic.endswith(kind) and holding in bytes(state):
            new_topic, new_state = edit(topic, bytes(state))
            tamper(cli, f"UPDATE stored_events SET topic = ?, state = ? WHERE {column} = ?",
                   new_topic, new_state, position)
            return position
    raise AssertionError(f"no {kind} event")


@pytest.mark.parametrize(
    "kind, edit, needle",
    [
        ("ActualBooked", lambda t, s: (t, b"{bad"), "cannot be read"),
        ("ActualBooked", lambda t, s: ("prognos.events.ledger:Nope", s), "unknown event topic"),
        ("ActualBooked", lambda t, s: (t, s.replace(b'"amount":"', b'"amount":"x')),
         "cannot be read"),
        ("ActualBooked", lambda t, s: (t, s.replace(b'"period":"2024-02"', b'"period":"2024-13"')),
         "cannot be read"),
        ("ActualBooked", lambda t, s: (t, b'"x"'), "JSON object"),
        ("ActualBooked", lambda t, s: (t, s.replace(b'"class_version":2', b'"class_version":99')),
         "newer prognos"),
    ],
    ids=["not-json", "unknown-topic", "bad-amount", "month-13", "not-an-object",
         "future-version"],
)
def test_an_unreadable_event_fails_the_replay_checks_naming_its_position(
    healthy, cli, kind, edit, needle
):
    position = _damage_event(cli, kind, edit)
    code, doc = run_check(cli)
    assert_shape(doc)
    assert code == 1
    failed = {c["name"]: c["detail"] for c in doc["checks"] if not c["ok"]}
    assert needle in failed["views_equal_replay"]
    assert f"position {position}" in failed["views_equal_replay"]
    assert {"decision_views_equal_replay", "reports_equal_replay"} <= failed.keys()
    human = cli("check")
    assert human.exit_code == 1 and "Traceback" not in human.output
    # A command that shows the event's fields as stored: them, or one line and exit 1.
    history = cli("history", "it-sak")
    assert history.exception is None or isinstance(history.exception, SystemExit)
    if history.exit_code:
        assert history.exit_code == 1, history.output
        assert history.stderr.count("\n") == 1 and f"position {position}" in history.stderr


def test_an_event_deleted_from_the_middle_of_the_log_is_named_by_history(healthy, cli):
    """Its view row outlives it: history, which reads each event for its audit fields, says
    which position is missing in one line (a traceback before)."""
    column = position_column(cli.store_path)
    [(position,)] = query_sql(
        cli.store_path, f"SELECT {column} FROM stored_events WHERE topic LIKE '%ActualBooked' "
        f"ORDER BY {column} LIMIT 1")
    tamper(cli, f"DELETE FROM stored_events WHERE {column} = ?", position)
    for args in (("history", "it-sak"), ("history", "it", "--json")):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"position {position}" in result.stderr and "missing" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert run_check(cli)[0] == 1


@pytest.mark.parametrize(
    "kind, edit, needle",
    [
        ("ActualBooked", lambda t, s: (t, s.replace(b'"code":"it-sak"', b'"code":"ghost"')),
         "unknown line"),
        ("LineAdded", lambda t, s: (t, s.replace(b'"parent":"it"', b'"parent":"nope"')),
         "unknown parent"),
    ],
    ids=["booking-for-no-line", "line-under-no-parent"],
)
def test_an_event_naming_a_line_that_was_never_added_fails_check(healthy, cli, kind, edit,
                                                                 needle):
    _damage_event(cli, kind, edit, holding=b'"it-sak"')
    assert cli("rebuild").exit_code == 0  # the views follow the log as it is
    code, doc = run_check(cli)
    assert code == 1
    failed = {c["name"]: c["detail"] for c in doc["checks"] if not c["ok"]}
    assert needle in failed["decision_views_equal_replay"]


@pytest.mark.parametrize(
    "edit",
    [lambda t, s: (t, b'"x"'),
     lambda t, s: (t, s.replace(b'"amount":"', b'"amount":12.5,"was":"'))],
    ids=["not-an-object", "amount-as-a-number"],
)
def test_a_rebuild_meeting_a_damaged_event_fails_in_one_line_and_keeps_the_views(healthy, cli,
                                                                                  edit):
    before = query_sql(cli.store_path, "SELECT * FROM prognos_entries ORDER BY position")
    _damage_event(cli, "ActualBooked", edit, holding=b'"it-sak"')
    result = cli("rebuild")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert "cannot follow the log" in result.stderr
    assert query_sql(cli.store_path, "SELECT * FROM prognos_entries ORDER BY position") == before


# ---------------------------------------------------------------------------
# Seals: a hash chain over the log, written with the events, never rebuilt
# ---------------------------------------------------------------------------


def _failed(cli) -> dict[str, str]:
    code, doc = run_check(cli)
    failed = {c["name"]: c["detail"] for c in doc["checks"] if not c["ok"]}
    assert (code == 1) == bool(failed)
    return failed


@pytest.mark.parametrize(
    "needle, edit",
    [
        (b'"user":"anna"', lambda t, s: (t, s.replace(b'"user":"anna"', b'"user":"eva"'))),
        (b'"reason":"r"', lambda t, s: (t, s.replace(b'"reason":"r"', b'"reason":"ok"'))),
        (b'"text":"n"', lambda t, s: (t, s.replace(b'"text":"n"', b'"text":"x"'))),
    ],
    ids=["user", "reason", "note-text"],
)
def test_an_audit_field_changed_behind_prognos_fails_the_seal_check_only(healthy, cli, needle,
                                                                         edit):
    """The views hold no user, reason or note text, so only the seal can see the edit."""
    kinds = {b'"text":"n"': "NoteAdded"}
    position = _damage_event(cli, kinds.get(needle, ""), edit, holding=needle)
    failed = _failed(cli)
    assert set(failed) == {"log_sealed"}
    assert f"-{position} differ" in failed["log_sealed"] or f"{position}-" in failed["log_sealed"]


def test_a_removed_last_event_fails_the_seal_check(healthy, cli):
    column = position_column(cli.store_path)
    tamper(cli, f"DELETE FROM stored_events WHERE {column} = (SELECT MAX({column}) "
                "FROM stored_events)")
    assert "log_sealed" in _failed(cli)


def test_rebuild_leaves_the_seals_alone_and_check_passes(healthy, cli):
    seals = query_sql(cli.store_path, "SELECT position, digest FROM prognos_seals ORDER BY 1")
    assert seals and seals[-1][0] == query_sql(
        cli.store_path, f"SELECT MAX({position_column(cli.store_path)}) FROM stored_events")[0][0]
    assert cli("rebuild").exit_code == 0
    assert query_sql(cli.store_path, "SELECT position, digest FROM prognos_seals ORDER BY 1") == seals
    assert _failed(cli) == {}
    head = next(c["detail"] for c in run_check(cli)[1]["checks"] if c["name"] == "log_sealed")
    assert seals[-1][1] in head  # the head seal, for an auditor to keep


def test_a_store_from_before_sealing_is_sealed_by_its_next_write(healthy, cli, ok):
    execute_sql(cli.store_path, "DROP TABLE prognos_seals")  # a store from before seals
    last = query_sql(cli.store_path,
                     f"SELECT MAX({position_column(cli.store_path)}) FROM stored_events")[0][0]
    code, doc = run_check(cli)  # opening it makes the table; nothing is sealed yet
    detail = next(c["detail"] for c in doc["checks"] if c["name"] == "log_sealed")
    assert code == 0 and f"the {last} events are not protected until the next write" in detail
    ok("line", "add", "ny", "--name", "Ny")
    assert query_sql(cli.store_path, "SELECT position FROM prognos_seals") == [(last + 1,)]
    assert _failed(cli) == {}
    _damage_event(cli, "BudgetSet", lambda t, s: (t, s.replace(b'"reason":"r"', b'"reason":"x"')),
                  holding=b'"reason":"r"')
    assert "log_sealed" in _failed(cli)  # the older events are covered too


def test_events_after_the_last_seal_fail_check_and_are_never_sealed_in(healthy, cli, ok,
                                                                       refused):
    """Every write seals its events, so an unsealed tail of a sealed log came another way:
    here the last event's user is changed and its seal removed, as a forger would."""
    column = position_column(cli.store_path)
    [(last,)] = query_sql(cli.store_path, f"SELECT MAX({column}) FROM stored_events")
    tamper(cli, f"UPDATE stored_events SET state = ? WHERE {column} = ?",
           bytes(query_sql(cli.store_path, f"SELECT state FROM stored_events WHERE {column} = ?",
                           last)[0][0]).replace(b'"user":"anna"', b'"user":"eva"'), last)
    execute_sql(cli.store_path, "DELETE FROM prognos_seals WHERE position = ?", last)
    failed = _failed(cli)
    assert set(failed) == {"log_sealed"} and "have no seal" in failed["log_sealed"]
    refused("line", "add", "ny", "--name", "Ny", names="after its last seal")
    assert "log_sealed" in _failed(cli)  # and it was not sealed in


@pytest.mark.sqlite_only  # SQLite keeps whatever type it is given; PostgreSQL does not
def test_a_state_rewritten_as_text_fails_the_seal_check_without_a_traceback(healthy, cli):
    [position] = [p for p, s in query_sql(cli.store_path, "SELECT rowid, state FROM stored_events")
                  if b'"reason":"r"' in bytes(s)][-1:]
    # SQLite's replace() gives TEXT: the easiest edit there is leaves a state of another type
    tamper(cli, "UPDATE stored_events SET state = replace(CAST(state AS TEXT), "
                "'\"reason\":\"r\"', '\"reason\":\"x\"') WHERE rowid = ?", position)
    tamper(cli, "UPDATE stored_events SET topic = CAST(topic AS BLOB) WHERE rowid = 1")
    assert "log_sealed" in _failed(cli)


def test_a_store_whose_views_tracking_was_dropped_is_folded_again(healthy, cli):
    execute_sql(cli.store_path, "DROP TABLE tracking")
    assert _failed(cli) == {}

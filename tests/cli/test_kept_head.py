"""The auditor's kept head (issue 13): `check` prints it as SEAL@POSITION, `period close`
prints the one it leaves, and `check --expect-head` fails, naming the position, once the
log no longer extends it, even when whoever rewrote the log recomputed every seal."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from backends import execute_sql, position_column, query_sql

from prognos.projections.store.seals import START

Y = ("--year", "2024")
R = ("--reason", "r")
HEAD = re.compile(r"^[0-9a-f]{64}@[0-9]+$")


@pytest.fixture
def closed(tree, write, ok) -> str:
    """A month's work, closed: the head the close printed."""
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "transfer", "it-sak", "it-drift", "100", *Y, *R)
    [booking] = write("actual", "book", "it-sak", "250", "--period", "2024-01", "--ref", "V1")
    ok("actual", "reverse", booking["event_id"], *R)
    ok("actual", "book", "skola", "75", "--period", "2024-01")
    shown = ok("period", "close", "2024-01").stdout.splitlines()[-1]
    head = shown.rsplit(" ", 1)[1]
    assert shown.startswith("huvud (sigill@position): ") and HEAD.match(head)
    return head


def expect(cli, head: str, *extra: str) -> tuple[int, dict]:
    result = cli("check", "--expect-head", head, "--json", *extra)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def test_check_and_the_close_print_the_same_head_the_last_seal_at_its_position(closed, cli):
    [(position, digest)] = query_sql(
        cli.store_path, "SELECT position, digest FROM prognos_seals ORDER BY position DESC LIMIT 1")
    assert closed == f"{digest}@{position}"
    assert cli.json("check")["head"] == closed
    text = cli("check").stdout.splitlines()
    assert text[-1] == f"huvud (sigill@position): {closed}"
    assert cli("check", "--head-only").stdout == closed + "\n"  # for a script to file
    assert cli.json("check", "--head-only") == {"ok": True, "head": closed}
    closing = cli.json("period", "close", "2024-02")
    assert closing["head"] == cli.json("check", "--head-only")["head"] != closed


def test_a_kept_head_passes_as_it_is_and_after_the_log_grew(closed, cli, ok):
    code, doc = expect(cli, closed)
    assert code == 0 and doc["expected_head"]["status"] == "same" and doc["ok"]
    ok("actual", "book", "skola", "5", "--period", "2024-02")
    code, doc = expect(cli, closed)
    assert code == 0 and doc["expected_head"]["status"] == "grown"
    assert doc["expected_head"]["last"] == doc["expected_head"]["position"] + 1
    assert cli("check", "--expect-head", closed, "--head-only").exit_code == 0


def _recompute_every_seal(where) -> None:
    """What a forger able to write the database does after rewriting the log: every seal
    made again from the events as they now stand, so that the store's own check passes."""
    column = position_column(where)
    events = query_sql(where, f"SELECT {column}, topic, state FROM stored_events "
                              f"ORDER BY {column}")
    bounds = [p for (p,) in query_sql(where, "SELECT position FROM prognos_seals ORDER BY 1")]
    last = events[-1][0] if events else 0
    bounds = [p for p in bounds if p < last] + [last]
    execute_sql(where, "DELETE FROM prognos_seals")
    h, digests = hashlib.sha256(START), []
    for position, topic, state in events:
        h.update(topic.encode())
        h.update(bytes(state))
        if position in bounds:
            digests.append((position, h.digest().hex()))
            h = hashlib.sha256(h.digest())
    for position, digest in digests:
        execute_sql(where, "INSERT INTO prognos_seals (position, digest) VALUES (?, ?)",
                    position, digest)


def _edit_state(where, position: int, old: bytes, new: bytes) -> None:
    column = position_column(where)
    [(state,)] = query_sql(where, f"SELECT state FROM stored_events WHERE {column} = ?", position)
    assert old in bytes(state)
    execute_sql(where, f"UPDATE stored_events SET state = ? WHERE {column} = ?",
                bytes(state).replace(old, new), position)


def _position_holding(where, needle: bytes) -> int:
    column = position_column(where)
    rows = query_sql(where, f"SELECT {column}, state FROM stored_events ORDER BY {column}")
    return next(p for p, s in rows if needle in bytes(s))


def _swap(where, a: int, b: int) -> None:
    column = position_column(where)
    rows = {p: (t, bytes(s)) for p, t, s in query_sql(
        where, f"SELECT {column}, topic, state FROM stored_events WHERE {column} IN (?, ?)", a, b)}
    for here, there in ((a, b), (b, a)):
        execute_sql(where, f"UPDATE stored_events SET topic = ?, state = ? WHERE {column} = ?",
                    *rows[there], here)


TAMPERING = {
    # name: how the log is rewritten (then every seal is made again from it)
    "user-changed": lambda w: _edit_state(w, 2, b'"user":"anna"', b'"user":"eva"'),
    "amount-changed": lambda w: _edit_state(
        w, _position_holding(w, b'"ref":"V1"'), b'"amount":"250', b'"amount":"25'),
    "reason-changed": lambda w: _edit_state(
        w, _position_holding(w, b'"reason":"r"'), b'"reason":"r"', b'"reason":"ok"'),
    "middle-event-deleted": lambda w: execute_sql(
        w, f"DELETE FROM stored_events WHERE {position_column(w)} = 3"),
    "first-event-deleted": lambda w: execute_sql(
        w, f"DELETE FROM stored_events WHERE {position_column(w)} = 1"),
    "two-events-swapped": lambda w: _swap(w, 2, 3),
    "kind-changed": lambda w: execute_sql(
        w, "UPDATE stored_events SET topic = replace(topic, 'BudgetSet', 'ForecastRevised') "
           "WHERE topic LIKE '%BudgetSet'"),
    "seal-rows-deleted": lambda w: execute_sql(w, "DELETE FROM prognos_seals WHERE position < 5"),
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_a_rewritten_history_fails_the_kept_head_though_every_seal_was_recomputed(
    closed, cli, how
):
    TAMPERING[how](cli.store_path)
    _recompute_every_seal(cli.store_path)
    code, doc = expect(cli, closed)
    position = int(closed.rsplit("@", 1)[1])
    sealed = {c["name"]: c for c in doc["checks"]}["log_sealed"]
    assert sealed["ok"], sealed  # the forger's seals agree with the forged log
    assert code == 1 and not doc["ok"]
    assert doc["expected_head"]["status"] == "differs" and not doc["expected_head"]["ok"]
    assert f"position {position}" in doc["expected_head"]["detail"]
    text = cli("check", "--expect-head", closed, "--head-only")
    assert text.exit_code == 1
    assert text.stdout.startswith("FEL expected_head:") and f"position {position}" in text.stdout


def test_a_truncated_history_fails_the_kept_head_naming_both_positions(closed, cli, ok):
    position = int(closed.rsplit("@", 1)[1])
    column = position_column(cli.store_path)
    execute_sql(cli.store_path, f"DELETE FROM stored_events WHERE {column} >= ?", position - 1)
    execute_sql(cli.store_path, "DELETE FROM prognos_seals WHERE position >= ?", position - 2)
    _recompute_every_seal(cli.store_path)
    code, doc = expect(cli, closed)
    assert code == 1 and doc["expected_head"]["status"] == "truncated"
    assert doc["expected_head"]["last"] == position - 2
    assert f"ends at position {position - 2}" in doc["expected_head"]["detail"]


def test_a_head_that_is_not_seal_at_position_is_a_usage_error(closed, usage_error):
    for bad in ("abc@3", closed.replace("@", "#"), closed + "x", "@3", closed.split("@")[0]):
        usage_error("check", "--expect-head", bad, names="--expect-head")


# -- writes after a tail that does not match its last seal -------------------------------

def test_a_write_after_the_last_events_were_removed_is_refused_in_one_line(closed, cli,
                                                                          refused):
    column = position_column(cli.store_path)
    execute_sql(cli.store_path, f"DELETE FROM stored_events WHERE {column} = "
                                f"(SELECT MAX({column}) FROM stored_events)")
    line = refused("actual", "book", "skola", "1", "--period", "2024-03",
                   names=["last seal is at position", "removed", "nothing is recorded"])
    assert "UNIQUE" not in line and "duplicate key" not in line


def test_a_write_after_the_last_write_was_changed_is_refused_in_one_line(closed, cli, refused):
    position = int(closed.rsplit("@", 1)[1])
    _edit_state(cli.store_path, position, b'"user":"anna"', b'"user":"eva"')
    refused("line", "add", "ny", "--name", "Ny",
            names=[f"{position}", "no longer match their seal", "nothing is recorded"])


# -- the log obeys its own rules, however an event got there -----------------------------

def _rules_fault(cli) -> str:
    result = cli("check", "--json")
    doc = json.loads(result.stdout)
    failed = {c["name"]: c["detail"] for c in doc["checks"] if not c["ok"]}
    assert result.exit_code == 1 and "log_obeys_rules" in failed, failed
    return failed["log_obeys_rules"]


def _last_position(cli) -> int:
    column = position_column(cli.store_path)
    return query_sql(cli.store_path, f"SELECT MAX({column}) FROM stored_events")[0][0]


def test_a_booking_into_a_closed_month_let_in_by_a_deleted_view_row_fails_check(closed, cli,
                                                                                 ok):
    execute_sql(cli.store_path, "DELETE FROM prognos_meta WHERE key = 'closed_through'")
    ok("actual", "book", "skola", "9", "--period", "2024-01")  # the views no longer know
    ok("rebuild")  # and now the views agree with the log
    fault = _rules_fault(cli)
    assert f"position {_last_position(cli)}" in fault and "2024-01 is closed" in fault


def test_an_amount_on_a_line_with_children_fails_check(closed, cli, ok):
    execute_sql(cli.store_path, "UPDATE prognos_lines SET children = 0 WHERE code = 'it'")
    ok("budget", "set", "it", "5", *Y, "--effective", "2024-03", *R)
    ok("rebuild")
    fault = _rules_fault(cli)
    assert f"position {_last_position(cli)}" in fault and "has children" in fault


def test_an_event_on_a_line_never_added_fails_check(closed, cli, ok):
    execute_sql(cli.store_path, "INSERT INTO prognos_lines (code, name, parent, children, "
                                "has_amounts, position, depth) VALUES ('spök', 'S', NULL, 0, 0, "
                                "0, 0)")
    ok("actual", "book", "spök", "5", "--period", "2024-03")
    ok("rebuild")
    assert f"position {_last_position(cli)}" in _rules_fault(cli)


def test_a_second_reversal_fails_check_and_rebuild_says_it_cannot_fold_it(closed, cli, ok,
                                                                         refused):
    [(event_id,)] = query_sql(cli.store_path, "SELECT corrects FROM prognos_entries WHERE "
                                              "corrects IS NOT NULL")
    execute_sql(cli.store_path, "UPDATE prognos_entries SET corrects = NULL")
    ok("actual", "reverse", event_id, "--period", "2024-02", *R)
    # The views cannot hold a booking reversed twice: rebuild says so, and changes nothing.
    refused("rebuild", names=["cannot be folded into views", "prognos check"])
    fault = _rules_fault(cli)
    assert f"position {_last_position(cli)}" in fault and "already reversed" in fault


def test_a_reversal_of_a_reversal_fails_check(closed, cli, ok):
    [(event_id,)] = query_sql(cli.store_path, "SELECT event_id FROM prognos_entries WHERE "
                                              "corrects IS NOT NULL")
    execute_sql(cli.store_path, "UPDATE prognos_entries SET kind = 'actual_booked' "
                                "WHERE event_id = ?", event_id)
    ok("actual", "reverse", event_id, "--period", "2024-02", *R)
    ok("rebuild")
    fault = _rules_fault(cli)
    assert f"position {_last_position(cli)}" in fault and "no earlier actual booking" in fault


def _other_command(state: bytes) -> tuple[bytes, bytes]:
    command = re.search(rb'"command_id":"([0-9a-f-]{36})"', state)[1]  # type: ignore[index]
    return command, (b"f" if command[:1] != b"f" else b"e") + command[1:]


@pytest.mark.parametrize("said", ["do not net to zero", "different commands"])
def test_a_transfer_that_does_not_net_to_zero_or_share_a_command_fails_check(closed, cli, said):
    position = _position_holding(cli.store_path, b'"counterpart":"it-sak"')  # its second side
    column = position_column(cli.store_path)
    [(state,)] = query_sql(cli.store_path, f"SELECT state FROM stored_events WHERE {column} = ?",
                           position)
    edit = ((b'"amount":"100', b'"amount":"101') if said == "do not net to zero"
            else _other_command(bytes(state)))
    _edit_state(cli.store_path, position, *edit)
    _recompute_every_seal(cli.store_path)  # only the rules can tell
    fault = _rules_fault(cli)
    assert f"position {position}" in fault and said in fault


def test_a_close_sent_again_prints_the_head_its_first_answer_left(closed, cli, ok):
    first = ok("period", "close", "2024-02", "--request-id", "stängning-feb").stdout
    ok("actual", "book", "skola", "5", "--period", "2024-03")  # the log grows meanwhile
    again = ok("period", "close", "2024-02", "--request-id", "stängning-feb").stdout
    assert again == first and first.splitlines()[-1].startswith("huvud (sigill@position): ")
    assert cli("check", "--head-only").stdout.strip() not in first

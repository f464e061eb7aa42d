"""The forecast bridge (`why`) and the replay report, on small hand-built ledgers.

The FakeClock moves one hour per command, so every command has a known
recorded-at that `known_at` can cut between.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from prognos.domain.application import Ledger
from prognos.domain.clock import format_instant
from prognos.events.errors import MonthOutsideYearError, RefusedError, UnknownLineError
from prognos.events.period import YearMonth
from prognos.projections.reports.bridge import Bridge, bridge
from prognos.projections.reports.replay import replay_report, replay_reports
from prognos.projections.reports.report import report

M = YearMonth.parse
D = Decimal
pytestmark = pytest.mark.memory


def tick(clock: Any) -> None:
    clock.advance(hours=1)


def forecast_of(store: Any, code: str, as_of: str, known_at: datetime | None = None) -> Decimal:
    rows = {r.code: r for r in report(store, int(as_of[:4]), M(as_of), known_at).rows}
    return rows[code].forecast


def chained(b: Bridge) -> None:
    """Each step starts where the previous ended; deltas sum exactly to the change."""
    running = b.from_forecast
    for step in b.steps:
        assert step.before == running
        assert step.after == step.before + step.delta
        assert step.delta != 0
        running = step.after
    assert running == b.to_forecast
    assert sum((s.delta for s in b.steps), D(0)) == b.change


# --- bridge on one leaf ----------------------------------------------------------


@pytest.fixture
def leaf_ledger(ledger: Ledger, clock: Any) -> Ledger:
    ledger.add_line("a", "A")
    tick(clock)
    ledger.set_budget("a", D("1200"), 2024, "KF")
    tick(clock)
    ledger.revise_forecast("a", D("1500"), 2024, M("2024-03"), "prognos mars")
    tick(clock)
    ledger.set_budget("a", D("1000"), 2024, "ny budget", M("2024-04"))  # a is revised: no effect
    tick(clock)
    ledger.revise_forecast("a", D("1400"), 2024, M("2024-05"), "prognos maj")
    tick(clock)
    ledger.revise_forecast("a", D("9999"), 2025, M("2025-03"), "annat år")
    return ledger


def test_bridge_of_a_leaf_lists_the_revisions_that_moved_its_forecast(
    leaf_ledger: Ledger,
) -> None:
    b = bridge(leaf_ledger.store, "a", 2024, M("2024-01"), M("2024-06"))
    assert (b.from_forecast, b.to_forecast, b.change) == (D("1200"), D("1400"), D("200"))
    assert [(s.kind, str(s.month), s.before, s.after, s.delta) for s in b.steps] == [
        ("forecast_revised", "2024-03", D("1200"), D("1500"), D("300")),
        ("forecast_revised", "2024-05", D("1500"), D("1400"), D("-100")),
    ]
    chained(b)


def test_bridge_steps_carry_the_audit_fields_of_their_event(leaf_ledger: Ledger) -> None:
    b = bridge(leaf_ledger.store, "a", 2024, M("2024-01"), M("2024-06"))
    events = {str(e.event_id): e for e in leaf_ledger.store.notifications()}
    for step in b.steps:
        event = events[step.event_id]
        assert step.user == event.user == "anna"
        assert step.recorded_at == format_instant(event.recorded_at)
        assert step.reason == event.reason
        assert step.line == "a"
    assert [s.reason for s in b.steps] == ["prognos mars", "prognos maj"]


def test_bridge_omits_budget_changes_of_a_line_already_revised(leaf_ledger: Ledger) -> None:
    b = bridge(leaf_ledger.store, "a", 2024, M("2024-03"), M("2024-04"))
    assert b.steps == []
    assert b.from_forecast == b.to_forecast == D("1500")


def test_bridge_counts_events_of_the_from_month_in_the_opening_forecast(
    leaf_ledger: Ledger,
) -> None:
    b = bridge(leaf_ledger.store, "a", 2024, M("2024-03"), M("2024-12"))
    assert b.from_forecast == D("1500")
    assert [str(s.month) for s in b.steps] == ["2024-05"]


def test_bridge_from_and_to_equal_the_report_forecasts(leaf_ledger: Ledger) -> None:
    store = leaf_ledger.store
    for frm, to in [("2024-01", "2024-12"), ("2024-02", "2024-04"), ("2024-06", "2024-06")]:
        b = bridge(store, "a", 2024, M(frm), M(to))
        assert b.from_forecast == forecast_of(store, "a", frm)
        assert b.to_forecast == forecast_of(store, "a", to)
        chained(b)


def test_bridge_of_one_month_has_no_steps(leaf_ledger: Ledger) -> None:
    b = bridge(leaf_ledger.store, "a", 2024, M("2024-05"), M("2024-05"))
    assert b.steps == [] and b.change == 0


def test_bridge_ignores_other_years(leaf_ledger: Ledger) -> None:
    b = bridge(leaf_ledger.store, "a", 2025, M("2025-01"), M("2025-12"))
    assert b.from_forecast == 0
    assert [(str(s.month), s.delta) for s in b.steps] == [("2025-03", D("9999"))]


def test_bridge_orders_steps_by_month_then_recording(ledger: Ledger, clock: Any) -> None:
    ledger.add_line("a", "A")
    tick(clock)
    ledger.revise_forecast("a", D("300"), 2024, M("2024-04"), "april, recorded first")
    tick(clock)
    ledger.revise_forecast("a", D("200"), 2024, M("2024-03"), "mars, recorded later")
    tick(clock)
    ledger.revise_forecast("a", D("250"), 2024, M("2024-03"), "mars again")
    b = bridge(ledger.store, "a", 2024, M("2024-01"), M("2024-04"))
    assert [(s.reason, s.before, s.after) for s in b.steps] == [
        ("mars, recorded later", D("0"), D("200")),
        ("mars again", D("200"), D("250")),
        ("april, recorded first", D("250"), D("300")),
    ]
    chained(b)


def test_budget_changes_of_an_unrevised_line_are_steps(ledger: Ledger, clock: Any) -> None:
    ledger.add_line("a", "A")
    ledger.set_budget("a", D("100"), 2024, "KF")
    tick(clock)
    ledger.set_budget("a", D("80"), 2024, "sparbeting", M("2024-02"))
    tick(clock)
    ledger.set_budget("a", D("80"), 2024, "samma igen", M("2024-03"))  # zero delta
    b = bridge(ledger.store, "a", 2024, M("2024-01"), M("2024-12"))
    assert [(s.kind, s.delta, s.reason) for s in b.steps] == [("budget_set", D("-20"), "sparbeting")]


# --- bridge on a roll-up -----------------------------------------------------------


@pytest.fixture
def rollup_ledger(ledger: Ledger, clock: Any) -> Ledger:
    """kommun > (it > (it-a, it-b), hr), with budgets set in January."""
    ledger.add_line("kommun", "Kommun")
    ledger.add_line("it", "IT", parent="kommun")
    ledger.add_line("it-a", "IT A", parent="it")
    ledger.add_line("it-b", "IT B", parent="it")
    ledger.add_line("hr", "HR", parent="kommun")
    for code, amount in [("it-a", "1000"), ("it-b", "2000"), ("hr", "500")]:
        ledger.set_budget(code, D(amount), 2024, "KF")
    tick(clock)
    return ledger


def test_transfer_inside_the_queried_roll_up_nets_to_zero_and_is_left_out(
    rollup_ledger: Ledger, clock: Any
) -> None:
    rollup_ledger.transfer_budget("it-a", "it-b", D("100"), 2024, "inom IT", M("2024-03"))
    tick(clock)
    it = bridge(rollup_ledger.store, "it", 2024, M("2024-01"), M("2024-12"))
    assert it.steps == [] and it.change == 0 and it.from_forecast == D("3000")
    a = bridge(rollup_ledger.store, "it-a", 2024, M("2024-01"), M("2024-12"))
    assert [(s.kind, s.delta) for s in a.steps] == [("budget_transferred", D("-100"))]
    b = bridge(rollup_ledger.store, "it-b", 2024, M("2024-01"), M("2024-12"))
    assert [(s.kind, s.delta) for s in b.steps] == [("budget_transferred", D("100"))]


def test_transfer_out_of_the_roll_up_is_one_step_on_it_and_nothing_on_the_whole(
    rollup_ledger: Ledger, clock: Any
) -> None:
    [give, _] = rollup_ledger.transfer_budget("it-a", "hr", D("40"), 2024, "till HR", M("2024-02"))
    it = bridge(rollup_ledger.store, "it", 2024, M("2024-01"), M("2024-12"))
    assert [(s.line, s.delta, s.event_id) for s in it.steps] == [("it-a", D("-40"), str(give.event_id))]
    kommun = bridge(rollup_ledger.store, "kommun", 2024, M("2024-01"), M("2024-12"))
    assert kommun.steps == [] and kommun.from_forecast == kommun.to_forecast == D("3500")


def test_one_command_in_one_month_is_one_step_whose_delta_is_its_net_effect(
    rollup_ledger: Ledger, clock: Any
) -> None:
    rollup_ledger.revise_forecast("it-b", D("2500"), 2024, M("2024-02"), "prognos B")
    tick(clock)
    # it-b is revised, so only it-a's side of the transfer moves the forecast
    [give, take] = rollup_ledger.transfer_budget("it-b", "it-a", D("300"), 2024, "B ger A", M("2024-03"))
    tick(clock)
    b = bridge(rollup_ledger.store, "it", 2024, M("2024-01"), M("2024-12"))
    assert [(s.kind, s.line, str(s.month), s.delta) for s in b.steps] == [
        ("forecast_revised", "it-b", "2024-02", D("500")),
        ("budget_transferred", "it-a", "2024-03", D("300")),
    ]
    assert b.steps[1].event_id == str(take.event_id)
    assert b.to_forecast == D("1300") + D("2500") == forecast_of(rollup_ledger.store, "it", "2024-12")
    chained(b)


def test_separate_commands_in_the_same_month_are_separate_steps(
    rollup_ledger: Ledger, clock: Any
) -> None:
    rollup_ledger.revise_forecast("it-a", D("1100"), 2024, M("2024-04"), "första")
    tick(clock)
    rollup_ledger.revise_forecast("it-b", D("1900"), 2024, M("2024-04"), "andra")
    tick(clock)
    rollup_ledger.revise_forecast("it-a", D("1150"), 2024, M("2024-04"), "tredje")
    b = bridge(rollup_ledger.store, "it", 2024, M("2024-01"), M("2024-04"))
    assert [(s.reason, s.before, s.after, s.delta) for s in b.steps] == [
        ("första", D("3000"), D("3100"), D("100")),
        ("andra", D("3100"), D("3000"), D("-100")),
        ("tredje", D("3000"), D("3050"), D("50")),
    ]
    chained(b)


def test_bridge_of_a_roll_up_ignores_lines_outside_it(rollup_ledger: Ledger, clock: Any) -> None:
    rollup_ledger.revise_forecast("hr", D("900"), 2024, M("2024-05"), "HR")
    b = bridge(rollup_ledger.store, "it", 2024, M("2024-01"), M("2024-12"))
    assert b.steps == []
    whole = bridge(rollup_ledger.store, "kommun", 2024, M("2024-01"), M("2024-12"))
    assert [(s.line, s.delta) for s in whole.steps] == [("hr", D("400"))]


def test_bridge_deltas_sum_to_the_change_on_a_busy_roll_up(rollup_ledger: Ledger, clock: Any) -> None:
    lg = rollup_ledger
    lg.transfer_budget("it-a", "hr", D("10.50"), 2024, "t1", M("2024-02"))
    tick(clock)
    lg.revise_forecast("it-a", D("950"), 2024, M("2024-03"), "f1")
    tick(clock)
    lg.set_budget("it-b", D("2100"), 2024, "b1", M("2024-03"))
    tick(clock)
    lg.transfer_budget("it-b", "it-a", D("0.01"), 2024, "t2", M("2024-06"))
    tick(clock)
    lg.set_budget("it-a", D("1"), 2024, "revised: no effect", M("2024-07"))
    tick(clock)
    lg.revise_forecast("it-b", D("2222.22"), 2024, M("2024-09"), "f2")
    for code in ("kommun", "it", "it-a", "it-b", "hr"):
        for frm, to in [("2024-01", "2024-12"), ("2024-02", "2024-08"), ("2024-03", "2024-09")]:
            b = bridge(lg.store, code, 2024, M(frm), M(to))
            chained(b)
            assert b.from_forecast == forecast_of(lg.store, code, frm), (code, frm)
            assert b.to_forecast == forecast_of(lg.store, code, to), (code, to)


def test_bridge_at_known_at_sees_only_what_was_recorded_by_then(
    rollup_ledger: Ledger, clock: Any
) -> None:
    lg = rollup_ledger
    lg.revise_forecast("it-a", D("1200"), 2024, M("2024-03"), "first")
    known = clock.now
    tick(clock)
    lg.revise_forecast("it-a", D("1300"), 2024, M("2024-04"), "later")
    now = bridge(lg.store, "it", 2024, M("2024-01"), M("2024-12"))
    then = bridge(lg.store, "it", 2024, M("2024-01"), M("2024-12"), known_at=known)
    assert [s.reason for s in now.steps] == ["first", "later"]
    assert [s.reason for s in then.steps] == ["first"]
    assert then.to_forecast == D("3200") and then.known_at == known
    just_before = bridge(lg.store, "it", 2024, M("2024-01"), M("2024-12"),
                         known_at=known - timedelta(microseconds=1))
    assert just_before.steps == []


def test_bridge_refuses_a_line_not_yet_added_at_known_at(ledger: Ledger, clock: Any) -> None:
    ledger.add_line("old", "Old")
    known = clock.now
    tick(clock)
    ledger.add_line("new", "New")
    assert bridge(ledger.store, "new", 2024, M("2024-01"), M("2024-02")).steps == []
    with pytest.raises(UnknownLineError, match="new"):
        bridge(ledger.store, "new", 2024, M("2024-01"), M("2024-02"), known_at=known)
    with pytest.raises(UnknownLineError):
        bridge(ledger.store, "nope", 2024, M("2024-01"), M("2024-02"))


def test_bridge_refuses_months_outside_the_year_or_in_reverse(leaf_ledger: Ledger) -> None:
    with pytest.raises(MonthOutsideYearError):
        bridge(leaf_ledger.store, "a", 2024, M("2023-12"), M("2024-02"))
    with pytest.raises(MonthOutsideYearError):
        bridge(leaf_ledger.store, "a", 2024, M("2024-01"), M("2025-01"))
    with pytest.raises(RefusedError):
        bridge(leaf_ledger.store, "a", 2024, M("2024-05"), M("2024-04"))


# --- replay_report equals the SQL report -------------------------------------------


@pytest.fixture
def history(ledger: Ledger, clock: Any) -> tuple[Ledger, list[datetime]]:
    """A year of budget work; returns the ledger and each command's recorded-at."""
    times: list[datetime] = []

    def run(events: list[Any]) -> None:
        times.append(events[0].recorded_at)
        tick(clock)

    lg = ledger
    run(lg.add_line("kommun", "Kommun"))
    run(lg.add_line("it", "IT", parent="kommun"))
    run(lg.add_line("it-a", "IT A", parent="it"))
    run(lg.add_line("hr", "HR", parent="kommun"))
    run(lg.set_budget("it-a", D("1200"), 2024, "KF"))
    run(lg.set_budget("hr", D("600.30"), 2024, "KF"))
    run(lg.transfer_budget("it-a", "hr", D("100"), 2024, "flytt", M("2024-04")))
    run(lg.set_budget("it-a", D("1500"), 2024, "tilläggsbudget", M("2024-06")))  # replaces
    run(lg.transfer_budget("hr", "it-a", D("0.30"), 2024, "flytt 2", M("2024-08")))
    run(lg.set_budget("hr", D("700"), 2024, "sent beslut, tidigt datum", M("2024-02")))
    run(lg.revise_forecast("it-a", D("1400"), 2024, M("2024-05"), "prognos maj"))
    run(lg.revise_forecast("it-a", D("1450"), 2024, M("2024-03"), "sen prognos per mars"))
    run(lg.add_line("it-b", "IT B", parent="it"))
    [booking] = lg.book_actual("it-a", D("250.75"), M("2024-02"), ref="F-1")
    run([booking])
    run(lg.book_actual("it-b", D("-40"), M("2024-07")))
    run(lg.reverse_actual(str(booking.event_id), "fel", M("2024-05")))
    run(lg.book_actual("hr", D("99"), M("2023-12")))  # other year
    run(lg.set_budget("hr", D("5"), 2025, "nästa år"))  # other year
    run(lg.close_period(M("2024-03")))
    run(lg.add_note("it", "anteckning", 2024, M("2024-04")))
    return lg, times


def known_ats(times: list[datetime]) -> list[datetime | None]:
    first = times[0]
    return [None, first - timedelta(hours=1)] + [
        t + delta for t in times for delta in (timedelta(0), timedelta(minutes=30))
    ]


def test_replay_report_equals_the_sql_report_at_every_month_and_known_at(
    history: tuple[Ledger, list[datetime]],
) -> None:
    lg, times = history
    events = list(lg.store.notifications())
    months = [YearMonth(2024, m) for m in range(1, 13)]
    for known_at in known_ats(times):
        replayed = list(replay_reports(events, 2024, months, known_at))
        for as_of, from_replay in zip(months, replayed):
            assert from_replay == report(lg.store, 2024, as_of, known_at), (as_of, known_at)


def test_replay_report_has_the_expected_figures(history: tuple[Ledger, list[datetime]]) -> None:
    lg, _ = history
    events = list(lg.store.notifications())

    def figures(as_of: str) -> dict[str, tuple[Decimal, Decimal, bool, Decimal]]:
        r = replay_report(events, 2024, M(as_of))
        return {x.code: (x.budget, x.forecast, x.forecast_revised, x.actual_ytd) for x in r.rows}

    mar = figures("2024-03")
    assert mar["it-a"] == (D("1200"), D("1450"), True, D("250.75"))
    assert mar["hr"] == (D("700"), D("700"), False, D("0"))  # set in Feb, not 600.30
    apr = figures("2024-04")
    assert apr["it-a"][0] == D("1100") and apr["hr"][0] == D("800")
    jun = figures("2024-06")
    assert jun["it-a"][:2] == (D("1500"), D("1400"))  # the May revision wins over March's
    assert jun["it-a"][3] == D("0")  # booked in Feb, reversed in May
    dec = figures("2024-12")
    assert dec["it-a"][0] == D("1500.30") and dec["hr"][0] == D("799.70")
    assert dec["it-b"] == (D("0"), D("0"), False, D("-40"))
    assert dec["it"][0] == D("1500.30") and dec["kommun"][0] == D("2300")


def test_replay_report_at_known_at_leaves_out_later_lines_and_events(
    history: tuple[Ledger, list[datetime]],
) -> None:
    lg, times = history
    events = list(lg.store.notifications())
    before_it_b = times[11]  # the late March forecast, just before it-b was added
    r = replay_report(events, 2024, M("2024-12"), before_it_b)
    assert [row.code for row in r.rows] == ["kommun", "it", "it-a", "hr"]
    assert r.known_at == before_it_b
    assert r == report(lg.store, 2024, M("2024-12"), before_it_b)
    nothing = replay_report(events, 2024, M("2024-12"), times[0] - timedelta(seconds=1))
    assert nothing.rows == [] and nothing.total.budget == 0


def test_replay_and_sql_report_of_an_empty_ledger_agree(ledger: Ledger) -> None:
    replayed = replay_report(ledger.store.notifications(), 2024, M("2024-06"))
    assert replayed.rows == []
    assert replayed == report(ledger.store, 2024, M("2024-06"))


def test_replay_reports_for_several_months_match_single_month_replays(
    history: tuple[Ledger, list[datetime]],
) -> None:
    lg, _ = history
    events = list(lg.store.notifications())
    months = [M("2024-01"), M("2024-06"), M("2024-12")]
    assert list(replay_reports(events, 2024, months)) == [replay_report(events, 2024, m) for m in months]

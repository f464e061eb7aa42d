"""The ledger's commands and rules, on the in-memory store and on both real stores.

Every refusal must raise its specific error before anything is recorded: the
store's last position (and every row of every table) is unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from prognos.domain.application import Ledger
from prognos.events.errors import (
    ClosedPeriodError,
    DuplicateLineError,
    InvalidAmountError,
    InvalidInputError,
    LedgerError,
    LineHasAmountsError,
    MonthOutsideYearError,
    NotALeafError,
    RefusedError,
    ReversalError,
    UnknownEventError,
    UnknownLineError,
)
from prognos.events.period import YearMonth
from prognos.events.ledger import (
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
    NoteAdded,
    PeriodClosed,
)
from prognos.projections.reports.report import report

M = YearMonth.parse
D = Decimal
pytestmark = pytest.mark.memory


@pytest.fixture
def tree(ledger: Ledger) -> Ledger:
    """kommun > (it > (it-sak, it-drift), hr); it-sak has a budget and a booking."""
    ledger.add_line("kommun", "Kommunen")
    ledger.add_line("it", "IT", parent="kommun")
    ledger.add_line("it-sak", "IT-säkerhet", parent="it")
    ledger.add_line("it-drift", "IT-drift", parent="it")
    ledger.add_line("hr", "HR", parent="kommun")
    ledger.set_budget("it-sak", D("120000"), 2024, "KF")
    ledger.book_actual("it-sak", D("-1500"), M("2024-02"), ref="F-1")
    return ledger


def refusal_changes_nothing(
    ledger: Ledger,
    snapshot: Callable[[Path], list[Any]],
    error: type[LedgerError],
    command: Callable[[], Any],
) -> LedgerError:
    before_position = ledger.store.max_position()
    before_rows = snapshot(ledger.store)
    with pytest.raises(error) as info:
        command()
    assert ledger.store.max_position() == before_position
    assert snapshot(ledger.store) == before_rows
    return info.value


# --- what gets recorded ----------------------------------------------------------


def test_add_line_records_one_line_added_event_with_audit_fields(ledger: Ledger, clock: Any) -> None:
    [event] = ledger.add_line("it", "IT")
    assert isinstance(event, LineAdded)
    assert (event.code, event.name, event.parent) == ("it", "IT", None)
    assert event.user == "anna"
    assert event.recorded_at == clock.now
    assert event.position == ledger.store.max_position() == 1
    stored = list(ledger.store.notifications())
    assert stored == [event]


def test_every_event_records_the_ledger_user(store: Any, clock: Any) -> None:
    Ledger(store, "anna", clock=clock).add_line("a", "A")
    [event] = Ledger(store, "bertil", clock=clock).set_budget("a", D("5"), 2024, "r")
    assert event.user == "bertil"
    assert [e.user for e in store.notifications()] == ["anna", "bertil"]


def test_ledger_refuses_an_empty_user(store: Any) -> None:
    with pytest.raises(InvalidInputError):
        Ledger(store, "  ")


def test_set_budget_defaults_effective_to_january_and_records_the_reason(tree: Ledger) -> None:
    [event] = tree.set_budget("it-drift", D("50000"), 2024, "  KF-beslut  ")
    assert isinstance(event, BudgetSet)
    assert event.effective == YearMonth(2024, 1)
    assert event.amount == D("50000")
    assert event.reason == "KF-beslut"
    assert event.year == 2024


def test_transfer_writes_two_opposite_events_sharing_transfer_id_command_and_time(
    tree: Ledger,
) -> None:
    tree.set_budget("it-drift", D("1000"), 2024, "KF")
    before = tree.store.max_position()
    events = tree.transfer_budget("it-sak", "it-drift", D("250.50"), 2024, "flytt", M("2024-04"))
    assert [type(e) for e in events] == [BudgetTransferred, BudgetTransferred]
    give, take = events
    assert (give.code, give.amount, give.counterpart) == ("it-sak", D("-250.50"), "it-drift")
    assert (take.code, take.amount, take.counterpart) == ("it-drift", D("250.50"), "it-sak")
    assert give.amount + take.amount == 0
    assert give.transfer_id == take.transfer_id
    assert give.command_id == take.command_id
    assert give.recorded_at == take.recorded_at
    assert give.event_id != take.event_id
    assert give.effective == take.effective == M("2024-04")
    assert give.reason == take.reason == "flytt"
    assert [e.position for e in events] == [before + 1, before + 2]


def test_separate_commands_get_separate_command_ids(tree: Ledger) -> None:
    [a] = tree.set_budget("it-drift", D("1"), 2024, "r")
    [b] = tree.set_budget("it-drift", D("2"), 2024, "r")
    assert a.command_id != b.command_id
    assert a.event_id != b.event_id


def test_revise_forecast_records_as_of_and_amount(tree: Ledger) -> None:
    [event] = tree.revise_forecast("it-sak", D("130000"), 2024, M("2024-05"), "prognos per maj")
    assert isinstance(event, ForecastRevised)
    assert (event.as_of, event.amount, event.year) == (M("2024-05"), D("130000"), 2024)


def test_book_actual_records_ref_and_optional_reason(tree: Ledger) -> None:
    [event] = tree.book_actual("it-drift", D("-200"), M("2024-03"), ref=" F-9 ", reason="  ")
    assert isinstance(event, ActualBooked)
    assert (event.amount, event.ref, event.reason) == (D("-200"), "F-9", None)


def test_reversal_is_the_exact_negation_referencing_the_original(tree: Ledger) -> None:
    [booking] = tree.book_actual("it-drift", D("1234.56"), M("2024-03"), ref="F-2")
    [reversal] = tree.reverse_actual(str(booking.event_id), "fel konto")
    assert isinstance(reversal, ActualReversed)
    assert reversal.amount == -booking.amount == D("-1234.56")
    assert reversal.corrects == booking.event_id
    assert reversal.code == booking.code
    assert reversal.period == booking.period
    assert reversal.ref == "F-2"
    assert reversal.reason == "fel konto"
    figures = {r.code: r for r in report(tree.store, 2024, M("2024-12")).rows}
    assert figures["it-drift"].actual_ytd == 0


def test_reversal_can_be_booked_into_another_month(tree: Ledger) -> None:
    [booking] = tree.book_actual("it-drift", D("100"), M("2024-03"))
    [reversal] = tree.reverse_actual(str(booking.event_id), "periodisering", M("2024-04"))
    assert reversal.period == M("2024-04")
    rows = {r.code: r for r in report(tree.store, 2024, M("2024-03")).rows}
    assert rows["it-drift"].actual_ytd == D("100")


def test_close_period_and_note_are_recorded(tree: Ledger) -> None:
    [closed] = tree.close_period(M("2024-02"))
    assert isinstance(closed, PeriodClosed) and closed.through == M("2024-02")
    [note] = tree.add_note("it", "  Licenser dyrare  ", 2024, M("2024-05"))
    assert isinstance(note, NoteAdded) and note.text == "Licenser dyrare" and note.code == "it"


def test_recorded_events_read_back_from_the_store_unchanged(tree: Ledger) -> None:
    written = tree.transfer_budget("it-sak", "hr", D("10"), 2024, "r")
    by_position = {e.position: e for e in tree.store.notifications()}
    for event in written:
        assert by_position[event.position] == event


# --- recording time --------------------------------------------------------------


def test_recorded_at_comes_from_the_clock(ledger: Ledger, clock: Any) -> None:
    clock.now = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
    [event] = ledger.add_line("a", "A")
    assert event.recorded_at == clock.now


def test_recorded_at_strictly_increases_even_when_the_clock_stalls_or_goes_back(
    ledger: Ledger, clock: Any
) -> None:
    times = []
    times += [e.recorded_at for e in ledger.add_line("a", "A")]
    times += [e.recorded_at for e in ledger.add_line("b", "B")]  # clock stalled
    clock.advance(hours=-5)  # clock went back
    times += [e.recorded_at for e in ledger.add_line("c", "C")]
    times += [e.recorded_at for e in ledger.set_budget("a", D("1"), 2024, "r")]
    clock.advance(days=1)
    times += [e.recorded_at for e in ledger.set_budget("b", D("1"), 2024, "r")]
    assert all(a < b for a, b in zip(times, times[1:])), times
    assert times[-1] == clock.now


def test_recorded_at_never_goes_back_across_ledger_instances_on_one_store(
    store: Any, clock: Any
) -> None:
    [first] = Ledger(store, "anna", clock=clock).add_line("a", "A")
    past = datetime(2020, 1, 1, tzinfo=timezone.utc)
    [second] = Ledger(store, "bertil", clock=lambda: past).add_line("b", "B")
    assert second.recorded_at > first.recorded_at


def test_recorded_at_is_kept_in_utc_when_the_clock_has_another_offset(store: Any) -> None:
    cest = timezone(timedelta(hours=2))
    [event] = Ledger(store, "anna", clock=lambda: datetime(2024, 6, 1, 14, tzinfo=cest)).add_line(
        "a", "A"
    )
    assert event.recorded_at == datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    assert event.recorded_at.utcoffset() == timedelta(0)


# --- refusals: each raises its own error and records nothing -----------------------


def test_duplicate_line_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(tree, snapshot, DuplicateLineError, lambda: tree.add_line("it", "Igen"))


def test_line_under_an_unknown_parent_is_refused(tree: Ledger, snapshot: Any) -> None:
    error = refusal_changes_nothing(
        tree, snapshot, UnknownLineError, lambda: tree.add_line("x", "X", parent="nope")
    )
    assert "nope" in str(error)


def test_a_line_with_amounts_cannot_get_children(tree: Ledger, snapshot: Any) -> None:
    error = refusal_changes_nothing(
        tree, snapshot, LineHasAmountsError, lambda: tree.add_line("x", "X", parent="it-sak")
    )
    assert "it-sak" in str(error)


@pytest.mark.parametrize(
    "amount_command",
    [
        lambda lg: lg.revise_forecast("hr", D("5"), 2024, M("2024-03"), "r"),
        lambda lg: lg.book_actual("hr", D("5"), M("2024-03")),
        lambda lg: lg.set_budget("hr", D("0"), 2024, "r"),
        lambda lg: lg.transfer_budget("it-sak", "hr", D("5"), 2024, "r"),
    ],
    ids=["forecast", "actual", "zero-budget", "transfer-in"],
)
def test_any_amount_makes_a_line_unable_to_get_children(
    tree: Ledger, snapshot: Any, amount_command: Callable[[Ledger], Any]
) -> None:
    amount_command(tree)
    refusal_changes_nothing(
        tree, snapshot, LineHasAmountsError, lambda: tree.add_line("x", "X", parent="hr")
    )


def test_a_note_does_not_stop_a_line_from_getting_children(tree: Ledger) -> None:
    tree.add_note("hr", "förklaring", 2024, M("2024-03"))
    [event] = tree.add_line("hr-rek", "Rekrytering", parent="hr")
    assert event.parent == "hr"


@pytest.mark.parametrize("code", ["", "it sak", "a\tb", "x" * 101])
def test_invalid_line_codes_are_refused_as_input_errors(
    tree: Ledger, snapshot: Any, code: str
) -> None:
    refusal_changes_nothing(tree, snapshot, InvalidInputError, lambda: tree.add_line(code, "N"))


def test_empty_line_name_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(tree, snapshot, InvalidInputError, lambda: tree.add_line("x", " "))


ROLLUP_AMOUNT_COMMANDS = {
    "budget": lambda lg: lg.set_budget("it", D("5"), 2024, "r"),
    "forecast": lambda lg: lg.revise_forecast("it", D("5"), 2024, M("2024-03"), "r"),
    "actual": lambda lg: lg.book_actual("it", D("5"), M("2024-03")),
    "transfer-from": lambda lg: lg.transfer_budget("it", "hr", D("5"), 2024, "r"),
    "transfer-to": lambda lg: lg.transfer_budget("hr", "kommun", D("5"), 2024, "r"),
}


@pytest.mark.parametrize("command", ROLLUP_AMOUNT_COMMANDS.values(), ids=ROLLUP_AMOUNT_COMMANDS)
def test_amounts_on_a_roll_up_are_refused(
    tree: Ledger, snapshot: Any, command: Callable[[Ledger], Any]
) -> None:
    refusal_changes_nothing(tree, snapshot, NotALeafError, lambda: command(tree))


UNKNOWN_LINE_COMMANDS = {
    "budget": lambda lg: lg.set_budget("nope", D("5"), 2024, "r"),
    "forecast": lambda lg: lg.revise_forecast("nope", D("5"), 2024, M("2024-03"), "r"),
    "actual": lambda lg: lg.book_actual("nope", D("5"), M("2024-03")),
    "transfer-from": lambda lg: lg.transfer_budget("nope", "hr", D("5"), 2024, "r"),
    "transfer-to": lambda lg: lg.transfer_budget("hr", "nope", D("5"), 2024, "r"),
    "note": lambda lg: lg.add_note("nope", "t", 2024, M("2024-03")),
}


@pytest.mark.parametrize("command", UNKNOWN_LINE_COMMANDS.values(), ids=UNKNOWN_LINE_COMMANDS)
def test_commands_on_an_unknown_line_are_refused(
    tree: Ledger, snapshot: Any, command: Callable[[Ledger], Any]
) -> None:
    error = refusal_changes_nothing(tree, snapshot, UnknownLineError, lambda: command(tree))
    assert "nope" in str(error)


OUTSIDE_YEAR_COMMANDS = {
    "budget-effective": lambda lg: lg.set_budget("hr", D("5"), 2024, "r", M("2025-01")),
    "transfer-effective": lambda lg: lg.transfer_budget("it-sak", "hr", D("5"), 2024, "r", M("2023-12")),
    "forecast-as-of": lambda lg: lg.revise_forecast("hr", D("5"), 2024, M("2023-12"), "r"),
    "note-period": lambda lg: lg.add_note("hr", "t", 2024, M("2025-01")),
}


@pytest.mark.parametrize("command", OUTSIDE_YEAR_COMMANDS.values(), ids=OUTSIDE_YEAR_COMMANDS)
def test_months_outside_the_given_year_are_refused(
    tree: Ledger, snapshot: Any, command: Callable[[Ledger], Any]
) -> None:
    refusal_changes_nothing(tree, snapshot, MonthOutsideYearError, lambda: command(tree))


@pytest.fixture
def closed(tree: Ledger) -> Ledger:
    """As `tree`, with a booking in March and the books closed through March."""
    [booking] = tree.book_actual("hr", D("700"), M("2024-03"), ref="F-3")
    tree.close_period(M("2024-03"))
    tree.march_booking = booking  # type: ignore[attr-defined]
    return tree


CLOSED_MONTH_COMMANDS = {
    "budget-default-january": lambda lg: lg.set_budget("it-drift", D("5"), 2024, "r"),
    "budget-in-closed": lambda lg: lg.set_budget("it-drift", D("5"), 2024, "r", M("2024-03")),
    "budget-earlier-year": lambda lg: lg.set_budget("it-drift", D("5"), 2023, "r", M("2023-12")),
    "transfer": lambda lg: lg.transfer_budget("it-sak", "hr", D("5"), 2024, "r", M("2024-02")),
    "forecast": lambda lg: lg.revise_forecast("it-sak", D("5"), 2024, M("2024-03"), "r"),
    "actual": lambda lg: lg.book_actual("it-sak", D("5"), M("2024-01")),
    "reverse-into-original-month": lambda lg: lg.reverse_actual(
        str(lg.march_booking.event_id), "r"
    ),
    "reverse-into-closed-month": lambda lg: lg.reverse_actual(
        str(lg.march_booking.event_id), "r", M("2024-02")
    ),
}


@pytest.mark.parametrize("command", CLOSED_MONTH_COMMANDS.values(), ids=CLOSED_MONTH_COMMANDS)
def test_nothing_goes_into_a_closed_month(
    closed: Ledger, snapshot: Any, command: Callable[[Ledger], Any]
) -> None:
    error = refusal_changes_nothing(closed, snapshot, ClosedPeriodError, lambda: command(closed))
    assert "closed" in str(error)


def test_the_month_after_the_closed_one_is_open(closed: Ledger) -> None:
    assert closed.book_actual("it-sak", D("5"), M("2024-04"))
    assert closed.revise_forecast("it-sak", D("5"), 2024, M("2024-04"), "r")
    assert closed.set_budget("it-drift", D("5"), 2024, "r", M("2024-04"))
    [reversal] = closed.reverse_actual(str(closed.march_booking.event_id), "r", M("2024-04"))
    assert reversal.period == M("2024-04")


@pytest.mark.parametrize("through", ["2024-03", "2024-02", "2023-12"])
def test_closing_at_or_before_the_closed_month_is_refused(
    closed: Ledger, snapshot: Any, through: str
) -> None:
    refusal_changes_nothing(closed, snapshot, RefusedError, lambda: closed.close_period(M(through)))


def test_closing_a_later_month_moves_the_closed_month_forward(closed: Ledger) -> None:
    closed.close_period(M("2024-05"))
    with pytest.raises(ClosedPeriodError):
        closed.book_actual("it-sak", D("5"), M("2024-05"))


@pytest.mark.parametrize("amount", ["0", "-5", "-0.01"])
def test_transfer_amount_must_be_positive(tree: Ledger, snapshot: Any, amount: str) -> None:
    refusal_changes_nothing(
        tree, snapshot, RefusedError, lambda: tree.transfer_budget("it-sak", "hr", D(amount), 2024, "r")
    )


def test_transfer_to_the_same_line_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(
        tree, snapshot, RefusedError, lambda: tree.transfer_budget("hr", "hr", D("5"), 2024, "r")
    )


def test_booking_zero_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(
        tree, snapshot, RefusedError, lambda: tree.book_actual("it-sak", D("0"), M("2024-03"))
    )


REASONLESS = {
    "budget": lambda lg: lg.set_budget("hr", D("5"), 2024, " "),
    "transfer": lambda lg: lg.transfer_budget("it-sak", "hr", D("5"), 2024, ""),
    "forecast": lambda lg: lg.revise_forecast("hr", D("5"), 2024, M("2024-03"), "\t"),
    "reverse": lambda lg: lg.reverse_actual(str(uuid4()), ""),
    "note-text": lambda lg: lg.add_note("hr", "  ", 2024, M("2024-03")),
}


@pytest.mark.parametrize("command", REASONLESS.values(), ids=REASONLESS)
def test_commands_that_need_a_reason_refuse_an_empty_one(
    tree: Ledger, snapshot: Any, command: Callable[[Ledger], Any]
) -> None:
    refusal_changes_nothing(tree, snapshot, InvalidInputError, lambda: command(tree))


def test_amount_finer_than_ore_is_refused_without_recording(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(
        tree, snapshot, InvalidAmountError, lambda: tree.book_actual("it-sak", D("0.001"), M("2024-03"))
    )


def test_float_amount_is_refused_without_recording(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(
        tree, snapshot, ValidationError, lambda: tree.set_budget("hr", 0.1, 2024, "r")  # type: ignore[arg-type]
    )


# --- reversals -------------------------------------------------------------------


def test_reversing_an_unknown_event_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(tree, snapshot, UnknownEventError, lambda: tree.reverse_actual(str(uuid4()), "r"))


def test_reversing_a_malformed_event_id_is_refused(tree: Ledger, snapshot: Any) -> None:
    refusal_changes_nothing(tree, snapshot, UnknownEventError, lambda: tree.reverse_actual("not-a-uuid", "r"))


def test_a_booking_can_be_reversed_only_once(tree: Ledger, snapshot: Any) -> None:
    [booking] = tree.book_actual("hr", D("10"), M("2024-03"))
    [reversal] = tree.reverse_actual(str(booking.event_id), "r")
    error = refusal_changes_nothing(
        tree, snapshot, ReversalError, lambda: tree.reverse_actual(str(booking.event_id), "igen")
    )
    assert str(reversal.event_id) in str(error)


def test_a_reversal_is_never_reversed(tree: Ledger, snapshot: Any) -> None:
    [booking] = tree.book_actual("hr", D("10"), M("2024-03"))
    [reversal] = tree.reverse_actual(str(booking.event_id), "r")
    refusal_changes_nothing(
        tree, snapshot, ReversalError, lambda: tree.reverse_actual(str(reversal.event_id), "r")
    )


def test_only_actual_bookings_can_be_reversed(tree: Ledger, snapshot: Any) -> None:
    [budget] = tree.set_budget("hr", D("10"), 2024, "r")
    [line] = tree.add_line("x", "X")
    for event in (budget, line):
        refusal_changes_nothing(
            tree, snapshot, ReversalError, lambda e=event: tree.reverse_actual(str(e.event_id), "r")
        )


def test_reverse_accepts_an_event_id_with_surrounding_whitespace(tree: Ledger) -> None:
    [booking] = tree.book_actual("hr", D("10"), M("2024-03"))
    [reversal] = tree.reverse_actual(f"  {booking.event_id}\n", "r")
    assert reversal.corrects == booking.event_id


def test_refusal_inside_the_transaction_leaves_the_next_command_working(
    tree: Ledger,
) -> None:
    before = tree.store.max_position()
    with pytest.raises(NotALeafError):
        tree.set_budget("it", D("5"), 2024, "r")
    [event] = tree.set_budget("hr", D("5"), 2024, "r")
    assert event.position == before + 1

"""The rules on their own: each decided against a `DecisionState` in memory, no store at all.

The application's tests (test_application.py) show the same rules through the
commands, on every store; here each rule is one function call.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from prognos.domain import rules
from prognos.domain.state import BookingState, DecisionState
from prognos.events.errors import (
    ClosedPeriodError,
    DuplicateLineError,
    InvalidAmountError,
    InvalidInputError,
    LineHasAmountsError,
    NotALeafError,
    RefusedError,
    ReversalError,
    UnknownEventError,
    UnknownLineError,
)
from prognos.events.kinds import ActualBooked, ActualReversed, BudgetSet
from prognos.events.period import YearMonth

M = YearMonth.parse


@pytest.fixture
def ledger() -> DecisionState:
    """it > (it-sak, it-drift); it-sak has amounts; closed through 2024-02."""
    state = DecisionState()
    state.add_line("it", "IT", None, 1)
    state.add_line("it-sak", "Säkerhet", "it", 2)
    state.add_line("it-drift", "Drift", "it", 3)
    state.has_amount("it-sak", 4)
    state.close(M("2024-02"))
    return state


def test_a_new_line_must_not_exist_and_its_parent_must_have_no_amounts(ledger: DecisionState) -> None:
    rules.new_line(ledger, "hr", None)
    rules.new_line(ledger, "it-ny", "it-drift")
    with pytest.raises(DuplicateLineError, match="'it' already exists"):
        rules.new_line(ledger, "it", None)
    with pytest.raises(UnknownLineError, match="'nope'"):
        rules.new_line(ledger, "x", "nope")
    with pytest.raises(LineHasAmountsError, match="'it-sak' already has amounts"):
        rules.new_line(ledger, "x", "it-sak")


def test_amounts_go_on_existing_leaves_only(ledger: DecisionState) -> None:
    assert rules.leaf(ledger, "it-drift").code == "it-drift"
    with pytest.raises(NotALeafError, match="'it' has children"):
        rules.leaf(ledger, "it")
    with pytest.raises(UnknownLineError):
        rules.leaf(ledger, "hr")


def test_nothing_goes_into_a_closed_month(ledger: DecisionState) -> None:
    rules.open_month(ledger, M("2024-03"), "period")
    with pytest.raises(ClosedPeriodError, match="period 2024-02 is closed"):
        rules.open_month(ledger, M("2024-02"), "period")
    with pytest.raises(ClosedPeriodError, match="budget month 2023-12"):
        rules.open_month(ledger, M("2023-12"), "budget month")


def test_months_close_forward_only() -> None:
    rules.closes_later(M("2024-03"), None)
    rules.closes_later(M("2024-03"), M("2024-02"))
    with pytest.raises(RefusedError, match="already closed through 2024-03"):
        rules.closes_later(M("2024-03"), M("2024-03"))


def test_a_line_a_file_names_is_created_only_as_asked(ledger: DecisionState) -> None:
    rules.imported_line("x", create_lines=False, parent=None, tree=True)  # a file of lines
    rules.imported_line("x", create_lines=True, parent="it", tree=False)
    with pytest.raises(UnknownLineError, match="--create-lines --parent CODE"):
        rules.imported_line("x", create_lines=False, parent="it", tree=False)
    with pytest.raises(RefusedError, match="needs a parent"):
        rules.imported_line("x", create_lines=True, parent=None, tree=False)
    assert rules.parent_line(ledger, "it").code == "it"
    with pytest.raises(UnknownLineError, match="unknown parent line 'nope'"):
        rules.parent_line(ledger, "nope")
    with pytest.raises(LineHasAmountsError):
        rules.parent_line(ledger, "it-sak")


def test_amounts_are_whole_ore_and_transfers_and_bookings_have_a_size() -> None:
    assert rules.in_ore(Decimal("12.50")) == Decimal("12.50")
    with pytest.raises(InvalidAmountError, match="finer than öre"):
        rules.in_ore(Decimal("0.001"))
    rules.positive(Decimal("0.01"), "a transfer amount")
    with pytest.raises(RefusedError):
        rules.positive(Decimal(0), "a transfer amount")
    with pytest.raises(RefusedError, match="must not be zero"):
        rules.non_zero(Decimal(0), "a booked amount")
    assert rules.books_nothing(Decimal(0)) and not rules.books_nothing(Decimal("-1"))
    with pytest.raises(RefusedError, match="to itself"):
        rules.distinct_lines("it-sak", "it-sak")


def _booking(kind: str, reversed_by: UUID | None = None) -> BookingState:
    return BookingState(uuid4(), kind, "it-sak", M("2024-03"), Decimal("5"), None, reversed_by)


def test_only_an_actual_booking_is_reversed_and_only_once() -> None:
    booked = _booking(ActualBooked.kind)
    assert rules.reversible(booked, "e1") is booked
    with pytest.raises(UnknownEventError):
        rules.reversible(None, "e1")
    with pytest.raises(ReversalError, match="is a reversal"):
        rules.reversible(_booking(ActualReversed.kind), "e1")
    with pytest.raises(ReversalError, match="not an actual booking"):
        rules.reversible(_booking(BudgetSet.kind), "e1")
    with pytest.raises(ReversalError, match="already reversed"):
        rules.reversible(_booking(ActualBooked.kind, reversed_by=uuid4()), "e1")
    with pytest.raises(UnknownEventError, match="no event with id 'x'"):
        rules.event_reference("x")
    with pytest.raises(UnknownEventError, match="no event at position #4a"):
        rules.event_reference("#4a")
    assert rules.event_reference(" #12 ") == 12
    with pytest.raises(UnknownEventError, match="no event at position #12"):
        rules.reversible(None, "#12")


@pytest.mark.parametrize("code", ["", "a b", "x" * 101, "tab\there", "line\n"])
def test_a_line_code_is_one_word_of_at_most_100_characters(code: str) -> None:
    with pytest.raises(InvalidInputError):
        rules.valid_code(code)


def test_text_that_no_store_can_hold_is_refused() -> None:
    assert rules.required_text("  Drift ", "line name") == "Drift"
    assert rules.optional_text("  ", "--ref") is None
    for bad in ("a\x00b", "\udcff"):
        with pytest.raises(InvalidInputError):
            rules.required_text(bad, "line name")

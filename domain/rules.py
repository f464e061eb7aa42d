"""Every rule of the ledger, in one place. Each check raises a specific error before
anything is recorded: a `RefusedError` for a rule (exit 1), an `InvalidInputError` for
text that cannot be what it claims (exit 2).

The rules look at the ledger through `Ledger` (a unit of work inside a write, or the
`DecisionState` an import keeps of its own rows), so a command and an import row are
judged by the same functions.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from prognos.domain.state import BookingState, LineState
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
from prognos.events.kinds import BY_KIND, Effect, Figure
from prognos.events.period import YearMonth

_CODE = re.compile(r"^[^\s\x00-\x1f]{1,100}$")
_POSITION = re.compile(r"#[0-9]{1,18}", re.ASCII)
# What a month is called when a refusal names it.
MONTH_WORD = {Figure.BUDGET: "budget month", Figure.FORECAST: "forecast month",
              Figure.ACTUAL: "period"}


class Ledger(Protocol):
    """What the rules look at."""

    def line(self, code: str) -> LineState | None: ...

    def closed_through(self) -> YearMonth | None: ...


# -- text ---------------------------------------------------------------------------

def valid_code(code: str) -> str:
    # fullmatch: `$` would also let a final newline through
    if not _CODE.fullmatch(code or ""):
        raise InvalidInputError(f"line code must be 1-100 characters without spaces: {code!r}")
    return _storable(code, "line code")


def required_text(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    return _storable(value, what).strip()


def request_id(value: str) -> str:
    """A request id (`--request-id`): any text of 1 to 64 characters, no control characters."""
    if not 0 < len(value) <= 64 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidInputError(
            f"--request-id must be 1 to 64 characters without control characters: {value!r}")
    return _storable(value, "--request-id")


def optional_text(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    return _storable(value, what).strip()


def _storable(value: str, what: str) -> str:
    # Not text to any reader, and a PostgreSQL store cannot hold it: refused on every store.
    if "\x00" in value:
        raise InvalidInputError(f"{what} must not contain a NUL character")
    if not _is_utf8(value):
        raise InvalidInputError(f"{what} is not valid UTF-8 text: {value!r}")
    return value


def _is_utf8(value: str) -> bool:
    """False for text holding lone surrogates: bytes a terminal in another encoding
    passed in, which Python keeps as surrogates and nothing can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- the line tree --------------------------------------------------------------------

def existing_line(ledger: Ledger, code: str) -> LineState:
    line = ledger.line(code)
    if line is None:
        raise UnknownLineError(f"unknown line {code!r}")
    return line


def leaf(ledger: Ledger, code: str) -> LineState:
    return require_leaf(existing_line(ledger, code))


def require_leaf(line: LineState) -> LineState:
    """Amounts live on leaves only; a roll-up's figures are the sum of its children."""
    if not line.is_leaf:
        raise NotALeafError(f"line {line.code!r} has children: amounts go on its leaf lines")
    return line


def may_get_children(parent: LineState) -> LineState:
    """A line that already has amounts cannot become a roll-up."""
    if parent.has_amounts:
        raise LineHasAmountsError(
            f"line {parent.code!r} already has amounts and cannot get children"
        )
    return parent


def new_line(ledger: Ledger, code: str, parent: str | None) -> None:
    if ledger.line(code) is not None:
        raise DuplicateLineError(f"line {code!r} already exists")
    if parent is not None:
        may_get_children(existing_line(ledger, parent))


def imported_line(code: str, create_lines: bool, parent: str | None, tree: bool) -> None:
    """A line a file names that the ledger does not have: a file of lines adds it; any
    other file only with --create-lines, and under a parent."""
    if tree:
        return
    if not create_lines:
        raise UnknownLineError(
            f"unknown line {code!r} (add it, or import with --create-lines --parent CODE)"
        )
    if parent is None:
        raise RefusedError(f"new line {code!r} needs a parent: give --parent CODE")


def parent_line(ledger: Ledger, code: str) -> LineState:
    """The line a new line is added under, which must exist and have no amounts."""
    parent = ledger.line(code)
    if parent is None:
        raise UnknownLineError(f"unknown parent line {code!r}")
    return may_get_children(parent)


# -- months ---------------------------------------------------------------------------

def month_in_year(month: YearMonth, year: int, option: str) -> YearMonth:
    """A month given with a budget year lies in that year (the comparison is the month's
    own, `YearMonth.require_in`)."""
    return month.require_in(year, option)


def months_in_order(first: YearMonth, last: YearMonth) -> None:
    if last < first:
        raise RefusedError(f"--from {first} is after --to {last}")


def open_month(ledger: Ledger, month: YearMonth, what: str) -> None:
    require_open(month, ledger.closed_through(), what)


def require_open(month: YearMonth, closed: YearMonth | None, what: str) -> None:
    if closed is not None and month <= closed:
        raise ClosedPeriodError(f"{what} {month} is closed (closed through {closed})")


def closes_later(through: YearMonth, closed: YearMonth | None) -> None:
    """Months close forward only."""
    if closed is not None and through <= closed:
        raise RefusedError(f"cannot close {through}: already closed through {closed}")


# -- amounts --------------------------------------------------------------------------

def in_ore(amount: Decimal) -> Decimal:
    """Amounts are kept in whole öre. (What is not a Decimal at all the event refuses.)"""
    if isinstance(amount, Decimal) and amount.is_finite():
        ore = amount * 100
        if ore != ore.to_integral_value():
            raise InvalidAmountError(f"amount finer than öre: {amount}")
    return amount


def positive(amount: Decimal, what: str) -> None:
    if amount <= 0:
        raise RefusedError(f"{what} must be greater than zero, got {amount}")


def non_zero(amount: Decimal, what: str) -> None:
    if amount == 0:
        raise RefusedError(f"{what} must not be zero")


def books_nothing(amount: Decimal) -> bool:
    """A zero outcome in a file happened in no ledger: it is skipped, as a zero line in a
    general ledger (a single booking of zero is refused instead, `non_zero`)."""
    return amount == 0


def distinct_lines(source: str, target: str) -> None:
    if source == target:
        raise RefusedError(f"cannot transfer from line {source!r} to itself")


# -- reversals ------------------------------------------------------------------------

def event_reference(text: str) -> UUID | int:
    """An event named by its id, or by its position in the log written #N."""
    named = text.strip()
    if named.startswith("#"):
        if not _POSITION.fullmatch(named):
            raise UnknownEventError(f"no event at position {named}")
        return int(named[1:])
    try:
        return UUID(named)
    except ValueError:
        raise UnknownEventError(f"no event with id {text!r}") from None


def reversible(booking: BookingState | None, named: str) -> BookingState:
    """Only an actual booking can be reversed, and only once; a reversal never."""
    if booking is None:
        where = f"at position {named.strip()}" if named.strip().startswith("#") else \
            f"with id {named}"
        raise UnknownEventError(f"no event {where}")
    effect = BY_KIND[booking.kind].effect
    if effect is Effect.REVERSES_ACTUAL:
        raise ReversalError(f"event {named} is a reversal and cannot be reversed")
    if effect is not Effect.BOOKS_ACTUAL:
        raise ReversalError(f"event {named} is a {booking.kind}, not an actual booking")
    if booking.reversed_by is not None:
        raise ReversalError(f"booking {named} was already reversed by {booking.reversed_by}")
    return booking

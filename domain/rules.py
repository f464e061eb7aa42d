"""The ledger's rules. Each check raises a specific RefusedError before anything is recorded."""

from __future__ import annotations

import re
from decimal import Decimal

from prognos.events.errors import (
    ClosedPeriodError,
    DuplicateLineError,
    InvalidInputError,
    LineHasAmountsError,
    NotALeafError,
    RefusedError,
    UnknownLineError,
)
from prognos.events.period import YearMonth
from prognos.domain.state import LineState, UnitOfWork

_CODE = re.compile(r"^[^\s\x00-\x1f]{1,100}$")


def valid_code(code: str) -> str:
    # fullmatch: `$` would also let a final newline through
    if not _CODE.fullmatch(code or ""):
        raise InvalidInputError(f"line code must be 1-100 characters without spaces: {code!r}")
    return _storable(code, "line code")


def required_text(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    return _storable(value, what).strip()


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


def existing_line(uow: UnitOfWork, code: str) -> LineState:
    line = uow.line(code)
    if line is None:
        raise UnknownLineError(f"unknown line {code!r}")
    return line


def leaf(uow: UnitOfWork, code: str) -> LineState:
    return require_leaf(existing_line(uow, code))


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


def new_line(uow: UnitOfWork, code: str, parent: str | None) -> None:
    if uow.line(code) is not None:
        raise DuplicateLineError(f"line {code!r} already exists")
    if parent is not None:
        may_get_children(existing_line(uow, parent))


def open_month(uow: UnitOfWork, month: YearMonth, what: str) -> None:
    require_open(month, uow.closed_through(), what)


def require_open(month: YearMonth, closed: YearMonth | None, what: str) -> None:
    if closed is not None and month <= closed:
        raise ClosedPeriodError(f"{what} {month} is closed (closed through {closed})")


def positive(amount: Decimal, what: str) -> None:
    if amount <= 0:
        raise RefusedError(f"{what} must be greater than zero, got {amount}")


def non_zero(amount: Decimal, what: str) -> None:
    if amount == 0:
        raise RefusedError(f"{what} must not be zero")

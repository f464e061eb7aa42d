"""What the rules decide on, and the one fold of it from events.

A command decides against a `UnitOfWork`: the ledger inside one write transaction.
The SQL stores answer it from their views (`store.unit_of_work`), the in-memory store
from a `DecisionState`, which is also how `check` re-derives the views the rules read
and how an import judges row 900 against rows 1..899.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from uuid import UUID

from prognos.events.kinds import Effect
from prognos.events.period import YearMonth

if TYPE_CHECKING:
    from prognos.domain.requests import Answered
    from prognos.events.kinds import Event
    from prognos.events.ledger import LedgerEvent


@dataclass(frozen=True)
class LineState:
    """A line as the rules see it: where it is in the tree, and whether it may get
    amounts (a leaf) or children (no amounts yet)."""

    code: str
    name: str
    parent: str | None
    children: int
    has_amounts: bool
    position: int = 0  # where the log added it
    depth: int = 0

    @property
    def is_leaf(self) -> bool:
        return self.children == 0


@dataclass(frozen=True)
class BookingState:
    event_id: UUID
    kind: str
    line: str
    period: YearMonth
    amount: Decimal
    ref: str | None
    reversed_by: UUID | None


class Booked(NamedTuple):
    """An actual booking read from a file and not reversed, as an import compares its rows
    with it: the same line, month, amount and reference is the same booking."""

    line: str
    ore: int
    ref: str | None
    position: int
    file: str  # the name it was imported under
    sha256: str
    row: int


# An event in its stored form, as the write path takes it: (position, kind, line, state).
Record = tuple[int, str, "str | None", dict[str, Any]]

NO_LIMIT = 2**62  # a position after every event: the ledger as known now
MONTH_WEIGHT = 2**32  # more than any position: see `order_key`


def order_key(month: int, position: int) -> int:
    """The entries of a year in order, as one integer: by month, then as recorded."""
    return month * MONTH_WEIGHT + position


class Check(NamedTuple):
    """One finding of `prognos check`: what was checked, whether it held, what was found.

    `said` names the sentence `detail` is, with its `values`, for the words a person
    reads in another language (`cli/texts.py`); "" where there is none (a fault found
    deep in a replay is shown as found)."""

    name: str
    ok: bool
    detail: str
    said: str = ""
    values: tuple[tuple[str, object], ...] = ()


class Kept(NamedTuple):
    """How the log as it stands relates to a head kept earlier (`check --expect-head`)."""

    status: str  # "same", "grown" (both still extend it), "differs" or "truncated"
    position: int  # the kept head's
    last: int  # the log's last position now

    @property
    def extends(self) -> bool:
        return self.status in ("same", "grown")


class UnitOfWork(Protocol):
    """The ledger as a command sees it inside one write transaction."""

    def line(self, code: str) -> LineState | None: ...

    def lines(self) -> dict[str, LineState]: ...

    def closed_through(self) -> YearMonth | None: ...

    def source_imported(self, sha256: str) -> bool: ...

    def save_source(self, sha256: str, name: str, content: bytes) -> None: ...

    def booking(self, ref: UUID | int) -> BookingState | None:
        """The event named by its id, or by its position in the log."""
        ...

    def last_recorded_at(self) -> datetime | None: ...

    def booked(self, month: YearMonth) -> list[Booked]:
        """The month's actual bookings that came from a file and are not reversed."""
        ...

    def db_role(self) -> str | None:
        """The database role that writes (PostgreSQL's session_user); None where there is none."""
        ...

    def answered(self, request_id: str) -> Answered | None:
        """How a request sent before with this id was answered, if it was."""
        ...

    def answer(self, answered: Answered) -> None:
        """Keep a request's answer, with the events it recorded."""
        ...

    def recorded(self, answered: Answered) -> list[LedgerEvent]:
        """The events a request recorded, as they were recorded."""
        ...

    def max_position(self) -> int: ...

    def record_states(self, records: Sequence[Record]) -> None:
        """Append events already in their stored form, at the next positions."""
        ...

    def record(self, events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
        """Append the events of one command, whose positions follow `max_position()`."""
        ...


class DecisionState:
    """The line tree, the closed months and the last recording time, folded from events
    in log order. `fault` names the first event the tree cannot hold (a line under a
    parent never added, an amount on a line never added)."""

    def __init__(self, lines: Iterable[LineState] = (), closed: YearMonth | None = None):
        self.lines: dict[str, LineState] = {line.code: line for line in lines}
        self.closed = closed
        self.last_recorded_at: datetime | None = None
        self.fault: str | None = None

    def line(self, code: str) -> LineState | None:
        return self.lines.get(code)

    def closed_through(self) -> YearMonth | None:
        return self.closed

    def add_line(self, code: str, name: str, parent: str | None, position: int = 0) -> LineState:
        depth = 0
        if parent is not None:
            above = self.lines.get(parent)
            if above is None:
                self._fault(f"line {code!r} at position {position} has an unknown parent")
                parent = None
            else:
                self.lines[parent] = replace(above, children=above.children + 1)
                depth = above.depth + 1
        line = self.lines[code] = LineState(code, name, parent, 0, False, position, depth)
        return line

    def has_amount(self, code: str, position: int = 0) -> None:
        line = self.lines.get(code)
        if line is None:
            self._fault(f"the event at position {position} is for an unknown line")
        elif not line.has_amounts:
            self.lines[code] = replace(line, has_amounts=True)

    def close(self, through: YearMonth) -> None:
        self.closed = through

    def apply(self, event: Event, position: int) -> None:
        """Fold one event in, by what its kind does (`events.kinds.Effect`)."""
        _APPLY[event.effect](self, event, position)
        self.last_recorded_at = event.recorded_at

    def _fault(self, fault: str) -> None:
        self.fault = self.fault or fault


def _adds_line(state: DecisionState, event: Any, position: int) -> None:
    state.add_line(event.code, event.name, event.parent, position)


def _has_amount(state: DecisionState, event: Any, position: int) -> None:
    state.has_amount(event.code, position)


def _closes(state: DecisionState, event: Any, position: int) -> None:
    state.close(event.through)


def _nothing(state: DecisionState, event: Any, position: int) -> None:
    pass


# What each effect does to the decision state: every effect is named, so a new one
# fails `tests/unit/test_kinds.py` until it is decided here.
_APPLY: dict[Effect, Callable[[DecisionState, Any, int], None]] = {
    Effect.ADDS_LINE: _adds_line,
    Effect.SETS_BUDGET: _has_amount,
    Effect.MOVES_BUDGET: _has_amount,
    Effect.REVISES_FORECAST: _has_amount,
    Effect.BOOKS_ACTUAL: _has_amount,
    Effect.REVERSES_ACTUAL: _has_amount,
    Effect.ADDS_NOTE: _nothing,
    Effect.CLOSES_MONTHS: _closes,
    Effect.RECORDS_SOURCE: _nothing,
}

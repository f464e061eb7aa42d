"""The facts of a forecasting ledger, one class per kind of thing that happened."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from prognos.events.base import LedgerEvent
from prognos.events.types import Money, Month


class LineEvent(LedgerEvent):
    """An event on one line of the tree (its stream)."""

    code: str

    @property
    def line(self) -> str:
        return self.code


class LineAdded(LineEvent):
    kind: ClassVar[str] = "line_added"
    name: str
    parent: str | None = None


class BudgetSet(LineEvent):
    """The annual budget of `year` is `amount` from month `effective` on."""

    kind: ClassVar[str] = "budget_set"
    year: int
    effective: Month
    amount: Money


class BudgetTransferred(LineEvent):
    """One side of a transfer: `amount` is negative on the giving line, positive on the receiving one."""

    kind: ClassVar[str] = "budget_transferred"
    year: int
    effective: Month
    amount: Money
    counterpart: str
    transfer_id: UUID


class ForecastRevised(LineEvent):
    """The full-year forecast of `year` as made in month `as_of`."""

    kind: ClassVar[str] = "forecast_revised"
    year: int
    as_of: Month
    amount: Money


class ActualBooked(LineEvent):
    kind: ClassVar[str] = "actual_booked"
    period: Month
    amount: Money
    ref: str | None = None


class ActualReversed(LineEvent):
    """The exact opposite of the booking named in `corrects`."""

    kind: ClassVar[str] = "actual_reversed"
    period: Month
    amount: Money
    ref: str | None = None


class NoteAdded(LineEvent):
    kind: ClassVar[str] = "note_added"
    year: int
    period: Month
    text: str


class PeriodClosed(LedgerEvent):
    """Every month up to and including `through` is closed for bookings."""

    kind: ClassVar[str] = "period_closed"
    through: Month


class SourceImported(LedgerEvent):
    """A file was imported; its bytes are kept in the store under `sha256`."""

    kind: ClassVar[str] = "source_imported"
    sha256: str
    name: str
    size: int
    rows: int


EVENT_CLASSES: tuple[type[LedgerEvent], ...] = (
    LineAdded,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    ActualBooked,
    ActualReversed,
    NoteAdded,
    PeriodClosed,
    SourceImported,
)

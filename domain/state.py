"""What a command needs to know about the ledger to decide, and how it records.

The application decides against a `UnitOfWork`: a consistent view of the ledger
inside one write transaction. Storage adapters implement it; the domain never
imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from prognos.events.period import YearMonth

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent


@dataclass(frozen=True)
class LineState:
    code: str
    name: str
    parent: str | None
    children: int
    has_amounts: bool

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


class UnitOfWork(Protocol):
    def line(self, code: str) -> LineState | None: ...

    def lines(self) -> dict[str, LineState]: ...

    def closed_through(self) -> YearMonth | None: ...

    def source_imported(self, sha256: str) -> bool: ...

    def save_source(self, sha256: str, name: str, content: bytes) -> None: ...

    def booking(self, event_id: UUID) -> BookingState | None: ...

    def last_recorded_at(self) -> datetime | None: ...

    def max_position(self) -> int: ...

    def record_states(self, records: Any) -> None:
        """Append events already in their stored form: (position, kind, line, state)."""
        ...

    def record(self, events: list[LedgerEvent]) -> list[LedgerEvent]:
        """Append the events of one command, whose positions follow `max_position()`."""
        ...

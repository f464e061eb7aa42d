"""The base every prognos event stands on: an immutable, versioned fact with audit fields."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from prognos.events.types import UtcDatetime


class Source(BaseModel):
    """Where an event came from when it was read from a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    row: int


class LedgerEvent(BaseModel):
    """A fact recorded in the ledger. Never edited; corrected only by later events.

    `position` is the event's place in the global log. The store assigns it, so it
    is not part of the stored state; events read back from the store carry it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    class_version: ClassVar[int] = 1
    kind: ClassVar[str]

    event_id: UUID
    command_id: UUID
    recorded_at: UtcDatetime
    user: str
    reason: str | None = None
    source: Source | None = None
    corrects: UUID | None = None
    position: int | None = None

    @property
    def line(self) -> str | None:
        return None

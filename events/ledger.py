"""The events as pydantic models: each kind declared in `events.kinds`, validated and frozen.

A model is its declaration made into a pydantic model, so it has the declaration's
fields and says what the declaration says (`BudgetSet.kind`, `.effect`, ...). Importing
this module loads pydantic; code that only needs to name or describe kinds uses
`events.kinds`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from prognos.events import kinds


class Source(BaseModel):
    """Where an event came from when it was read from a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    row: int


class LedgerEvent(BaseModel, kinds.Event):
    """A fact recorded in the ledger. Never edited; corrected only by later events.

    `position` is the event's place in the global log. The store assigns it, so it
    is not part of the stored state; events read back from the store carry it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    position: int | None = None


class LineEvent(LedgerEvent, kinds.LineEvent):
    __doc__ = kinds.LineEvent.__doc__


class LineAdded(LineEvent, kinds.LineAdded):
    __doc__ = kinds.LineAdded.__doc__


class BudgetSet(LineEvent, kinds.BudgetSet):
    __doc__ = kinds.BudgetSet.__doc__


class BudgetTransferred(LineEvent, kinds.BudgetTransferred):
    __doc__ = kinds.BudgetTransferred.__doc__


class ForecastRevised(LineEvent, kinds.ForecastRevised):
    __doc__ = kinds.ForecastRevised.__doc__


class ActualBooked(LineEvent, kinds.ActualBooked):
    __doc__ = kinds.ActualBooked.__doc__


class ActualReversed(LineEvent, kinds.ActualReversed):
    __doc__ = kinds.ActualReversed.__doc__


class NoteAdded(LineEvent, kinds.NoteAdded):
    __doc__ = kinds.NoteAdded.__doc__


class PeriodClosed(LedgerEvent, kinds.PeriodClosed):
    __doc__ = kinds.PeriodClosed.__doc__


class SourceImported(LedgerEvent, kinds.SourceImported):
    __doc__ = kinds.SourceImported.__doc__


def _model(kind: type[kinds.Event]) -> type[LedgerEvent]:
    """The model above made of a declaration: a kind without one stops prognos loading."""
    models, found = [LedgerEvent], []
    while models:
        model = models.pop()
        models += model.__subclasses__()
        if kind in model.__bases__:
            found.append(model)
    if len(found) != 1:
        raise TypeError(f"the kind {kind.kind} needs one model in events.ledger")
    return found[0]


# In the order of `kinds.ALL`: the model of each declared kind.
EVENT_CLASSES: tuple[type[LedgerEvent], ...] = tuple(_model(kind) for kind in kinds.ALL)
MODEL_OF: dict[str, type[LedgerEvent]] = {cls.kind: cls for cls in EVENT_CLASSES}


def model_of(cls: type[kinds.Event]) -> type[LedgerEvent]:
    """The model of a kind (a model is its own)."""
    return cls if issubclass(cls, LedgerEvent) else MODEL_OF[cls.kind]

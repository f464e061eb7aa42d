"""Every kind of event, declared once: its fields, the month and the budget year it belongs
to, what it does to the ledger (and so what its amount means), and its version.

The declarations are plain classes, cheap to import: a report names the kinds it sums
(`BudgetSet.kind`) without loading pydantic, which would cost every read command about
70 ms. The pydantic models in `events.ledger` are these classes made into models. Every
reader derives what it needs from here: the views' rows (`store.views`), the import's
fast path (`importing.decider`), history, the bridge, the replay and `check`.

A new kind is a new class below (it is listed in `ALL` by being declared) and its model
in `events.ledger` (one line; importing fails without it); a new `Effect` also needs its
place in `domain.state` (the decision fold); a changed kind needs an upcaster
(`events.upcasting`). `tests/unit/test_kinds.py` fails when a kind lacks anything a
reader needs.

On a declaration, the names without annotations say what the kind is (`kind`,
`class_version`, `effect`, `month_from`, `year_from`); the annotated names are its fields,
stored in this order after the audit fields of `Event`.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar
from uuid import UUID

# The field types the annotations below name: pydantic reads them from this module.
from prognos.events.types import Money, Month, Source, UtcDatetime  # noqa: F401


class Figure(Enum):
    """The figure of a line that an amount goes into."""

    BUDGET = "budget"
    FORECAST = "forecast"
    ACTUAL = "actual"


class Effect(Enum):
    """What an event does to the ledger. Readers dispatch on this, not on kind names, so a new
    kind with a known effect needs nothing more from them."""

    ADDS_LINE = ("adds_line", None, False)
    # The amount becomes the line's annual budget from its month on.
    SETS_BUDGET = ("sets_budget", Figure.BUDGET, True)
    # The amount is added to the line's annual budget from its month on.
    MOVES_BUDGET = ("moves_budget", Figure.BUDGET, False)
    # The amount is the line's full-year forecast as made in its month.
    REVISES_FORECAST = ("revises_forecast", Figure.FORECAST, True)
    # The amount is an outcome of its month.
    BOOKS_ACTUAL = ("books_actual", Figure.ACTUAL, False)
    # The amount is the exact opposite of the booking named in `corrects`.
    REVERSES_ACTUAL = ("reverses_actual", Figure.ACTUAL, False)
    ADDS_NOTE = ("adds_note", None, False)
    # Its month and every earlier one are closed.
    CLOSES_MONTHS = ("closes_months", None, False)
    RECORDS_SOURCE = ("records_source", None, False)

    def __init__(self, word: str, figure: Figure | None, replaces: bool):
        self.word = word
        self.figure = figure  # None: the event has no amount
        self.replaces = replaces  # the amount replaces the figure (else it is added to it)


class Event:
    """What every event records: its id, the command that recorded it, when (UTC, set by
    the system), by whom (the user prognos was told, and on PostgreSQL the database role
    that wrote it), why, the request it answered, from which file row, and which event it
    corrects."""

    kind: ClassVar[str]  # its name: stored in the views, shown by history and in JSON
    class_version: ClassVar[int]  # raised, with an upcaster (`events.upcasting`), when it changes
    effect: ClassVar[Effect]
    month_from: ClassVar[str | None]  # the field holding the month it belongs to
    year_from: ClassVar[str | None]  # the field its budget year is read from (a month's year)

    event_id: UUID
    command_id: UUID
    recorded_at: UtcDatetime
    user: str
    reason: str | None = None
    request_id: str | None = None  # the --request-id its command was sent with (version 2)
    db_role: str | None = None  # the database role that wrote it, on PostgreSQL (version 2)
    source: Source | None = None
    corrects: UUID | None = None

    @property
    def line(self) -> str | None:
        """The line of the tree the event is on (None for the ledger as a whole)."""
        return None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in vars(cls):  # a declaration (a model inherits its `kind`)
            _DECLARED.append(cls)


_DECLARED: list[type[Event]] = []


class LineEvent(Event):
    """An event on one line of the tree."""

    code: str

    @property
    def line(self) -> str:
        return self.code


class LineAdded(LineEvent):
    """A line of the tree: a service, a project, or a roll-up of others under it."""

    kind = "line_added"
    class_version = 2
    effect = Effect.ADDS_LINE
    month_from = year_from = None

    name: str
    parent: str | None = None


class BudgetSet(LineEvent):
    """The annual budget of `year` is `amount` from month `effective` on."""

    kind = "budget_set"
    class_version = 2
    effect = Effect.SETS_BUDGET
    month_from, year_from = "effective", "year"

    year: int
    effective: Month
    amount: Money


class BudgetTransferred(LineEvent):
    """One side of a transfer: `amount` is negative on the giving line, positive on the
    receiving one, from month `effective` on."""

    kind = "budget_transferred"
    class_version = 2
    effect = Effect.MOVES_BUDGET
    month_from, year_from = "effective", "year"

    year: int
    effective: Month
    amount: Money
    counterpart: str
    transfer_id: UUID


class ForecastRevised(LineEvent):
    """The full-year forecast of `year` as made in month `as_of`."""

    kind = "forecast_revised"
    class_version = 2
    effect = Effect.REVISES_FORECAST
    month_from, year_from = "as_of", "year"

    year: int
    as_of: Month
    amount: Money


class ActualBooked(LineEvent):
    """An outcome of month `period`, with the voucher it came from."""

    kind = "actual_booked"
    class_version = 2
    effect = Effect.BOOKS_ACTUAL
    month_from = year_from = "period"

    period: Month
    amount: Money
    ref: str | None = None


class ActualReversed(LineEvent):
    """The exact opposite of the booking named in `corrects`, booked in month `period`."""

    kind = "actual_reversed"
    class_version = 2
    effect = Effect.REVERSES_ACTUAL
    month_from = year_from = "period"

    period: Month
    amount: Money
    ref: str | None = None


class NoteAdded(LineEvent):
    """A written explanation of the line's figures in month `period`."""

    kind = "note_added"
    class_version = 2
    effect = Effect.ADDS_NOTE
    month_from, year_from = "period", "year"

    year: int
    period: Month
    text: str


class PeriodClosed(Event):
    """Every month up to and including `through` is closed, in every year."""

    kind = "period_closed"
    class_version = 2
    effect = Effect.CLOSES_MONTHS
    month_from, year_from = "through", None

    through: Month


class SourceImported(Event):
    """A file was imported; its bytes are kept in the store under `sha256`."""

    kind = "source_imported"
    class_version = 2
    effect = Effect.RECORDS_SOURCE
    month_from = year_from = None

    sha256: str
    name: str
    size: int
    rows: int


# Every kind, in the order declared above.
ALL: tuple[type[Event], ...] = tuple(_DECLARED)
BY_KIND: dict[str, type[Event]] = {cls.kind: cls for cls in ALL}
# What a declaration must say for itself (not inherit), and every reader relies on.
DECLARED = ("kind", "class_version", "effect", "month_from", "year_from")


def with_effect(*effects: Effect) -> tuple[str, ...]:
    """The names of the kinds with any of these effects."""
    return tuple(cls.kind for cls in ALL if cls.effect in effects)


def into(figure: Figure, replaces: bool | None = None) -> tuple[str, ...]:
    """The names of the kinds whose amount goes into `figure` (and replaces it, or is
    added to it, when `replaces` says which)."""
    return tuple(
        cls.kind for cls in ALL
        if cls.effect.figure is figure and replaces in (None, cls.effect.replaces)
    )


def fields(cls: type[Event]) -> dict[str, str]:
    """Every field of a kind, in stored order, and its annotation as written."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not str(annotation).startswith("ClassVar"):
                found[name] = str(annotation)
    return found


def own_fields(cls: type[Event]) -> list[str]:
    """The fields a kind adds to the audit fields of `Event` (and the code of a line event)."""
    shared = fields(LineEvent)
    return [name for name in fields(cls) if name not in shared]


def on_line(cls: type[Event]) -> bool:
    return issubclass(cls, LineEvent)

"""Reports by a plain fold over events: the definition the indexed views must match.

`check` and the tests compare the SQL-backed report with this one. It streams
the log once and keeps a few figures per leaf and month, never the log itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from prognos.domain.period import YearMonth
from prognos.events.base import LedgerEvent
from prognos.events.ledger import (
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
)
from prognos.projections.rollup import LeafFigures, Line, Report, build_report

class _Leaf:
    """What a leaf's figures as of any month need: its budget events in order, its
    latest revision per month, and its actuals summed per month (at most 12 each)."""

    __slots__ = ("budget_events", "revisions", "actuals")

    def __init__(self) -> None:
        self.budget_events: list[tuple[YearMonth, int, str, Decimal]] = []
        self.revisions: dict[YearMonth, tuple[int, Decimal]] = {}
        self.actuals: dict[YearMonth, Decimal] = {}

    def figures(self, as_of: YearMonth) -> LeafFigures:
        budget = Decimal(0)
        for month, _, kind, amount in sorted(self.budget_events, key=lambda e: (e[0], e[1])):
            if month > as_of:
                break
            budget = amount if kind == "budget_set" else budget + amount
        made = [m for m in self.revisions if m <= as_of]
        forecast = self.revisions[max(made)][1] if made else None
        actual = sum((a for m, a in self.actuals.items() if m <= as_of), Decimal(0))
        return LeafFigures(budget=budget, forecast=forecast, actual_ytd=actual)


def replay_report(
    events: Iterable[LedgerEvent], year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Report:
    return next(replay_reports(events, year, [as_of], known_at))


def replay_reports(
    events: Iterable[LedgerEvent],
    year: int,
    months: list[YearMonth],
    known_at: datetime | None = None,
) -> Iterator[Report]:
    """The year's report as of each of `months`, from one pass over `events`.

    The reports are built one at a time as they are asked for: at 50,000 lines a
    year of them side by side would not be small."""
    lines: list[Line] = []
    leaves: dict[str, _Leaf] = {}
    for event in events:
        if known_at is not None and event.recorded_at > known_at:
            continue
        position = event.position or 0
        if isinstance(event, LineAdded):
            lines.append(Line(event.code, event.name, event.parent, position))
        elif isinstance(event, (BudgetSet, BudgetTransferred)) and event.year == year:
            leaf = leaves.setdefault(event.code, _Leaf())
            leaf.budget_events.append((event.effective, position, event.kind, event.amount))
        elif isinstance(event, ForecastRevised) and event.year == year:
            revisions = leaves.setdefault(event.code, _Leaf()).revisions
            latest = revisions.get(event.as_of)
            if latest is None or position > latest[0]:
                revisions[event.as_of] = (position, event.amount)
        elif isinstance(event, (ActualBooked, ActualReversed)) and event.period.year == year:
            actuals = leaves.setdefault(event.code, _Leaf()).actuals
            actuals[event.period] = actuals.get(event.period, Decimal(0)) + event.amount
    for as_of in months:
        yield build_report(
            year, as_of, known_at, lines, {c: leaf.figures(as_of) for c, leaf in leaves.items()}
        )

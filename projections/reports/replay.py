"""Reports by a plain fold over events: the definition the indexed views must match.

`check` and the tests compare the SQL-backed report with this one. It streams
the log once and keeps a few figures per leaf and month, never the log itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from prognos.events.period import YearMonth
from prognos.events.ledger import LedgerEvent
from prognos.events.ledger import (
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
)
from prognos.domain.money import to_ore
from prognos.projections.reports.rollup import Line, OreFigures, Report, build_report_ore

class _Leaf:
    """What a leaf's figures as of any month need, compactly (there may be 50,000):
    its budget events in order, its latest revision per month, its actuals per month,
    amounts in integer öre."""

    __slots__ = ("budget_events", "revisions", "actuals")

    def __init__(self) -> None:
        self.budget_events: list[tuple[int, int, bool, int]] = []  # (month, pos, is_set, öre)
        self.revisions: list[tuple[int, int] | None] = [None] * 12  # (position, öre) by month
        self.actuals = [0] * 12

    def figures(self, as_of: YearMonth) -> OreFigures:
        budget = 0
        for month, _, is_set, amount in sorted(self.budget_events):
            if month > as_of.month:
                break
            budget = amount if is_set else budget + amount
        forecast = None
        for revision in self.revisions[: as_of.month]:
            if revision is not None:
                forecast = revision[1]
        return budget, forecast, sum(self.actuals[: as_of.month])


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
            is_set = isinstance(event, BudgetSet)
            leaf.budget_events.append((event.effective.month, position, is_set, to_ore(event.amount)))
        elif isinstance(event, ForecastRevised) and event.year == year:
            revisions = leaves.setdefault(event.code, _Leaf()).revisions
            latest = revisions[event.as_of.month - 1]
            if latest is None or position > latest[0]:
                revisions[event.as_of.month - 1] = (position, to_ore(event.amount))
        elif isinstance(event, (ActualBooked, ActualReversed)) and event.period.year == year:
            leaves.setdefault(event.code, _Leaf()).actuals[event.period.month - 1] += to_ore(
                event.amount
            )
    for as_of in months:
        yield build_report_ore(
            year, as_of, known_at, lines, {c: leaf.figures(as_of) for c, leaf in leaves.items()}
        )

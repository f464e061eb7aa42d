"""Reports by a plain fold over events: the definition the indexed views must match.

`check` and the tests compare the report read from a store with this one. It streams
the log once and keeps a few figures per leaf and month, never the log itself. What an
event does is read from its kind's declaration: which figure its amount goes into, and
whether it replaces that figure or is added to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from prognos.domain.money import to_ore
from prognos.events.kinds import Effect, Figure
from prognos.events.period import YearMonth
from prognos.projections.reports.figures import OreFigures, fold_budget
from prognos.domain.state import order_key
from prognos.projections.reports.rollup import Line, Report, build_report_ore

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent


class _Leaf:
    """What a leaf's figures as of any month need, compactly (there may be 50,000):
    its budget entries, its latest revision per month, its actuals per month, amounts in
    integer öre."""

    __slots__ = ("budget_entries", "revisions", "actuals", "booked")

    def __init__(self) -> None:
        self.budget_entries: list[tuple[int, bool, int]] = []  # (order key, replaces, öre)
        self.revisions: list[tuple[int, int] | None] = [None] * 12  # (position, öre) by month
        self.actuals = [0] * 12
        self.booked = [False] * 12  # any booking in the month (a sum of 0 is not no data)

    def figures(self, as_of: YearMonth) -> OreFigures:
        last = order_key(as_of.month + 1, 0)
        budget = fold_budget(entry for entry in self.budget_entries if entry[0] < last)
        forecast = None
        for revision in self.revisions[: as_of.month]:
            if revision is not None:
                forecast = revision[1]
        booked = any(self.booked[: as_of.month])
        return budget, forecast, sum(self.actuals[: as_of.month]) if booked else None


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
        effect = event.effect
        if effect is Effect.ADDS_LINE:
            lines.append(Line(event.code, event.name, event.parent, position))  # type: ignore[attr-defined]
            continue
        figure = effect.figure
        if figure is None or _year(event) != year:
            continue
        month = getattr(event, event.month_from).month  # type: ignore[arg-type]
        amount = to_ore(event.amount)  # type: ignore[attr-defined]
        leaf = leaves.setdefault(event.code, _Leaf())  # type: ignore[attr-defined]
        if figure is Figure.BUDGET:
            leaf.budget_entries.append((order_key(month, position), effect.replaces, amount))
        elif figure is Figure.FORECAST:
            latest = leaf.revisions[month - 1]
            if latest is None or position > latest[0]:
                leaf.revisions[month - 1] = (position, amount)
        else:
            leaf.actuals[month - 1] += amount
            leaf.booked[month - 1] = True
    for as_of in months:
        yield build_report_ore(
            year, as_of, known_at, lines, {c: leaf.figures(as_of) for c, leaf in leaves.items()}
        )


def _year(event: LedgerEvent) -> int | None:
    """The budget year an event belongs to, as its declaration says."""
    if event.year_from is None:
        return None
    value = getattr(event, event.year_from)
    return value if isinstance(value, int) else value.year  # a month gives its year

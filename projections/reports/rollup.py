"""Reports as data, and the one roll-up rule: a parent's figure is the exact sum of its children's.

Both the report read from a store and the pure replay produce leaf figures; this module
turns leaf figures plus the line tree into report rows, so the two cannot differ in how
they add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import datetime
from decimal import Decimal

from typing import TYPE_CHECKING

from prognos.domain.money import from_ore, to_ore
from prognos.domain.state import NO_LIMIT
from prognos.events.period import YearMonth
from prognos.projections.reports.figures import OreFigures, deviation, ytd_ore
from prognos.projections.reports.source import Snapshot

if TYPE_CHECKING:
    from prognos.projections.reports.notes import Note

ZERO = Decimal("0.00")
AMOUNT_FIELDS = ("budget", "forecast", "budget_ytd", "actual_ytd")


class Line(NamedTuple):
    """A line of the tree as known at some position (a tuple: 50,000 of them are cheap)."""

    code: str
    name: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class LeafFigures:
    """A leaf's own figures as of a month: budget, forecast (None = not revised), actual to
    date (None = nothing booked)."""

    budget: Decimal = ZERO
    forecast: Decimal | None = None
    actual_ytd: Decimal | None = None

    def in_ore(self) -> OreFigures:
        forecast = None if self.forecast is None else to_ore(self.forecast)
        actual = None if self.actual_ytd is None else to_ore(self.actual_ytd)
        return (to_ore(self.budget), forecast, actual)


def _kr(ore: int) -> Decimal:
    return from_ore(ore)


class _InKronor:
    """The kronor view of figures kept in integer öre (`*_ore` attributes)."""

    __slots__ = ()
    budget_ore: int
    forecast_ore: int
    budget_ytd_ore: int
    actual_ytd_ore: int

    budget = property(lambda self: _kr(self.budget_ore))
    forecast = property(lambda self: _kr(self.forecast_ore))
    budget_ytd = property(lambda self: _kr(self.budget_ytd_ore))
    actual_ytd = property(lambda self: _kr(self.actual_ytd_ore))
    forecast_deviation_ore = property(lambda self: deviation(self.forecast_ore, self.budget_ore))
    actual_deviation_ore = property(
        lambda self: deviation(self.actual_ytd_ore, self.budget_ytd_ore)
    )
    forecast_deviation = property(lambda self: _kr(self.forecast_deviation_ore))
    actual_deviation = property(lambda self: _kr(self.actual_deviation_ore))


@dataclass(slots=True)
class Row(_InKronor):
    """One line of a report. Figures are kept in integer öre (exact, and fast to add
    for 50,000 lines); the kronor properties give them as Decimal."""

    code: str
    name: str
    parent: str | None
    depth: int
    is_leaf: bool
    budget_ore: int = 0
    forecast_ore: int = 0
    forecast_revised: bool = False
    budget_ytd_ore: int = 0
    actual_ytd_ore: int = 0
    has_actual: bool = False  # anything booked up to the month (else its actual is no data)



@dataclass(slots=True)
class Totals(_InKronor):
    budget_ore: int = 0
    forecast_ore: int = 0
    budget_ytd_ore: int = 0
    actual_ytd_ore: int = 0



@dataclass(slots=True)
class Report:
    year: int
    as_of: YearMonth
    known_at: datetime | None
    rows: list[Row] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)
    notes: list[Note] = field(default_factory=list)  # when asked for: up to as_of


def lines(snap: Snapshot, upto: int = NO_LIMIT) -> list[Line]:
    """The line tree as known at position `upto` (`depth_first` orders it)."""
    return list(map(Line._make, snap.lines(upto)))


_POSITION = attrgetter("position")


def depth_first(lines: Iterable[Line]) -> list[tuple[Line, int, bool]]:
    """Lines in report order: depth first, children in the order they were added."""
    children: dict[str | None, list[Line]] = {}
    for line in sorted(lines, key=_POSITION):
        kids = children.get(line.parent)
        if kids is None:
            children[line.parent] = [line]
        else:
            kids.append(line)
    ordered: list[tuple[Line, int, bool]] = []
    stack = [(line, 0) for line in reversed(children.get(None, []))]
    while stack:
        line, depth = stack.pop()
        kids = children.get(line.code)
        ordered.append((line, depth, not kids))
        if kids:
            stack.extend([(kid, depth + 1) for kid in reversed(kids)])
    return ordered


def subtree(lines: Iterable[Line], code: str) -> list[Line]:
    """The line and every line below it, in report order."""
    ordered = depth_first(lines)
    for i, (line, depth, _) in enumerate(ordered):
        if line.code == code:
            below = [line]
            for other, other_depth, _ in ordered[i + 1 :]:
                if other_depth <= depth:
                    break
                below.append(other)
            return below
    return []


def build_report(
    year: int,
    as_of: YearMonth,
    known_at: datetime | None,
    lines: Iterable[Line],
    leaves: Mapping[str, LeafFigures],
) -> Report:
    """Rows for every line; roll-ups summed bottom-up from their children."""
    return build_report_ore(year, as_of, known_at, lines, {c: f.in_ore() for c, f in leaves.items()})


def build_report_ore(
    year: int,
    as_of: YearMonth,
    known_at: datetime | None,
    lines: Iterable[Line],
    leaves: Mapping[str, OreFigures],
) -> Report:
    months = as_of.month
    total = Totals()
    rows: list[Row] = []
    parents: list[Row | Totals] = []  # each row's parent, found by depth: the latest row above
    above: list[Row] = []
    for line, depth, leaf in depth_first(lines):
        figures = leaves.get(line.code) if leaf else None
        if figures is None:
            row = Row(line.code, line.name, line.parent, depth, leaf)
        else:
            budget, forecast, actual = figures
            row = Row(line.code, line.name, line.parent, depth, True, budget,
                      budget if forecast is None else forecast, forecast is not None,
                      ytd_ore(budget, months), actual or 0, actual is not None)
        rows.append(row)
        parents.append(above[depth - 1] if depth else total)
        del above[depth:]
        above.append(row)
    # Children come after their parent in depth-first order, so summing in
    # reverse finishes every child before its parent is added to its own parent.
    for row, parent in zip(reversed(rows), reversed(parents)):
        parent.budget_ore += row.budget_ore
        parent.forecast_ore += row.forecast_ore
        parent.budget_ytd_ore += row.budget_ytd_ore
        parent.actual_ytd_ore += row.actual_ytd_ore
        if parent is not total:
            if row.forecast_revised:
                parent.forecast_revised = True  # type: ignore[union-attr]
            if row.has_actual:
                parent.has_actual = True  # type: ignore[union-attr]
    return Report(year, as_of, known_at, rows, total)

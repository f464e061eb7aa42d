"""Reports as data, and the one roll-up rule: a parent's figure is the exact sum of its children's.

Both the SQL-backed report and the pure replay produce leaf figures; this module
turns leaf figures plus the line tree into report rows, so the two cannot
differ in how they add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from prognos.domain.money import ytd_share
from prognos.domain.period import YearMonth

ZERO = Decimal("0.00")
AMOUNT_FIELDS = ("budget", "forecast", "budget_ytd", "actual_ytd")


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class LeafFigures:
    """A leaf's own figures as of a month: budget, forecast (None = not revised), actual to date."""

    budget: Decimal = ZERO
    forecast: Decimal | None = None
    actual_ytd: Decimal = ZERO


@dataclass
class Row:
    code: str
    name: str
    parent: str | None
    depth: int
    is_leaf: bool
    budget: Decimal = ZERO
    forecast: Decimal = ZERO
    forecast_revised: bool = False
    budget_ytd: Decimal = ZERO
    actual_ytd: Decimal = ZERO

    @property
    def forecast_deviation(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def actual_deviation(self) -> Decimal:
        return self.actual_ytd - self.budget_ytd


@dataclass
class Totals:
    budget: Decimal = ZERO
    forecast: Decimal = ZERO
    budget_ytd: Decimal = ZERO
    actual_ytd: Decimal = ZERO

    @property
    def forecast_deviation(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def actual_deviation(self) -> Decimal:
        return self.actual_ytd - self.budget_ytd


@dataclass
class Report:
    year: int
    as_of: YearMonth
    known_at: datetime | None
    rows: list[Row] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)


def depth_first(lines: Iterable[Line]) -> list[tuple[Line, int, bool]]:
    """Lines in report order: depth first, children in the order they were added."""
    children: dict[str | None, list[Line]] = {}
    for line in sorted(lines, key=lambda ln: ln.position):
        children.setdefault(line.parent, []).append(line)
    ordered: list[tuple[Line, int, bool]] = []
    stack = [(line, 0) for line in reversed(children.get(None, []))]
    while stack:
        line, depth = stack.pop()
        kids = children.get(line.code, [])
        ordered.append((line, depth, not kids))
        stack.extend((kid, depth + 1) for kid in reversed(kids))
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
    months = as_of.month
    ordered = depth_first(lines)
    rows = [Row(line.code, line.name, line.parent, depth, is_leaf) for line, depth, is_leaf in ordered]
    by_code = {row.code: row for row in rows}
    for row in rows:
        if row.is_leaf:
            figures = leaves.get(row.code, LeafFigures())
            row.budget = figures.budget + ZERO
            row.forecast_revised = figures.forecast is not None
            row.forecast = (figures.budget if figures.forecast is None else figures.forecast) + ZERO
            row.budget_ytd = ytd_share(figures.budget, months)
            row.actual_ytd = figures.actual_ytd + ZERO
    # Children come after their parent in depth-first order, so summing in
    # reverse finishes every child before its parent is added to its own parent.
    for row in reversed(rows):
        if row.parent is None:
            continue
        parent = by_code[row.parent]
        parent.budget += row.budget
        parent.forecast += row.forecast
        parent.budget_ytd += row.budget_ytd
        parent.actual_ytd += row.actual_ytd
        parent.forecast_revised = parent.forecast_revised or row.forecast_revised
    total = Totals()
    for row in rows:
        if row.parent is None:
            total.budget += row.budget
            total.forecast += row.forecast
            total.budget_ytd += row.budget_ytd
            total.actual_ytd += row.actual_ytd
    return Report(year, as_of, known_at, rows, total)

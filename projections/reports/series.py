"""A line's year month by month, for a chart: as of each month, the budget in effect, the
full-year forecast and the actual to date; and the steps that moved the forecast (the
forecast bridge over the year), each with who and why.

Every month is the report's own arithmetic (`figures.leaf_figures` summed over the line's
leaves), so a chart and `report --as-of` of the same month show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from prognos.domain.money import from_ore
from prognos.events.errors import UnknownLineError
from prognos.events.period import YearMonth
from prognos.projections.reports.bridge import FEW, Bridge, bridge_of
from prognos.projections.reports.figures import leaf_figures
from prognos.projections.reports.rollup import lines, subtree
from prognos.projections.reports.source import LedgerSource


@dataclass(frozen=True)
class MonthFigures:
    month: YearMonth
    budget: Decimal  # the annual budget in effect as of the month
    forecast: Decimal  # the full-year forecast as of the month (the budget if never revised)
    actual_ytd: Decimal | None  # booked up to the month; None: nothing booked yet
    booked: bool  # anything booked in this month itself


@dataclass
class Series:
    code: str
    name: str
    year: int
    known_at: datetime | None
    months: list[MonthFigures] = field(default_factory=list)  # January to December
    bridge: Bridge | None = None  # the forecast's steps after January, with who and why

    @property
    def last_booked(self) -> YearMonth | None:
        """The last month anything was booked in: the actual is drawn up to it."""
        booked = [m.month for m in self.months if m.booked]
        return booked[-1] if booked else None


def series(store: LedgerSource, code: str, year: int,
           known_at: datetime | None = None) -> Series:
    """The line's twelve months and its forecast bridge over the year, in one snapshot."""
    with store.snapshot() as snap:
        upto = snap.cutoff(known_at)
        below = subtree(lines(snap, upto), code)
        if not below:
            when = f" at {known_at.isoformat()}" if known_at else ""
            raise UnknownLineError(f"unknown line {code!r}{when}")
        parents = {line.parent for line in below}
        leaves = [line.code for line in below if line.code not in parents]
        only = sorted(leaves) if len(leaves) <= FEW else None
        result = Series(code, below[0].name, year, known_at)
        before: int | None = None
        for month in range(1, 13):
            as_of = YearMonth(year, month)
            figures = leaf_figures(snap, year, as_of, upto, only=only)
            budget = forecast = actual = 0
            has_actual = False
            for leaf in leaves:
                found = figures.get(leaf)
                if found is None:
                    continue
                leaf_budget, leaf_forecast, leaf_actual = found
                budget += leaf_budget
                forecast += leaf_budget if leaf_forecast is None else leaf_forecast
                if leaf_actual is not None:
                    actual += leaf_actual
                    has_actual = True
            booked = has_actual and (before is None or actual != before)
            result.months.append(MonthFigures(
                as_of, from_ore(budget), from_ore(forecast),
                from_ore(actual) if has_actual else None, booked))
            if has_actual:
                before = actual
        result.bridge = bridge_of(snap, code, year, YearMonth(year, 1), YearMonth(year, 12),
                                  known_at)
        return result

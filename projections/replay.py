"""Reports by a plain fold over events: the definition the indexed views must match.

`check` and the tests compare the SQL-backed report with this one. It streams
the log once and keeps only each leaf's events of the year, never the log itself.
"""

from __future__ import annotations

from collections.abc import Iterable
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

Entry = tuple[YearMonth, int, str, Decimal]  # (month, position, kind, amount)


def replay_report(
    events: Iterable[LedgerEvent], year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Report:
    return replay_reports(events, year, [as_of], known_at)[0]


def replay_reports(
    events: Iterable[LedgerEvent],
    year: int,
    months: list[YearMonth],
    known_at: datetime | None = None,
) -> list[Report]:
    """The year's report as of each of `months`, from one pass over `events`."""
    lines: list[Line] = []
    by_leaf: dict[str, list[Entry]] = {}
    for event in events:
        if known_at is not None and event.recorded_at > known_at:
            continue
        position = event.position or 0
        if isinstance(event, LineAdded):
            lines.append(Line(event.code, event.name, event.parent, position))
        elif isinstance(event, (BudgetSet, BudgetTransferred)) and event.year == year:
            by_leaf.setdefault(event.code, []).append(
                (event.effective, position, event.kind, event.amount)
            )
        elif isinstance(event, ForecastRevised) and event.year == year:
            by_leaf.setdefault(event.code, []).append(
                (event.as_of, position, event.kind, event.amount)
            )
        elif isinstance(event, (ActualBooked, ActualReversed)) and event.period.year == year:
            by_leaf.setdefault(event.code, []).append(
                (event.period, position, "actual", event.amount)
            )
    for entries in by_leaf.values():
        entries.sort(key=lambda e: (e[0], e[1]))
    return [
        build_report(year, as_of, known_at, lines, {c: _fold(e, as_of) for c, e in by_leaf.items()})
        for as_of in months
    ]


def _fold(entries: list[Entry], as_of: YearMonth) -> LeafFigures:
    budget, forecast, actual = Decimal(0), None, Decimal(0)
    for month, _, kind, amount in entries:
        if month > as_of:
            break
        if kind == "budget_set":
            budget = amount
        elif kind == "budget_transferred":
            budget += amount
        elif kind == "forecast_revised":
            forecast = amount
        else:
            actual += amount
    return LeafFigures(budget=budget, forecast=forecast, actual_ytd=actual)

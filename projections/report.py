"""The report for a year as of a month, read from the indexed view tables.

Three grouped queries give every leaf's budget, latest forecast and actual to
date; the line tree is folded in Python. Nothing replays events per query.
`--known-at` becomes a position cut-off, because recording times only grow
with position (see `domain.clock.next_recorded_at`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prognos.domain.clock import format_instant
from prognos.domain.period import YearMonth
from prognos.projections.rollup import Line, OreFigures, Report, build_report_ore

# Orders budget events by (effective month, recording order) as one integer.
ORDER_KEY = "(month * 4294967296 + position)"

BUDGET_SQL = f"""
WITH last_set AS (
    SELECT line, MAX({ORDER_KEY}) AS k FROM prognos_entries
    WHERE year = :year AND kind = 'budget_set' AND month <= :month AND position <= :upto
    GROUP BY line
)
SELECT e.line, SUM(e.amount) FROM prognos_entries e LEFT JOIN last_set s ON s.line = e.line
WHERE e.year = :year AND e.kind IN ('budget_set', 'budget_transferred')
  AND e.month <= :month AND e.position <= :upto
  AND {ORDER_KEY.replace("month", "e.month").replace("position", "e.position")} >= COALESCE(s.k, 0)
GROUP BY e.line
"""

FORECAST_SQL = """
SELECT line, amount FROM (
    SELECT line, amount, ROW_NUMBER() OVER (
        PARTITION BY line ORDER BY month DESC, position DESC) AS rn
    FROM prognos_entries
    WHERE year = :year AND kind = 'forecast_revised' AND month <= :month AND position <= :upto
) latest WHERE rn = 1
"""

ACTUAL_SQL = """
SELECT line, SUM(amount) FROM prognos_entries
WHERE year = :year AND kind IN ('actual_booked', 'actual_reversed')
  AND month <= :month AND position <= :upto
GROUP BY line
"""

NO_LIMIT = 2**62


def cutoff(cursor: Any, known_at: datetime | None) -> int:
    """The last position recorded at or before `known_at` (everything when None)."""
    if known_at is None:
        return NO_LIMIT
    cursor.execute(
        "SELECT MAX(position) FROM prognos_commands WHERE recorded_at <= ?",
        (format_instant(known_at),),
    )
    return cursor.fetchone()[0] or 0


def lines(cursor: Any, upto: int = NO_LIMIT) -> list[Line]:
    cursor.execute(
        "SELECT code, name, parent, position FROM prognos_lines WHERE position <= ? "
        "ORDER BY position",
        (upto,),
    )
    return [Line(*row) for row in cursor.fetchall()]


def leaf_figures(cursor: Any, year: int, as_of: YearMonth, upto: int) -> dict[str, OreFigures]:
    """Each leaf's (budget, latest forecast or None, actual to date), in integer öre."""
    params = {"year": year, "month": as_of.index, "upto": upto}
    cursor.execute(BUDGET_SQL, params)
    budget = dict(cursor.fetchall())
    cursor.execute(FORECAST_SQL, params)
    forecast = dict(cursor.fetchall())
    cursor.execute(ACTUAL_SQL, params)
    actual = dict(cursor.fetchall())
    return {
        code: (budget.get(code, 0), forecast.get(code), actual.get(code, 0))
        for code in budget.keys() | forecast.keys() | actual.keys()
    }


def report(store: Any, year: int, as_of: YearMonth, known_at: datetime | None = None) -> Report:
    with store.read() as cursor:
        upto = cutoff(cursor, known_at)
        return build_report_ore(
            year, as_of, known_at, lines(cursor, upto), leaf_figures(cursor, year, as_of, upto)
        )

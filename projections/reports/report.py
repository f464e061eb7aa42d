"""The report for a year as of a month, read from the indexed view tables.

One grouped query per kind of event (each a single range of the covering
index) gives every leaf's budget, latest forecast and actual to date; the line
tree is folded in Python. Nothing replays events per query.
`--known-at` becomes a position cut-off, because recording times only grow
with position (see `domain.clock.next_recorded_at`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prognos.domain.clock import format_instant
from prognos.events.period import YearMonth
from prognos.projections.store.dialect import is_postgres
from prognos.projections.reports.rollup import Line, OreFigures, Report, build_report_ore

# Orders events by (month, recording order) as one integer.
ORDER_KEY = "(month * 4294967296 + position)"
_WHERE = "year = :year AND kind = '{kind}' AND month <= :month AND position <= :upto{only}"

# The latest event per line in one pass over the covering index. SQLite returns
# the bare column `amount` from the row that holds the MAX (its documented
# min/max special case); PostgreSQL says DISTINCT ON.
LATEST_SQL = f"SELECT line, amount, MAX({ORDER_KEY}) FROM prognos_entries WHERE {_WHERE} GROUP BY line"
PG_LATEST_SQL = (  # all descending: the covering index read backwards, no sort
    f"SELECT DISTINCT ON (line) line, amount, {ORDER_KEY} FROM prognos_entries WHERE {_WHERE} "
    "ORDER BY line DESC, month DESC, position DESC"
)
# A sum in two halves, each far from 64 bits, joined in Python: ten bookings near the
# largest amount would overflow one SQL SUM (SQLite fails, PostgreSQL's cast fails).
# Integer division and remainder truncate alike on both, so amount = high * 2**32 + low.
# PostgreSQL sums integers as numeric: the casts keep them int on both.
HALF = 2**32
SUM_SQL = (
    f"SELECT line, CAST(SUM(amount / {HALF}) AS BIGINT), CAST(SUM(amount % {HALF}) AS BIGINT) "
    f"FROM prognos_entries WHERE {_WHERE} GROUP BY line"
)
# Transfers are few; they are added in Python to the budget set before them.
TRANSFERS_SQL = (
    f"SELECT line, amount, {ORDER_KEY} FROM prognos_entries "
    f"WHERE {_WHERE.replace('{kind}', 'budget_transferred')}"
)


def line_filter(only: list[str] | None, params: dict[str, Any]) -> str:
    """`AND line IN (...)` for a few lines (named parameters added to `params`), else ''."""
    if only is None:
        return ""
    names = []
    for i, code in enumerate(only):
        params[f"line{i}"] = code
        names.append(f":line{i}")
    return f" AND line IN ({', '.join(names) or 'NULL'})"

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
        "SELECT code, name, parent, position FROM prognos_lines WHERE position <= ?", (upto,)
    )
    return list(map(Line._make, cursor.fetchall()))  # depth_first orders them


def leaf_figures(
    cursor: Any,
    year: int,
    as_of: YearMonth,
    upto: int,
    actuals: bool = True,
    only: list[str] | None = None,
) -> dict[str, OreFigures]:
    """Each leaf's (budget, latest forecast or None, actual to date), in integer öre;
    of the lines in `only` if given (a few: each is a seek in the index).

    One query per kind, each a single range of the covering index: the budget is
    the latest set plus the transfers after it, the forecast the latest revision,
    the actual the sum of bookings and reversals.
    """
    params: dict[str, Any] = {"year": year, "month": as_of.index, "upto": upto}
    where = line_filter(only, params)
    latest = PG_LATEST_SQL if is_postgres(cursor) else LATEST_SQL
    cursor.execute(latest.format(kind="budget_set", only=where), params)
    last_set = {line: (amount, key) for line, amount, key in cursor.fetchall()}
    budget = {line: amount for line, (amount, _) in last_set.items()}
    cursor.execute(TRANSFERS_SQL.format(only=where), params)
    for line, amount, key in cursor.fetchall():
        if key > last_set.get(line, (0, -1))[1]:
            budget[line] = budget.get(line, 0) + amount
    cursor.execute(latest.format(kind="forecast_revised", only=where), params)
    forecast = {line: amount for line, amount, _ in cursor.fetchall()}
    actual: dict[str, int] = {}
    for kind in ("actual_booked", "actual_reversed") if actuals else ():
        cursor.execute(SUM_SQL.format(kind=kind, only=where), params)
        for line, high, low in cursor.fetchall():
            actual[line] = actual.get(line, 0) + high * HALF + low
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

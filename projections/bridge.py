"""The forecast bridge: how the forecast of a line (or roll-up) as of one month became the next.

Each leaf's forecast is folded in (month, recording order) up to `from`; the
events of the months after it, up to `to`, are then replayed one command at a
time, and each command's net effect on the queried line becomes a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from prognos.domain.errors import RefusedError, UnknownLineError
from prognos.domain.money import from_ore
from prognos.domain.period import YearMonth
from prognos.projections.report import cutoff, lines
from prognos.projections.rollup import subtree

FORECAST_KINDS = ("budget_set", "budget_transferred", "forecast_revised")


@dataclass(frozen=True)
class Step:
    event_id: str
    kind: str
    line: str
    month: YearMonth
    before: Decimal
    after: Decimal
    delta: Decimal
    user: str
    recorded_at: str
    reason: str | None


@dataclass
class Bridge:
    code: str
    year: int
    known_at: datetime | None
    from_month: YearMonth
    to_month: YearMonth
    from_forecast: Decimal
    to_forecast: Decimal
    steps: list[Step] = field(default_factory=list)

    @property
    def change(self) -> Decimal:
        return self.to_forecast - self.from_forecast


class _Leaf:
    """A leaf's running budget and forecast revision during the fold."""

    __slots__ = ("budget", "revision")

    def __init__(self) -> None:
        self.budget = Decimal("0.00")
        self.revision: Decimal | None = None

    @property
    def forecast(self) -> Decimal:
        return self.budget if self.revision is None else self.revision

    def apply(self, kind: str, amount: Decimal) -> None:
        if kind == "budget_set":
            self.budget = amount
        elif kind == "budget_transferred":
            self.budget += amount
        else:
            self.revision = amount


def bridge(
    store: Any,
    code: str,
    year: int,
    from_month: YearMonth,
    to_month: YearMonth,
    known_at: datetime | None = None,
) -> Bridge:
    from_month.require_in(year, "--from")
    to_month.require_in(year, "--to")
    if to_month < from_month:
        raise RefusedError(f"--from {from_month} is after --to {to_month}")
    with store.read() as cursor:
        upto = cutoff(cursor, known_at)
        tree = lines(cursor, upto)
        below = subtree(tree, code)
        if not below:
            when = f" at {known_at.isoformat()}" if known_at else ""
            raise UnknownLineError(f"unknown line {code!r}{when}")
        parents = {line.parent for line in tree}
        leaves = {line.code: _Leaf() for line in below if line.code not in parents}
        cursor.execute(
            "SELECT position, event_id, command_id, kind, line, month, amount, user, "
            "recorded_at, reason FROM prognos_entries "
            "WHERE year = ? AND kind IN (?, ?, ?) AND month <= ? AND position <= ? "
            "ORDER BY month, position",
            (year, *FORECAST_KINDS, to_month.index, upto),
        )
        rows = [row for row in cursor.fetchall() if row[4] in leaves]

    start = 0
    while start < len(rows) and rows[start][5] <= from_month.index:
        _, _, _, kind, line, _, amount, *_ = rows[start]
        leaves[line].apply(kind, from_ore(amount))
        start += 1
    opening = sum((leaf.forecast for leaf in leaves.values()), Decimal("0.00"))
    result = Bridge(code, year, known_at, from_month, to_month, opening, opening)

    running = opening
    i = start
    while i < len(rows):
        month, command = rows[i][5], rows[i][2]
        delta = Decimal("0.00")
        representative = None
        while i < len(rows) and rows[i][5] == month and rows[i][2] == command:
            _, _, _, kind, line, _, amount, *_ = rows[i]
            leaf = leaves[line]
            before = leaf.forecast
            leaf.apply(kind, from_ore(amount))
            if leaf.forecast != before and representative is None:
                representative = rows[i]
            delta += leaf.forecast - before
            i += 1
        if delta == 0 or representative is None:
            continue
        _, event_id, _, kind, line, _, _, user, recorded_at, reason = representative
        result.steps.append(
            Step(
                event_id, kind, line, YearMonth.from_index(month),
                running, running + delta, delta, user, recorded_at, reason,
            )
        )
        running += delta
    result.to_forecast = running
    return result

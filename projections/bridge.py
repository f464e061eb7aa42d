"""The forecast bridge: how the forecast of a line (or roll-up) as of one month became the next.

Each leaf's forecast as of `from` comes from the report's queries; the events
of the months after it, up to `to`, are then replayed in (month, recording
order), and each command's net effect on the queried line in a month becomes
a step. A command's events are contiguous in that order (writers are
serialised), so a step is a run of rows with the same month and command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from prognos.domain.errors import RefusedError, UnknownLineError
from prognos.domain.money import from_ore
from prognos.domain.period import YearMonth
from prognos.projections.report import cutoff, leaf_figures, lines
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
        leaf_codes = {line.code for line in below if line.code not in parents}
        # The opening state comes from the report's grouped queries; only the
        # events between the two months are replayed, as integer öre.
        budget: dict[str, int] = {}
        revision: dict[str, int] = {}
        for leaf, (leaf_budget, leaf_forecast, _) in leaf_figures(
            cursor, year, from_month, upto, actuals=False
        ).items():
            if leaf in leaf_codes:
                budget[leaf] = leaf_budget
                if leaf_forecast is not None:
                    revision[leaf] = leaf_forecast
        opening = sum(revision.get(c, budget.get(c, 0)) for c in leaf_codes)
        cursor.execute(
            "SELECT month, command_id, kind, line, amount, position FROM prognos_entries "
            "WHERE year = ? AND kind IN (?, ?, ?) AND month > ? AND month <= ? AND position <= ? "
            "ORDER BY month, position",
            (year, *FORECAST_KINDS, from_month.index, to_month.index, upto),
        )
        everything = len(leaf_codes) == sum(1 for line in tree if line.code not in parents)
        steps: list[tuple[int, int, int]] = []  # (month, position of the representative, delta)
        group_month, group_command, delta, representative = -1, None, 0, 0
        for month, command, kind, line, amount, position in cursor:
            if not everything and line not in leaf_codes:
                continue
            if month != group_month or command != group_command:
                if delta:
                    steps.append((group_month, representative, delta))
                group_month, group_command, delta, representative = month, command, 0, 0
            if kind == "forecast_revised":
                before = revision.get(line)
                if before is None:
                    before = budget.get(line, 0)
                revision[line] = amount
                change = amount - before
            elif line in revision:
                # A budget change of a revised line does not move its forecast.
                budget[line] = amount if kind == "budget_set" else budget.get(line, 0) + amount
                continue
            else:
                before = budget.get(line, 0)
                after = amount if kind == "budget_set" else before + amount
                budget[line] = after
                change = after - before
            if change:
                if not representative:
                    representative = position
                delta += change
        if delta:
            steps.append((group_month, representative, delta))
        details = _details(cursor, [position for _, position, _ in steps])

    result = Bridge(code, year, known_at, from_month, to_month, from_ore(opening), from_ore(opening))
    running = opening
    for month, position, change in steps:
        event_id, kind, line, user, recorded_at, reason = details[position]
        result.steps.append(
            Step(
                event_id, kind, line, YearMonth.from_index(month), from_ore(running),
                from_ore(running + change), from_ore(change), user, recorded_at, reason,
            )
        )
        running += change
    result.to_forecast = from_ore(running)
    return result


def _details(cursor: Any, positions: list[int]) -> dict[int, tuple[Any, ...]]:
    """Who, when and why of each step's representative event."""
    found: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(positions), 500):
        chunk = positions[i : i + 500]
        cursor.execute(
            "SELECT position, event_id, kind, line, user, recorded_at, reason "
            f"FROM prognos_entries WHERE position IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update((row[0], tuple(row[1:])) for row in cursor.fetchall())
    return found

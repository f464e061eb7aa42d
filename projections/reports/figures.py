"""A leaf's figures as of a month, and the arithmetic every report shares.

- The budget fold: a set replaces the budget, a transfer is added to it, in order of
  month and then of recording (`next_budget`, `fold_budget`). The report, the replay
  and the bridge all fold budgets with it.
- The deviation: a figure against its budget, in one sign convention or the other.
- The budget to date: annual × months/12, rounded half-even to öre.

Amounts are integer öre.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from prognos.events.kinds import Figure, into
from prognos.events.period import YearMonth
from prognos.projections.reports.source import Snapshot

# (budget, latest forecast or None when never revised, actual to date or None when
# nothing was booked: no data is not zero)
OreFigures = tuple[int, "int | None", "int | None"]
Amount = TypeVar("Amount", int, Decimal)


class Sign(Enum):
    """How a deviation is shown: prognos's own convention, or the one tables 1.3 and 1.4
    of the city's report print."""

    FIGURE_MINUS_BUDGET = 1
    BUDGET_MINUS_FIGURE = -1


_OWN = Sign.FIGURE_MINUS_BUDGET


def deviation(figure: Amount, budget: Amount, sign: Sign = _OWN) -> Amount:
    """How far a figure (a forecast, an actual to date) is from its budget. (A report at
    50,000 lines asks 100,000 times: no arithmetic with the sign's value.)"""
    return figure - budget if sign is _OWN else budget - figure


def next_budget(budget: int, replaces: bool, amount: int) -> int:
    """The budget after one entry: a set replaces it, a transfer is added to it."""
    return amount if replaces else budget + amount


def fold_budget(entries: Iterable[tuple[int, bool, int]]) -> int:
    """The budget after these entries (order key, replaces, amount), in order of their keys."""
    budget = 0
    for _, replaces, amount in sorted(entries):
        budget = next_budget(budget, replaces, amount)
    return budget


def ytd_ore(annual_ore: int, months: int) -> int:
    """annual × months/12 in öre, rounded half-even (as `money.ytd_share`, in integers)."""
    quotient, remainder = divmod(annual_ore * months, 12)  # floor: exact for negatives too
    if remainder * 2 > 12 or (remainder * 2 == 12 and quotient % 2 == 1):
        return quotient + 1
    return quotient


# The kinds behind each figure, from their declarations.
BUDGET_SETS = into(Figure.BUDGET, replaces=True)
BUDGET_MOVES = into(Figure.BUDGET, replaces=False)
FORECASTS = into(Figure.FORECAST)
ACTUALS = into(Figure.ACTUAL)


def leaf_figures(
    snap: Snapshot,
    year: int,
    as_of: YearMonth,
    upto: int,
    actuals: bool = True,
    only: Sequence[str] | None = None,
) -> dict[str, OreFigures]:
    """Each leaf's (budget, latest forecast or None, actual to date) as of a month; of the
    lines in `only` if given (a few: each is a seek in the index).

    One query per kind, each a single range of the covering index: the budget is the
    latest set folded with the transfers (few) around it, the forecast the latest
    revision, the actual the sum of bookings and reversals.
    """
    through = as_of.index
    latest_set = {line: (amount, key)
                  for line, amount, key in _latest(snap, BUDGET_SETS, year, through, upto, only)}
    budget = {line: amount for line, (amount, _) in latest_set.items()}
    moves: dict[str, list[tuple[int, bool, int]]] = {}
    for line, amount, key in snap.entries(BUDGET_MOVES, year, through, upto, only):
        moves.setdefault(line, []).append((key, False, amount))
    for line, entries in moves.items():
        if line in latest_set:
            amount, key = latest_set[line]
            entries.append((key, True, amount))
        budget[line] = fold_budget(entries)
    forecast = {line: amount
                for line, amount, _ in _latest(snap, FORECASTS, year, through, upto, only)}
    actual: dict[str, int] = {}
    for name in ACTUALS if actuals else ():
        for line, total in snap.sums([name], year, through, upto, only):
            actual[line] = actual.get(line, 0) + total
    return {
        code: (budget.get(code, 0), forecast.get(code), actual.get(code))
        for code in budget.keys() | forecast.keys() | actual.keys()
    }


def _latest(
    snap: Snapshot, names: Sequence[str], year: int, through: int, upto: int,
    only: Sequence[str] | None,
) -> Iterable[tuple[str, int, int]]:
    """Each line's latest entry of these kinds: (line, amount, order key). A kind at a
    time, so each is one range of the index (today each figure has one kind)."""
    if len(names) == 1:
        return snap.latest(names, year, through, upto, only)
    latest: dict[str, tuple[str, int, int]] = {}
    for name in names:
        for line, amount, key in snap.latest([name], year, through, upto, only):
            if key > latest.get(line, ("", 0, -1))[2]:
                latest[line] = (line, amount, key)
    return latest.values()

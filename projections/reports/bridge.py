"""The forecast bridge: how the forecast of a line (or roll-up) as of one month became the next.

Each leaf's forecast as of `from` comes from the report's queries; each leaf's
events of the months after it, up to `to`, are then replayed in (month,
recording order), and every change is added to the step of its command and
month. A step's delta is the command's net effect on the queried line in that
month; steps are ordered by month, then by command. A leaf never revised is
forecast at its budget, so budget sets and transfers move the forecast too.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from prognos.domain.money import from_ore
from prognos.events import kinds
from prognos.domain import rules
from prognos.events.errors import UnknownLineError
from prognos.events.period import YearMonth
from prognos.projections.reports.figures import (
    BUDGET_MOVES, BUDGET_SETS, FORECASTS, leaf_figures, next_budget,
)
from prognos.projections.reports.notes import Note, notes_of
from prognos.projections.reports.rollup import lines
from prognos.projections.reports.rollup import subtree
from prognos.projections.reports.source import LedgerSource, Snapshot

FEW = 500  # up to this many leaves, the bridge seeks them in the index one by one


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
    notes: list[Note] = field(default_factory=list)  # when asked for: from..to, line and below

    @property
    def change(self) -> Decimal:
        return self.to_forecast - self.from_forecast


def bridge(
    store: LedgerSource,
    code: str,
    year: int,
    from_month: YearMonth,
    to_month: YearMonth,
    known_at: datetime | None = None,
    with_notes: bool = False,
) -> Bridge:
    """The steps from the forecast as of `from_month` to the one as of `to_month`, and
    (`with_notes`) the notes of the line and its subtree in those months, in one snapshot."""
    with store.snapshot() as snap:
        return bridge_of(snap, code, year, from_month, to_month, known_at, with_notes)


def bridge_of(
    snap: Snapshot,
    code: str,
    year: int,
    from_month: YearMonth,
    to_month: YearMonth,
    known_at: datetime | None = None,
    with_notes: bool = False,
) -> Bridge:
    """The same, from a snapshot already open (a chart reads the months in the same one).
    The months are checked before anything is read."""
    rules.month_in_year(from_month, year, "--from")
    rules.month_in_year(to_month, year, "--to")
    rules.months_in_order(from_month, to_month)
    upto = snap.cutoff(known_at)
    tree = lines(snap, upto)
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
    # A few lines are sought in the index; a big roll-up is read in one range.
    only = sorted(leaf_codes) if len(leaf_codes) <= FEW else None
    for leaf, (leaf_budget, leaf_forecast, _) in leaf_figures(
        snap, year, from_month, upto, actuals=False, only=only
    ).items():
        if leaf in leaf_codes:
            budget[leaf] = leaf_budget
            if leaf_forecast is not None:
                revision[leaf] = leaf_forecast
    opening = sum(revision.get(c, budget.get(c, 0)) for c in leaf_codes)
    window = (year, from_month.index, to_month.index, upto)
    groups = _changes(snap, window, leaf_codes, budget, revision, only)
    steps = sorted(
        (month, first, delta) for (month, _), (delta, first) in groups.items() if delta
    )
    details = _details(snap, [position for _, position, _ in steps])
    found = notes_of(snap, year, code, from_month, to_month, upto) if with_notes else []

    result = Bridge(code, year, known_at, from_month, to_month, from_ore(opening),
                    from_ore(opening), notes=found)
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


def _changes(
    snap: Snapshot,
    window: tuple[int, int, int, int],
    leaf_codes: set[str],
    budget: dict[str, int],
    revision: dict[str, int],
    only: list[str] | None,
    each: Callable[[str, int, int, int], None] | None = None,
) -> dict[tuple[int, str], list[int]]:
    """Each (month, command)'s net change of the leaves' forecasts, and its first changing
    position, replaying every leaf's events of the window (year, after, through, upto)
    on top of each leaf's opening budget and revision. With `each`, every change is
    handed to it instead, as (leaf, month, position, change), and nothing is grouped."""
    year, after, through, upto = window
    # A command's positions are contiguous and its recording time its own
    # (strictly later than the one before), so the time of the command
    # that wrote a position names its group; prognos_commands has them.
    commands = snap.command_ends(upto)
    lasts = [position for position, _ in commands]
    stamps = [stamp for _, stamp in commands]
    budget_events: dict[str, list[tuple[int, int, str, int]]] = {}
    for line, month, position, kind, amount in snap.changes(
        (*BUDGET_SETS, *BUDGET_MOVES), year, after, through, upto, only
    ):
        budget_events.setdefault(line, []).append((month, position, kind, amount))
    groups: dict[tuple[int, str], list[int]] = {}  # (month, command) -> [delta, first]

    def add(line: str, month: int, position: int, change: int) -> None:
        """Add a change of the forecast to its (month, command) group."""
        if each is not None:
            each(line, month, position, change)
            return
        key = (month, stamps[bisect_left(lasts, position)])
        group = groups.get(key)
        if group is None:
            groups[key] = [change, position]
        else:
            group[0] += change
            if position < group[1]:
                group[1] = position

    def fold(line: str, revisions: list[tuple[int, int, str, int]]) -> None:
        """Replay one leaf's events between the months; add each change to its group."""
        if line not in leaf_codes:
            return
        events = revisions
        if line in budget_events:
            events = sorted(revisions + budget_events.pop(line))
        rev, bud = revision.get(line), budget.get(line, 0)
        for month, position, kind, amount in events:
            before = bud if rev is None else rev
            if kind in FORECASTS:
                rev = amount
            else:
                bud = next_budget(bud, kinds.BY_KIND[kind].effect.replaces, amount)
            change = (bud if rev is None else rev) - before
            if change:
                add(line, month, position, change)

    # Revisions in the index's own order (line, month, position): no sort. A
    # line without budget events in the window (nearly all) is folded right
    # here, each revision changing the forecast from the one before it.
    current: str | None = None
    revisions: list[tuple[int, int, str, int]] = []
    mixed, wanted, before = False, False, 0
    revised = FORECASTS[0]  # the kind a revision is folded as
    for line, month, position, amount in snap.revisions(
        FORECASTS, year, after, through, upto, only
    ):
        if line != current:
            if mixed:
                fold(current, revisions)  # type: ignore[arg-type]
            current, revisions = line, []
            mixed, wanted = line in budget_events, line in leaf_codes
            before = revision.get(line, budget.get(line, 0))
        if mixed:
            revisions.append((month, position, revised, amount))
        elif wanted:
            change, before = amount - before, amount
            if change:
                add(line, month, position, change)
    if mixed:
        fold(current, revisions)  # type: ignore[arg-type]
    for line in list(budget_events):
        fold(line, [])
    return groups


def _details(snap: Snapshot, positions: list[int]) -> dict[int, tuple[Any, ...]]:
    """Who, when and why of each step's representative event, read from the event itself."""
    return {
        position: (state["event_id"], kind, state.get("code"), state["user"],
                   state["recorded_at"], state.get("reason"))
        for position, kind, state in snap.details(positions)
    }


def leaf_changes(
    snap: Snapshot, year: int, from_month: YearMonth, to_month: YearMonth, upto: int,
    leaf_codes: set[str],
) -> tuple[dict[str, int], list[tuple[str, int, int, int, int]]]:
    """Every leaf's forecast as of `from_month` (öre), and every change of it up to
    `to_month` as (leaf, month, command, position, change in öre): what the bridge of any
    line is made of. A line's steps are its leaves' changes grouped by (month, command),
    each shown by its first position, as `bridge` groups them; an HTML report groups them
    for each line on demand."""
    budget: dict[str, int] = {}
    revision: dict[str, int] = {}
    for leaf, (leaf_budget, leaf_forecast, _) in leaf_figures(
        snap, year, from_month, upto, actuals=False
    ).items():
        if leaf in leaf_codes:
            budget[leaf] = leaf_budget
            if leaf_forecast is not None:
                revision[leaf] = leaf_forecast
    opening = {leaf: revision.get(leaf, budget.get(leaf, 0)) for leaf in leaf_codes}
    lasts = [position for position, _ in snap.command_ends(upto)]
    found: list[tuple[str, int, int, int, int]] = []

    def each(line: str, month: int, position: int, change: int) -> None:
        found.append((line, month, bisect_left(lasts, position), position, change))

    window = (year, from_month.index, to_month.index, upto)
    _changes(snap, window, leaf_codes, dict(budget), dict(revision), None, each)
    return opening, found

"""The report for a year as of a month: every line's budget, forecast and actuals.

The store answers one grouped query per kind of event (`figures.leaf_figures`); the
line tree is folded here (`rollup`). Nothing replays events per query. `--known-at`
becomes a position cut-off, because recording times only grow with position (see
`domain.clock.next_recorded_at`).
"""

from __future__ import annotations

from datetime import datetime

from prognos.events.period import YearMonth
from prognos.projections.reports.figures import leaf_figures
from prognos.projections.reports.rollup import Line, Report, build_report_ore
from prognos.domain.state import NO_LIMIT
from prognos.projections.reports.source import LedgerSource, Snapshot


def lines(snap: Snapshot, upto: int = NO_LIMIT) -> list[Line]:
    """The line tree as known at position `upto` (`rollup.depth_first` orders it)."""
    return list(map(Line._make, snap.lines(upto)))


def report(
    store: LedgerSource, year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Report:
    with store.snapshot() as snap:
        return report_of(snap, year, as_of, known_at)


def report_of(
    snap: Snapshot, year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Report:
    """The report from a snapshot already open (`check` builds many in one)."""
    upto = snap.cutoff(known_at)
    return build_report_ore(
        year, as_of, known_at, lines(snap, upto), leaf_figures(snap, year, as_of, upto)
    )

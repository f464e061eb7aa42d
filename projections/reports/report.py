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
from prognos.projections.reports.notes import in_tree_order, notes_of
from prognos.projections.reports.rollup import Report, build_report_ore, lines
from prognos.projections.reports.source import LedgerSource, Snapshot


def report(
    store: LedgerSource, year: int, as_of: YearMonth, known_at: datetime | None = None,
    with_notes: bool = False,
) -> Report:
    """The report, and (`with_notes`) the notes of the year up to `as_of`, in one snapshot."""
    with store.snapshot() as snap:
        rep = report_of(snap, year, as_of, known_at)
        if with_notes:
            found = notes_of(snap, year, None, None, as_of, snap.cutoff(known_at))
            rep.notes = in_tree_order(found, [row.code for row in rep.rows])
        return rep


def report_of(
    snap: Snapshot, year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Report:
    """The report from a snapshot already open (`check` builds many in one)."""
    upto = snap.cutoff(known_at)
    return build_report_ore(
        year, as_of, known_at, lines(snap, upto), leaf_figures(snap, year, as_of, upto)
    )

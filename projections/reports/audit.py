"""What an HTML audit report holds, read in one snapshot: the report with its notes, the
history of the year on its lines, every leaf's forecast bridge over the year up to the
report's month (from which any line's bridge is grouped on demand), and the ledger's head
seal as known then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prognos.events.period import YearMonth
from prognos.projections.reports.bridge import leaf_changes
from prognos.projections.reports.history import entries_of
from prognos.projections.reports.notes import in_tree_order, notes_of
from prognos.projections.reports.report import report_of
from prognos.projections.reports.rollup import Report
from prognos.projections.reports.source import LedgerSource


@dataclass
class Audit:
    report: Report  # with the notes of the year up to its month
    head_seal: tuple[int, str] | None
    opening: dict[str, int]  # each leaf's forecast as of January, öre
    changes: list[tuple[str, int, int, int, int]]  # leaf, month, command, position, öre
    history: Iterator[dict[str, Any]]  # every entry of the year on its lines: read it inside


@contextmanager
def audit(store: LedgerSource, year: int, as_of: YearMonth,
          known_at: datetime | None = None) -> Iterator[Audit]:
    with store.snapshot() as snap:
        upto = snap.cutoff(known_at)
        rep = report_of(snap, year, as_of, known_at)
        codes = [row.code for row in rep.rows]
        rep.notes = in_tree_order(notes_of(snap, year, None, None, as_of, upto), codes)
        leaves = {row.code for row in rep.rows if row.is_leaf}
        opening, changes = leaf_changes(snap, year, YearMonth(year, 1), as_of, upto, leaves)
        yield Audit(rep, snap.head_seal(upto), opening, changes,
                    entries_of(snap, codes, year, upto))

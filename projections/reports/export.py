"""What an export holds, read in one snapshot: the report with its notes, the history of
its lines, and what it was made from (the ledger's head seal as known then)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prognos.events.period import YearMonth
from prognos.projections.reports.history import entries_of
from prognos.projections.reports.notes import in_tree_order, notes_of
from prognos.projections.reports.report import report_of
from prognos.projections.reports.rollup import Report
from prognos.projections.reports.source import LedgerSource


@dataclass
class Export:
    report: Report  # with the notes of the year up to its month
    head_seal: tuple[int, str] | None  # (position, digest) of the last seal known then
    history: Iterator[dict[str, Any]]  # every entry of the year on its lines: read it inside


@contextmanager
def export(
    store: LedgerSource, year: int, as_of: YearMonth, known_at: datetime | None = None
) -> Iterator[Export]:
    """The export of a year as of a month (as known at `known_at`); its history streams
    from the same snapshot, so it is read inside the `with`."""
    with store.snapshot() as snap:
        upto = snap.cutoff(known_at)
        rep = report_of(snap, year, as_of, known_at)
        codes = [row.code for row in rep.rows]
        rep.notes = in_tree_order(notes_of(snap, year, None, None, as_of, upto), codes)
        yield Export(rep, snap.head_seal(upto), entries_of(snap, codes, year, upto))

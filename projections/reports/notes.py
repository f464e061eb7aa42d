"""The written explanations of a line (and its subtree) in a span of months: half of an
interim report. A note is an event like any other, with who wrote it and when; the views
find it, the log gives its text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prognos.events.errors import UnknownLineError
from prognos.events.kinds import Effect, with_effect
from prognos.events.period import YearMonth
from prognos.projections.reports.rollup import lines
from prognos.projections.reports.rollup import subtree
from prognos.projections.reports.source import LedgerSource, Snapshot

NOTES = with_effect(Effect.ADDS_NOTE)
FEW = 500  # up to this many lines, their notes are sought in the index one by one


@dataclass(frozen=True)
class Note:
    position: int
    event_id: str
    line: str
    year: int
    period: str  # YYYY-MM
    text: str
    user: str
    recorded_at: str

    def as_json(self) -> dict[str, object]:
        return dict(vars(self))


def notes(
    store: LedgerSource,
    year: int,
    code: str | None = None,
    first: YearMonth | None = None,
    last: YearMonth | None = None,
    known_at: datetime | None = None,
) -> list[Note]:
    """The notes of the year (of a line and its subtree when `code` is given), in the
    months first..last (the whole year when not given), in recording order."""
    with store.snapshot() as snap:
        return notes_of(snap, year, code, first, last, snap.cutoff(known_at))


def notes_of(
    snap: Snapshot,
    year: int,
    code: str | None,
    first: YearMonth | None,
    last: YearMonth | None,
    upto: int,
) -> list[Note]:
    """The same, from a snapshot already open (the report and the bridge show notes)."""
    tree = lines(snap, upto)
    codes: Sequence[str] | None = None
    if code is not None:
        codes = [line.code for line in subtree(tree, code)]
        if not codes:
            raise UnknownLineError(f"unknown line {code!r}")
    after = (first or YearMonth(year, 1)).index - 1
    through = (last or YearMonth(year, 12)).index
    only = codes if codes is not None and len(codes) <= FEW else None
    wanted = None if codes is None else set(codes)
    found = sorted(
        (position, line) for line, _, position, _, _ in
        snap.changes(NOTES, year, after, through, upto, only)
        if wanted is None or line in wanted
    )
    return [
        Note(position, state["event_id"], state["code"], year, state["period"], state["text"],
             state["user"], state["recorded_at"])
        for position, _, state in snap.details([position for position, _ in found])
    ]


def in_tree_order(found: list[Note], codes: Sequence[str]) -> list[Note]:
    """Notes ordered as a report lists their lines (`codes`), then as recorded."""
    order = {code: i for i, code in enumerate(codes)}
    return sorted(found, key=lambda note: (order.get(note.line, len(order)), note.position))


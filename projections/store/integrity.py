"""A SQL store's checks of itself, for `prognos check`: do its views and seals still follow
from its log?

Each check is fed the log one event at a time, by the one pass `check` makes over it
(`see`), and compares what it re-derives with what the store holds: the views' rows,
the tables the rules decide on, the marks where each command ends, the seals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from prognos.domain.clock import format_instant
from prognos.domain.state import Check, DecisionState
from prognos.projections.store import log, seals, views
from prognos.projections.store.dialect import ReadCursor
from prognos.projections.store.unit_of_work import LINE_COLUMNS

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent

# Those that replay the log, in the order they are reported.
REPLAYED = ("views_equal_replay", "decision_views_equal_replay", "recording_times")


class StoreIntegrity:
    def __init__(self, cursor: ReadCursor):
        self.cursor = cursor
        self.entries = _EntryRows(cursor.connection.cursor())
        self.decisions = DecisionState()
        marks = cursor.connection.cursor()
        marks.execute("SELECT position, recorded_at FROM prognos_commands ORDER BY position")
        self.times = _RecordingTimes(iter(marks))

    def before(self) -> list[Check]:
        last, tracked = log.last_position(self.cursor), views.tracked_position(self.cursor)
        return [Check("views_up_to_date", last == tracked,
                      f"log at position {last}, views at {tracked}", "views_at",
                      (("last", last), ("tracked", tracked)))]

    def see(self, event: LedgerEvent) -> None:
        self.entries.see(event)
        self.decisions.apply(event, event.position or 0)
        self.times.see(event)

    def after(self) -> list[Check]:
        return [self.entries.result(), self._decisions(), self.times.result()]

    def unreadable(self, error: Exception) -> list[Check]:
        """A damaged event row: every check that replays the log fails, naming it."""
        return [Check(REPLAYED[0], False, str(error)),
                *(Check(name, False, f"not checked: {error}") for name in REPLAYED[1:])]

    def last(self) -> list[Check]:
        return [seals.verify(self.cursor, self.cursor.connection.cursor())]

    def _decisions(self) -> Check:
        """The tables the rules decide on (the line tree, closings) equal a replay of the log.

        A tampered `children` or `closed_through` would let refused commands through,
        so they are re-derived here rather than trusted."""
        name, state = "decision_views_equal_replay", self.decisions
        if state.fault is not None:  # the log itself breaks the rules the views keep
            return Check(name, False, state.fault)
        # The rows as the views should hold them, compared as stored: a flag must be 0 or 1.
        replayed = {code: (line.code, line.name, line.parent, line.children,
                           int(line.has_amounts), line.position, line.depth)
                    for code, line in state.lines.items()}
        c = self.cursor
        c.execute(f"SELECT {LINE_COLUMNS} FROM prognos_lines")
        stored = {row[0]: tuple(row) for row in c.fetchall()}
        for code in sorted(replayed.keys() | stored.keys()):
            if replayed.get(code) != stored.get(code):
                return Check(name, False, f"line {code!r} differs from the log")
        meta = {"views_version": views.VERSION}
        if state.closed is not None:
            meta["closed_through"] = str(state.closed)
        if state.last_recorded_at is not None:
            meta["last_recorded_at"] = format_instant(state.last_recorded_at)
        c.execute("SELECT key, value FROM prognos_meta")
        stored_meta = dict(tuple(row) for row in c.fetchall())
        if stored_meta != meta:
            keys = sorted(k for k in meta.keys() | stored_meta.keys()
                          if meta.get(k) != stored_meta.get(k))
            return Check(name, False, f"{', '.join(keys)} differ from the log")
        return Check(name, True, f"{len(replayed)} lines and the closings match",
                     "decisions_ok", (("lines", len(replayed)),))


class _EntryRows:
    """Every event in the log has exactly its row in the views, in order (both streamed)."""

    def __init__(self, cursor: ReadCursor):
        cursor.execute(
            f"SELECT {', '.join(views.ENTRY_COLUMNS)} FROM prognos_entries ORDER BY position"
        )
        self.stored = iter(cursor)
        self.count = 0
        self.fault: str | None = None

    def see(self, event: LedgerEvent) -> None:
        if self.fault is None:
            self.count += 1
            row = next(self.stored, None)
            if row is None or tuple(row) != views.entry_row(event):
                self.fault = f"event at position {event.position} differs"

    def result(self) -> Check:
        if self.fault is None:
            extra = next(self.stored, None)
            if extra is not None:
                self.fault = f"view row at position {extra[0]} has no event"
        if self.fault is not None:
            return Check("views_equal_replay", False, self.fault)
        return Check("views_equal_replay", True, f"{self.count} events match their view rows",
                     "views_ok", (("events", self.count),))


class CommandEnd(NamedTuple):
    """Where `--known-at` cuts: a command's last position and its recording time."""

    position: int
    recorded_at: str


class _RecordingTimes:
    """recorded-at never decreases and is one time per command, and the views mark each
    command's end (where `--known-at` cuts) at the right position with the right time."""

    def __init__(self, marks: Iterator[Any]):
        self.marks = (CommandEnd._make(row) for row in marks)
        self.mark = next(self.marks, None)
        self.last: LedgerEvent | None = None
        self.marked = False
        self.fault: str | None = None

    def see(self, event: LedgerEvent) -> None:
        last = self.last
        self.last = event
        if self.fault is not None:
            return
        if last is not None and event.command_id != last.command_id and not self.marked:
            self.fault = f"no command end marked at position {last.position}"
        elif last is not None and (event.recorded_at < last.recorded_at or (
                event.command_id == last.command_id and event.recorded_at != last.recorded_at)):
            self.fault = f"recorded-at goes backwards after position {last.position}"
        self.marked = self.mark is not None and self.mark.position == event.position
        if self.marked:
            assert self.mark is not None
            if self.mark.recorded_at != format_instant(event.recorded_at):
                self.fault = self.fault or f"command end at {event.position} has another time"
            self.mark = next(self.marks, None)

    def result(self) -> Check:
        fault = self.fault
        if fault is None and (self.mark is not None or (self.last is not None and not self.marked)):
            where = self.mark.position if self.mark is not None else self.last.position  # type: ignore[union-attr]
            fault = f"command end mark at position {where} does not match the log"
        if fault is not None:
            return Check("recording_times", False, fault)
        return Check("recording_times", True,
                     "recorded-at never decreases; one time per command, marked at its end",
                     "times_ok")

"""`prognos check`: does the store still hold together?

Each check re-derives something from the log, or from the rules, and compares
it with what the views say. Reports come from the views; the replay streams the
log once per year, keeping a few figures per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

from prognos.domain.clock import format_instant
from prognos.events.errors import UnreadableEventError
from prognos.events.period import YearMonth
from prognos.projections.store import seals, views
from prognos.projections.reports.replay import replay_reports
from prognos.projections.reports.report import report
from prognos.projections.reports.rollup import AMOUNT_FIELDS, Report


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(store: Any) -> list[Check]:
    """Every check. Those that compare views with the log are fed its events one at a
    time as the replay of the first year's reports reads them, so the log is read once
    per year (once at least), not once per check."""
    years = _years(store)
    with store.read() as c:
        entries = _EntryRows(c.connection.cursor())
        decisions = _DecisionViews()
        marks = c.connection.cursor()
        marks.execute("SELECT position, recorded_at FROM prognos_commands ORDER BY position")
        times = _RecordingTimes(iter(marks))
        log = _fed(store.notifications(), (entries.see, decisions.see, times.see))
        try:
            reports = _reports_hold(store, years, log)
            for _ in log:  # no year to replay: the checks still see every event
                pass
            from_log = [entries.result(), decisions.result(c), times.result(), *reports]
        except UnreadableEventError as e:
            # A damaged event row: every check that replays the log fails, naming it.
            from_log = [Check("views_equal_replay", False, str(e)),
                        *(Check(name, False, f"not checked: {e}") for name in _REPLAYED[1:])]
        sealed, detail = seals.verify(c, c.connection.cursor())
        return [
            _views_current(store),
            *from_log,
            _transfers_net_to_zero(store),
            _reversal_links(store),
            Check("log_sealed", sealed, detail),
        ]


# The checks that need the whole log replayed, in the order they are reported.
_REPLAYED = ("views_equal_replay", "decision_views_equal_replay", "recording_times",
             "reports_equal_replay", "rollups_sum_children")


def _fed(events: Iterator[Any], observers: tuple[Any, ...]) -> Iterator[Any]:
    for event in events:
        for see in observers:
            see(event)
        yield event


def _years(store: Any) -> list[int]:
    with store.read() as c:
        c.execute("SELECT DISTINCT year FROM prognos_entries WHERE year IS NOT NULL ORDER BY year")
        return [row[0] for row in c.fetchall()]


def _views_current(store: Any) -> Check:
    log, tracked = store.max_position(), store.tracked_position()
    return Check(
        "views_up_to_date", log == tracked, f"log at position {log}, views at {tracked}"
    )


class _EntryRows:
    """Every event in the log has exactly its row in the views, in order (both streamed)."""

    def __init__(self, cursor: Any):
        cursor.execute(f"SELECT {', '.join(views.ENTRY_COLUMNS)} FROM prognos_entries ORDER BY position")
        self.stored = iter(cursor)
        self.count = 0
        self.fault: str | None = None

    def see(self, event: Any) -> None:
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
        return Check("views_equal_replay", True, f"{self.count} events match their view rows")


class _DecisionViews:
    """The tables the rules decide on (the line tree, closings) equal a replay of the log.

    A tampered `children` or `closed_through` would let refused commands through,
    so they are re-derived here rather than trusted.
    """

    def __init__(self) -> None:
        self.lines: dict[str, list[Any]] = {}
        self.meta: dict[str, str] = {"views_version": views.VERSION}
        self.fault: str | None = None

    def see(self, event: Any) -> None:
        lines, code = self.lines, event.line
        if event.kind == "line_added":
            parent = getattr(event, "parent")
            if parent is not None and parent not in lines:
                self._fault(f"line {code!r} at position {event.position} has an unknown parent")
                parent = None
            depth = lines[parent][4] + 1 if parent is not None else 0
            if parent is not None:
                lines[parent][5] += 1
            lines[code] = [code, getattr(event, "name"), parent, event.position, depth, 0, 0]
        elif event.kind in views.AMOUNT_KINDS:
            if code not in lines:
                self._fault(f"the event at position {event.position} is for an unknown line")
            else:
                lines[code][6] = 1
        elif event.kind == "period_closed":
            self.meta["closed_through"] = str(getattr(event, "through"))
        self.meta["last_recorded_at"] = format_instant(event.recorded_at)

    def _fault(self, fault: str) -> None:
        self.fault = self.fault or fault

    def result(self, c: Any) -> Check:
        name, lines, meta = "decision_views_equal_replay", self.lines, self.meta
        if self.fault is not None:  # the log itself breaks the rules the views keep
            return Check(name, False, self.fault)
        c.execute("SELECT code, name, parent, position, depth, children, has_amounts FROM prognos_lines")
        stored = {row[0]: list(row) for row in c.fetchall()}
        c.execute("SELECT key, value FROM prognos_meta")
        stored_meta = dict(tuple(row) for row in c.fetchall())
        for code in sorted(lines.keys() | stored.keys()):
            if lines.get(code) != stored.get(code):
                return Check(name, False, f"line {code!r} differs from the log")
        if stored_meta != meta:
            keys = sorted(k for k in meta.keys() | stored_meta.keys() if meta.get(k) != stored_meta.get(k))
            return Check(name, False, f"{', '.join(keys)} differ from the log")
        return Check(name, True, f"{len(lines)} lines and the closings match")


def _reports(store: Any, year: int) -> Iterator[Report]:
    """The live report as of each month of the year, one at a time (bounded memory)."""
    return (report(store, year, YearMonth(year, m)) for m in range(1, 13))


def _same(a: Report, b: Report) -> bool:
    return a.rows == b.rows and a.total == b.total


def _reports_hold(store: Any, years: list[int], log: Iterator[Any]) -> tuple[Check, Check]:
    """Each month's live report, built once, equals the replay and adds up. The first
    year is replayed from `log`; later years read the log again."""
    replay_fault = rollup_fault = None
    for i, year in enumerate(years):
        months = [YearMonth(year, m) for m in range(1, 13)]
        replayed = replay_reports(log if i == 0 else store.notifications(), year, months)
        for month, live, fresh in zip(months, _reports(store, year), replayed):
            if replay_fault is None and not _same(live, fresh):
                replay_fault = f"report {year} as of {month} differs"
            rollup_fault = rollup_fault or _rollup_fault(live)
    return (
        Check("reports_equal_replay", replay_fault is None,
              replay_fault or f"{len(years)} year(s), 12 months each"),
        Check("rollups_sum_children", rollup_fault is None,
              rollup_fault or "every roll-up equals the sum of its children"),
    )


def _rollup_fault(rep: Report) -> str | None:
    children: dict[str | None, list[Any]] = {}
    for row in rep.rows:
        children.setdefault(row.parent, []).append(row)
    parents = [(r.code, r) for r in rep.rows if not r.is_leaf] + [(None, rep.total)]
    for code, parent in parents:
        for name in AMOUNT_FIELDS:
            total = sum(getattr(k, name) for k in children.get(code, []))
            if total != getattr(parent, name):
                return (f"{code or 'total'} {name} {getattr(parent, name)} != {total} "
                        f"({rep.year} as of {rep.as_of})")
    return None


def _transfers_net_to_zero(store: Any) -> Check:
    with store.read() as c:
        c.execute(
            "SELECT transfer_id, SUM(amount), COUNT(*) FROM prognos_entries "
            "WHERE kind = 'budget_transferred' GROUP BY transfer_id "
            "HAVING SUM(amount) != 0 OR COUNT(*) != 2"
        )
        bad = c.fetchall()
    if bad:
        return Check("transfers_net_to_zero", False, f"transfer {bad[0][0]} does not net to zero")
    return Check("transfers_net_to_zero", True, "every transfer has two sides summing to zero")


def _reversal_links(store: Any) -> Check:
    with store.read() as c:
        c.execute(
            "SELECT r.event_id, o.kind, o.line = r.line, o.amount + r.amount "
            "FROM prognos_entries r LEFT JOIN prognos_entries o ON o.event_id = r.corrects "
            "WHERE r.kind = 'actual_reversed'"
        )
        for event_id, kind, same_line, net in c.fetchall():
            if kind != "actual_booked" or not same_line or net != 0:
                return Check(
                    "reversal_links", False,
                    f"reversal {event_id} does not exactly oppose an actual booking",
                )
        c.execute(
            "SELECT corrects FROM prognos_entries WHERE corrects IS NOT NULL "
            "GROUP BY corrects HAVING COUNT(*) > 1"
        )
        twice = c.fetchall()
    if twice:
        return Check("reversal_links", False, f"booking {twice[0][0]} is reversed more than once")
    return Check("reversal_links", True, "every reversal opposes one booking, once")


class _RecordingTimes:
    """recorded-at never decreases and is one time per command, and the views mark each
    command's end (where `--known-at` cuts) at the right position with the right time.
    Fed the log one event at a time by another check's pass over it."""

    def __init__(self, marks: Iterator[Any]):
        self.marks = marks
        self.mark = next(marks, None)
        self.last: Any = None
        self.marked = False
        self.fault: str | None = None

    def see(self, event: Any) -> None:
        last = self.last
        self.last = event
        if self.fault is not None:
            return
        if last is not None and event.command_id != last.command_id and not self.marked:
            self.fault = f"no command end marked at position {last.position}"
        elif last is not None and (event.recorded_at < last.recorded_at or (
                event.command_id == last.command_id and event.recorded_at != last.recorded_at)):
            self.fault = f"recorded-at goes backwards after position {last.position}"
        self.marked = self.mark is not None and self.mark[0] == event.position
        if self.marked:
            if self.mark[1] != format_instant(event.recorded_at):
                self.fault = self.fault or f"command end at {event.position} has another time"
            self.mark = next(self.marks, None)

    def result(self) -> Check:
        fault = self.fault
        if fault is None and (self.mark is not None or (self.last is not None and not self.marked)):
            where = self.mark[0] if self.mark is not None else self.last.position
            fault = f"command end mark at position {where} does not match the log"
        if fault is not None:
            return Check("recording_times", False, fault)
        return Check("recording_times", True,
                     "recorded-at never decreases; one time per command, marked at its end")

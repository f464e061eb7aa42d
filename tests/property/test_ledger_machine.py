"""The ledger against a plain reference model, driven by a hypothesis state machine.

Random lines, budgets, transfers, forecasts, bookings, reversals, notes and
closings go to the real `Ledger` on a real SQLite file. A model written here,
straight from the contract in issue 2 (a list of facts with their recording
times and a few folds over it), predicts for every command whether it is
refused and, after every step, what the report, the forecast bridge and the
replay must say at a random (as-of, known-at).
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from prognos.domain.application import Ledger
from prognos.domain.clock import format_instant
from prognos.domain.money import to_ore
from prognos.events.errors import RefusedError, UnknownLineError
from prognos.events.period import YearMonth
from prognos.projections.reports.check import run_checks
from prognos.projections.reports.bridge import bridge
from prognos.projections.reports.replay import replay_report
from prognos.projections.reports.report import report
from prognos.projections.reports.rollup import AMOUNT_FIELDS
from prognos.projections.store.memory import MemoryStore
from backends import BACKENDS, dump_store, open_store, postgres_schemas


def _root_conftest() -> Any:
    """tests/conftest.py by path: `import conftest` may find another folder's conftest."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_prognos_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conftest = _root_conftest()
FakeClock = _conftest.FakeClock

# ---------------------------------------------------------------------------
# A small universe, so that lines collide, months close and refusals happen.
# ---------------------------------------------------------------------------

YEARS = (2024, 2025)
CODES = ("drift", "it", "it-sak", "it-lic", "lokal", "pers")
NAMES = ("Drift", "IT", "Säkerhet", "Licenser", "Lokaler och städ", "Personal")
TICK = timedelta(microseconds=1)
UNKNOWN_EVENT = UUID("00000000-0000-4000-8000-000000000000")
AMOUNT_KINDS = (
    "budget_set", "budget_transferred", "forecast_revised", "actual_booked", "actual_reversed",
)
ZERO = Decimal(0)

# Seconds the system clock moves before each command: mostly forward, sometimes not at
# all, now and then backwards (recording times must still only grow).
TICKS = st.one_of(st.just(0), st.integers(1, 5), st.integers(60, 86_400), st.integers(-90, -1))
STOCKHOLM_SUMMER = timezone(timedelta(hours=2))
AMOUNTS = st.one_of(
    st.integers(-2_000, 2_000).map(lambda ore: Decimal(ore).scaleb(-2)),
    st.integers(-(10**11), 10**11).map(lambda ore: Decimal(ore).scaleb(-2)),
    st.integers(-(10**7), 10**7).map(Decimal),
)
POSITIVE_AMOUNTS = AMOUNTS.map(abs).filter(lambda amount: amount > 0)
TRANSFER_AMOUNTS = st.one_of(POSITIVE_AMOUNTS, POSITIVE_AMOUNTS, POSITIVE_AMOUNTS, AMOUNTS)
YEAR = st.sampled_from(YEARS)
MONTH = st.builds(YearMonth, st.sampled_from(YEARS), st.integers(1, 12))
# A month meant to lie in the command's year: mostly it does, sometimes it is a year off.
MONTH_IN_YEAR = st.tuples(st.sampled_from([0, 0, 0, 0, 0, -1, 1]), st.integers(1, 12))


def month_in(year: int, offset_and_month: tuple[int, int]) -> YearMonth:
    offset, month = offset_and_month
    return YearMonth(year + offset, month)


# ---------------------------------------------------------------------------
# The reference model: facts in recording order, and folds over them.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    seq: int  # recording order
    command: int
    at: datetime
    kind: str
    line: str | None
    event_id: UUID
    year: int | None = None
    month: YearMonth | None = None
    amount: Decimal | None = None
    reason: str | None = None
    corrects: UUID | None = None


@dataclass(frozen=True)
class ModelLine:
    code: str
    name: str
    parent: str | None
    seq: int
    at: datetime


ModelRow = tuple[str, str, "str | None", int, bool, Decimal, Decimal, bool, Decimal, Decimal]


def ytd(budget: Decimal, months: int) -> Decimal:
    """budget × months/12, rounded to öre half-even, computed exactly with fractions."""
    ore = round(Fraction(budget) * 100 * months / 12)  # round() of a Fraction is half-even
    return Decimal(ore).scaleb(-2)


class Model:
    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.lines: list[ModelLine] = []
        self.closed: YearMonth | None = None
        self.commands = 0
        self.times: list[datetime] = []  # recorded-at of every accepted command

    # -- recording ---------------------------------------------------------

    def recording_time(self, now: datetime) -> datetime:
        last = self.times[-1] if self.times else None
        return now if last is None or now > last else last + TICK

    def accept(self, at: datetime) -> int:
        self.commands += 1
        self.times.append(at)
        return self.commands

    def add_fact(self, **fields: Any) -> Fact:
        fact = Fact(seq=len(self.facts), **fields)
        self.facts.append(fact)
        return fact

    # -- the current state, as the rules see it ----------------------------

    def line(self, code: str) -> ModelLine | None:
        return next((ln for ln in self.lines if ln.code == code), None)

    def is_leaf(self, code: str) -> bool:
        return not any(ln.parent == code for ln in self.lines)

    def has_amounts(self, code: str) -> bool:
        return any(f.line == code and f.kind in AMOUNT_KINDS for f in self.facts)

    def is_closed(self, month: YearMonth) -> bool:
        return self.closed is not None and month <= self.closed

    def fact(self, event_id: UUID) -> Fact | None:
        return next((f for f in self.facts if f.event_id == event_id), None)

    def is_reversed(self, event_id: UUID) -> bool:
        return any(f.corrects == event_id for f in self.facts)

    def not_a_leaf(self, code: str) -> str | None:
        if self.line(code) is None:
            return f"unknown line {code}"
        if not self.is_leaf(code):
            return f"{code} is a roll-up"
        return None

    # -- the ledger as known at a moment -----------------------------------

    def known(self, known_at: datetime | None) -> list[Fact]:
        return [f for f in self.facts if known_at is None or f.at <= known_at]

    def known_lines(self, known_at: datetime | None) -> list[ModelLine]:
        return [ln for ln in self.lines if known_at is None or ln.at <= known_at]

    def tree(self, known_at: datetime | None) -> list[tuple[ModelLine, int, bool]]:
        """Depth first, children in the order they were added."""
        lines = self.known_lines(known_at)
        kids: dict[str | None, list[ModelLine]] = {}
        for ln in sorted(lines, key=lambda ln: ln.seq):
            kids.setdefault(ln.parent, []).append(ln)
        out: list[tuple[ModelLine, int, bool]] = []

        def walk(parent: str | None, depth: int) -> None:
            for ln in kids.get(parent, []):
                out.append((ln, depth, ln.code not in kids))
                walk(ln.code, depth + 1)

        walk(None, 0)
        return out

    def budget(self, facts: list[Fact], code: str, year: int, as_of: YearMonth) -> Decimal:
        events = sorted(
            (f for f in facts if f.line == code and f.year == year
             and f.kind in ("budget_set", "budget_transferred") and f.month <= as_of),
            key=lambda f: (f.month, f.seq),
        )
        value = ZERO
        for f in events:
            value = f.amount if f.kind == "budget_set" else value + f.amount
        return value

    def revision(self, facts: list[Fact], code: str, year: int, as_of: YearMonth) -> Decimal | None:
        revisions = [
            f for f in facts
            if f.line == code and f.year == year and f.kind == "forecast_revised"
            and f.month <= as_of
        ]
        if not revisions:
            return None
        return max(revisions, key=lambda f: (f.month, f.seq)).amount

    def actual(self, facts: list[Fact], code: str, year: int, as_of: YearMonth) -> Decimal:
        return sum(
            (f.amount for f in facts
             if f.line == code and f.kind in ("actual_booked", "actual_reversed")
             and f.month.year == year and f.month <= as_of),
            ZERO,
        )

    def report(self, year: int, as_of: YearMonth, known_at: datetime | None) -> list[ModelRow]:
        facts = self.known(known_at)
        tree = self.tree(known_at)
        figures: dict[str, list[Any]] = {}
        for ln, _, is_leaf in tree:
            if is_leaf:
                budget = self.budget(facts, ln.code, year, as_of)
                revision = self.revision(facts, ln.code, year, as_of)
                figures[ln.code] = [
                    budget,
                    budget if revision is None else revision,
                    revision is not None,
                    ytd(budget, as_of.month),
                    self.actual(facts, ln.code, year, as_of),
                ]
        for ln, _, is_leaf in reversed(tree):  # children before their parents
            if not is_leaf:
                kids = [figures[k.code] for k, _, _ in tree if k.parent == ln.code]
                figures[ln.code] = [
                    sum((k[0] for k in kids), ZERO),
                    sum((k[1] for k in kids), ZERO),
                    any(k[2] for k in kids),
                    sum((k[3] for k in kids), ZERO),
                    sum((k[4] for k in kids), ZERO),
                ]
        return [
            (ln.code, ln.name, ln.parent, depth, is_leaf, *figures[ln.code])  # type: ignore[misc]
            for ln, depth, is_leaf in tree
        ]

    def bridge(
        self, code: str, year: int, start: YearMonth, end: YearMonth, known_at: datetime | None
    ) -> tuple[Decimal, list[tuple[Any, ...]], Decimal]:
        """(forecast as of start, steps, forecast as of end).

        A step is (month, event_id, kind, line, before, after, delta).
        """
        tree = self.tree(known_at)
        index = next(i for i, (ln, _, _) in enumerate(tree) if ln.code == code)
        depth = tree[index][1]
        below = [tree[index]]
        for item in tree[index + 1:]:
            if item[1] <= depth:
                break
            below.append(item)
        leaves = [ln.code for ln, _, is_leaf in below if is_leaf]
        budgets = {c: ZERO for c in leaves}
        revisions: dict[str, Decimal | None] = {c: None for c in leaves}

        def forecast(c: str) -> Decimal:
            r = revisions[c]
            return budgets[c] if r is None else r

        def apply(f: Fact) -> None:
            if f.kind == "budget_set":
                budgets[f.line] = f.amount
            elif f.kind == "budget_transferred":
                budgets[f.line] += f.amount
            else:
                revisions[f.line] = f.amount

        moves = sorted(
            (f for f in self.known(known_at)
             if f.line in budgets and f.year == year and f.month <= end
             and f.kind in ("budget_set", "budget_transferred", "forecast_revised")),
            key=lambda f: (f.month, f.seq),
        )
        for f in moves:
            if f.month <= start:
                apply(f)
        opening = sum((forecast(c) for c in leaves), ZERO)
        running = opening
        steps = []
        later = [f for f in moves if f.month > start]
        for _, group in groupby(later, key=lambda f: (f.month, f.command)):
            delta, first = ZERO, None
            for f in group:
                before = forecast(f.line)
                apply(f)
                if forecast(f.line) != before and first is None:
                    first = f
                delta += forecast(f.line) - before
            if delta != 0 and first is not None:
                steps.append(
                    (first.month, first.event_id, first.kind, first.line,
                     running, running + delta, delta)
                )
                running += delta
        return opening, steps, running


def live_rows(rep: Any) -> list[ModelRow]:
    return [
        (r.code, r.name, r.parent, r.depth, r.is_leaf, r.budget, r.forecast, r.forecast_revised,
         r.budget_ytd, r.actual_ytd)
        for r in rep.rows
    ]


def assert_rollups_add_up(rep: Any) -> None:
    children: dict[str | None, list[Any]] = {}
    for row in rep.rows:
        children.setdefault(row.parent, []).append(row)
    for row in rep.rows:
        kids = children.get(row.code, [])
        assert row.is_leaf == (not kids), row.code
        if kids:
            for name in AMOUNT_FIELDS:
                assert getattr(row, name) == sum(getattr(k, name) for k in kids), (row.code, name)
            assert row.forecast_revised == any(k.forecast_revised for k in kids), row.code
            assert row.forecast_deviation == row.forecast - row.budget
            assert row.actual_deviation == row.actual_ytd - row.budget_ytd
    for name in AMOUNT_FIELDS:
        top = sum((getattr(r, name) for r in children.get(None, [])), ZERO)
        assert getattr(rep.total, name) == top, ("total", name)


def view_tables(path: Path) -> list[Any]:
    return [table for table in dump_store(path) if table[0].startswith("prognos_")]


# ---------------------------------------------------------------------------
# The machine.
# ---------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="prognos-machine-")
        self.path: Any = self.new_location()
        self.store = self.open()
        self.clock = FakeClock()
        self.start = self.clock.now
        self.ledger = Ledger(self.store, "anna", clock=self.clock)
        self.model = Model()
        self.rnd: Any = None

    def new_location(self) -> Any:
        return Path(self.folder) / "ledger.db"

    def open(self) -> Any:
        return open_store(self.path)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers -----------------------------------------------------------

    def pick_code(self, data: Any, label: str) -> str:
        """Mostly an existing leaf, sometimes a roll-up or any code of the universe."""
        leaves = [ln.code for ln in self.model.lines if self.model.is_leaf(ln.code)]
        rollups = [ln.code for ln in self.model.lines if not self.model.is_leaf(ln.code)]
        return data.draw(st.sampled_from(leaves * 10 + rollups + list(CODES)), label=label)

    def run(
        self, tick: int, refusal: str | None, command: Callable[[], list[Any]], size: int
    ) -> Any:
        """Run one command: refused exactly when the model says so, and then with no trace."""
        self.clock.advance(seconds=tick)
        if refusal is not None:
            before = dump_store(self.path)
            try:
                command()
            except RefusedError:
                pass
            else:
                raise AssertionError(f"the ledger accepted a command the model refuses: {refusal}")
            assert dump_store(self.path) == before, f"refused ({refusal}) but the store changed"
            return None
        at = self.model.recording_time(self.clock.now)
        last = self.store.max_position()
        events = command()
        assert len(events) == size
        assert [e.recorded_at for e in events] == [at] * size
        assert len({e.command_id for e in events}) == 1
        positions = [e.position for e in events]
        assert positions[0] > last
        assert positions == list(range(positions[0], positions[0] + size))
        assert self.store.max_position() == positions[-1]
        return events, at, self.model.accept(at)

    def moments(self) -> list[datetime | None]:
        """Known-at candidates: now, every recording time, just around it, and in between."""
        times = self.model.times
        out: list[datetime | None] = [None, self.start - timedelta(seconds=1)]
        for i, t in enumerate(times):
            out += [t, t - TICK, t + TICK]
            if i + 1 < len(times):
                out.append(t + (times[i + 1] - t) / 2)
        return out

    # -- setup -------------------------------------------------------------

    @initialize(rnd=st.randoms(use_true_random=False))
    def a_random_source_for_the_invariants(self, rnd: Any) -> None:
        self.rnd = rnd

    # -- commands ----------------------------------------------------------

    @initialize(
        tick=TICKS,
        tree=st.lists(
            st.tuples(st.sampled_from(CODES), st.integers(-2, 5)), min_size=1, max_size=4
        ),
    )
    def a_few_lines_to_start_with(self, tick: int, tree: list[tuple[str, int]]) -> None:
        """Lines first, so that most amount commands have somewhere to go."""
        for code, parent_index in tree:
            existing = [ln.code for ln in self.model.lines]
            parent = existing[parent_index] if 0 <= parent_index < len(existing) else None
            self.add_one_line(tick, code, NAMES[CODES.index(code)], parent)

    @rule(tick=TICKS, data=st.data(), name=st.sampled_from(NAMES))
    def add_line(self, tick: int, data: Any, name: str) -> None:
        existing = [ln.code for ln in self.model.lines]
        unused = [c for c in CODES if c not in existing]
        code = data.draw(st.sampled_from(unused * 4 + list(CODES)), label="code")
        parents = [None, None] + existing * 2 + list(CODES)
        parent = data.draw(st.sampled_from(parents), label="parent")
        self.add_one_line(tick, code, name, parent)

    def add_one_line(self, tick: int, code: str, name: str, parent: str | None) -> None:
        m = self.model
        refusal = None
        if m.line(code) is not None:
            refusal = f"duplicate line {code}"
        elif parent is not None and m.line(parent) is None:
            refusal = f"unknown parent {parent}"
        elif parent is not None and m.has_amounts(parent):
            refusal = f"parent {parent} has amounts"
        done = self.run(tick, refusal, lambda: self.ledger.add_line(code, name, parent), 1)
        if done:
            (event,), at, command = done
            m.lines.append(ModelLine(code, name, parent, len(m.facts), at))
            m.add_fact(
                command=command, at=at, kind="line_added", line=code, event_id=event.event_id
            )

    @rule(tick=TICKS, data=st.data(), amount=AMOUNTS, year=YEAR,
          effective=st.one_of(st.none(), MONTH_IN_YEAR, MONTH_IN_YEAR))
    def set_budget(self, tick: int, data: Any, amount: Decimal, year: int,
                   effective: tuple[int, int] | None) -> None:
        code = self.pick_code(data, "code")
        month = YearMonth(year, 1) if effective is None else month_in(year, effective)
        given = None if effective is None else month
        m = self.model
        refusal = None
        if month.year != year:
            refusal = f"effective {month} not in {year}"
        elif (why := m.not_a_leaf(code)) is not None:
            refusal = why
        elif m.is_closed(month):
            refusal = f"{month} is closed"
        reason = f"budget {code} {year}"
        done = self.run(
            tick, refusal,
            lambda: self.ledger.set_budget(code, amount, year, reason, effective=given), 1,
        )
        if done:
            (event,), at, command = done
            m.add_fact(command=command, at=at, kind="budget_set", line=code, year=year, month=month,
                       amount=amount, event_id=event.event_id, reason=reason)

    @rule(tick=TICKS, data=st.data(), amount=TRANSFER_AMOUNTS, year=YEAR,
          effective=st.one_of(st.none(), MONTH_IN_YEAR, MONTH_IN_YEAR))
    def transfer_budget(self, tick: int, data: Any, amount: Decimal, year: int,
                        effective: tuple[int, int] | None) -> None:
        source = self.pick_code(data, "source")
        target = self.pick_code(data, "target")
        month = YearMonth(year, 1) if effective is None else month_in(year, effective)
        given = None if effective is None else month
        m = self.model
        refusal = None
        if month.year != year:
            refusal = f"effective {month} not in {year}"
        elif amount <= 0:
            refusal = "transfer amount not positive"
        elif source == target:
            refusal = "transfer to itself"
        elif (why := m.not_a_leaf(source) or m.not_a_leaf(target)) is not None:
            refusal = why
        elif m.is_closed(month):
            refusal = f"{month} is closed"
        months = [YearMonth(year, k) for k in range(1, 13)]
        before = None
        if refusal is None:
            before = [report(self.store, year, k).total.budget for k in months]
        reason = f"move {source}->{target}"
        done = self.run(
            tick, refusal,
            lambda: self.ledger.transfer_budget(source, target, amount, year, reason, given), 2,
        )
        if not done:
            return
        events, at, command = done
        assert [(e.code, e.amount) for e in events] == [(source, -amount), (target, amount)]
        for event, code, signed in zip(events, (source, target), (-amount, amount)):
            m.add_fact(command=command, at=at, kind="budget_transferred", line=code, year=year,
                       month=month, amount=signed, event_id=event.event_id, reason=reason)
        # The two sides cancel, so the year's total budget is conserved in every month --
        # except where a later-effective budget_set overrides exactly one of the two sides.
        transfer_facts = m.facts[-2:]
        assert sum(f.amount for f in transfer_facts) == 0

        def overridden(code: str, as_of: YearMonth) -> bool:
            return any(
                f.kind == "budget_set" and f.line == code and f.year == year
                and month < f.month <= as_of
                for f in m.facts
            )

        for as_of, total_before in zip(months, before):
            if overridden(source, as_of) == overridden(target, as_of):
                after = report(self.store, year, as_of).total.budget
                assert after == total_before, f"transfer changed the total budget as of {as_of}"

    @rule(tick=TICKS, data=st.data(), amount=AMOUNTS, year=YEAR, as_of=MONTH_IN_YEAR)
    def revise_forecast(self, tick: int, data: Any, amount: Decimal, year: int,
                        as_of: tuple[int, int]) -> None:
        code = self.pick_code(data, "code")
        month = month_in(year, as_of)
        m = self.model
        refusal = None
        if month.year != year:
            refusal = f"as-of {month} not in {year}"
        elif (why := m.not_a_leaf(code)) is not None:
            refusal = why
        elif m.is_closed(month):
            refusal = f"{month} is closed"
        reason = f"prognos per {month}"
        done = self.run(
            tick, refusal,
            lambda: self.ledger.revise_forecast(code, amount, year, month, reason), 1,
        )
        if done:
            (event,), at, command = done
            m.add_fact(command=command, at=at, kind="forecast_revised", line=code, year=year,
                       month=month, amount=amount, event_id=event.event_id, reason=reason)

    @rule(tick=TICKS, data=st.data(), amount=AMOUNTS, period=MONTH)
    def book_actual(self, tick: int, data: Any, amount: Decimal, period: YearMonth) -> None:
        code = self.pick_code(data, "code")
        m = self.model
        refusal = None
        if amount == 0:
            refusal = "zero booking"
        elif (why := m.not_a_leaf(code)) is not None:
            refusal = why
        elif m.is_closed(period):
            refusal = f"{period} is closed"
        done = self.run(
            tick, refusal,
            lambda: self.ledger.book_actual(code, amount, period, ref="F-1", reason="utfall"), 1,
        )
        if done:
            (event,), at, command = done
            m.add_fact(command=command, at=at, kind="actual_booked", line=code, year=period.year,
                       month=period, amount=amount, event_id=event.event_id, reason="utfall")

    @rule(tick=TICKS, data=st.data(), period=st.one_of(st.none(), st.none(), MONTH))
    def reverse_actual(self, tick: int, data: Any, period: YearMonth | None) -> None:
        m = self.model
        bookings = [f.event_id for f in m.facts if f.kind in ("actual_booked", "actual_reversed")]
        others = [f.event_id for f in m.facts if f.kind not in ("actual_booked", "actual_reversed")]
        target = data.draw(st.sampled_from(bookings * 4 + others + [UNKNOWN_EVENT]), label="target")
        original = m.fact(target)
        month = period if period is not None or original is None else original.month
        refusal = None
        if original is None:
            refusal = "unknown event"
        elif original.kind == "actual_reversed":
            refusal = "a reversal cannot be reversed"
        elif original.kind != "actual_booked":
            refusal = f"a {original.kind} is not a booking"
        elif m.is_reversed(target):
            refusal = "already reversed"
        elif m.is_closed(month):
            refusal = f"{month} is closed"
        done = self.run(
            tick, refusal,
            lambda: self.ledger.reverse_actual(str(target), "fel konto", period=period), 1,
        )
        if done:
            (event,), at, command = done
            assert event.corrects == target
            m.add_fact(command=command, at=at, kind="actual_reversed", line=original.line,
                       year=month.year, month=month, amount=-original.amount,
                       event_id=event.event_id, reason="fel konto", corrects=target)

    @rule(tick=TICKS, step=st.integers(-2, 4))
    def close_period(self, tick: int, step: int) -> None:
        m = self.model
        base = m.closed or YearMonth(2023, 12)
        through = YearMonth.from_index(base.index + step)
        refusal = None
        if m.closed is not None and through <= m.closed:
            refusal = f"already closed through {m.closed}"
        done = self.run(tick, refusal, lambda: self.ledger.close_period(through), 1)
        if done:
            (event,), at, command = done
            m.closed = through
            m.add_fact(command=command, at=at, kind="period_closed", line=None, month=through,
                       event_id=event.event_id)

    @rule(tick=TICKS, data=st.data(), year=YEAR, period=MONTH_IN_YEAR)
    def add_note(self, tick: int, data: Any, year: int, period: tuple[int, int]) -> None:
        code = self.pick_code(data, "code")
        month = month_in(year, period)
        m = self.model
        refusal = None
        if month.year != year:
            refusal = f"period {month} not in {year}"
        elif m.line(code) is None:
            refusal = f"unknown line {code}"
        done = self.run(
            tick, refusal, lambda: self.ledger.add_note(code, "avvikelse", year, month), 1
        )
        if done:
            (event,), at, command = done
            m.add_fact(command=command, at=at, kind="note_added", line=code, year=year,
                       month=month, event_id=event.event_id)

    # -- maintenance -------------------------------------------------------

    @rule()
    def rebuilding_the_views_changes_nothing(self) -> None:
        before = view_tables(self.path)
        self.store.rebuild()
        assert self.store.tracked_position() == self.store.max_position()
        assert view_tables(self.path) == before

    @rule()
    def reopening_the_store_changes_nothing(self) -> None:
        before = dump_store(self.path)
        self.store.close()
        self.store = self.open()
        self.ledger = Ledger(self.store, "anna", clock=self.clock)
        assert dump_store(self.path) == before

    @rule()
    def every_audit_check_holds(self) -> None:
        failed = [c for c in run_checks(self.store) if not c.ok]
        assert not failed, failed

    # -- invariants --------------------------------------------------------

    def probe(self) -> tuple[int, datetime | None]:
        """A year and a known-at moment, the latter in UTC or with a +02:00 offset."""
        known_at = self.rnd.choice(self.moments())
        if known_at is not None and self.rnd.random() < 0.3:
            known_at = known_at.astimezone(STOCKHOLM_SUMMER)
        return self.rnd.choice(YEARS), known_at

    @invariant()
    def the_report_equals_the_model_and_the_replay(self) -> None:
        if self.rnd is None:
            return
        year, known_at = self.probe()
        as_of = YearMonth(year, self.rnd.randint(1, 12))
        live = report(self.store, year, as_of, known_at)
        assert live_rows(live) == self.model.report(year, as_of, known_at), (year, as_of, known_at)
        assert_rollups_add_up(live)
        replayed = replay_report(self.store.notifications(), year, as_of, known_at)
        assert live_rows(replayed) == live_rows(live)
        assert replayed.total == live.total

    @invariant()
    def the_forecast_bridge_adds_up_to_the_change(self) -> None:
        if self.rnd is None or not self.model.lines:
            return
        year, known_at = self.probe()
        code = self.rnd.choice([ln.code for ln in self.model.lines])
        # Early starts leave more months for the bridge to walk through.
        start = YearMonth(year, self.rnd.choice([1, 1, self.rnd.randint(1, 12)]))
        end = YearMonth(year, self.rnd.randint(start.month, 12))
        if self.model.line(code) not in self.model.known_lines(known_at):
            with pytest.raises(UnknownLineError):
                bridge(self.store, code, year, start, end, known_at)
            return
        result = bridge(self.store, code, year, start, end, known_at)
        deltas = [s.delta for s in result.steps]
        assert sum(deltas, ZERO) == result.change == result.to_forecast - result.from_forecast
        running = result.from_forecast
        for s in result.steps:
            assert s.delta != 0
            assert s.before == running and s.after == s.before + s.delta
            running = s.after
        assert running == result.to_forecast
        forecasts = {
            month: {r.code: r.forecast for r in report(self.store, year, month, known_at).rows}
            for month in (start, end)
        }
        assert result.from_forecast == forecasts[start][code]
        assert result.to_forecast == forecasts[end][code]
        opening, steps, closing = self.model.bridge(code, year, start, end, known_at)
        assert (result.from_forecast, result.to_forecast) == (opening, closing)
        assert [
            (s.month, UUID(s.event_id), s.kind, s.line, s.before, s.after, s.delta)
            for s in result.steps
        ] == steps
        by_id = {f.event_id: f for f in self.model.facts}
        for s in result.steps:
            fact = by_id[UUID(s.event_id)]
            expected = ("anna", format_instant(fact.at), fact.reason)
            assert (s.user, s.recorded_at, s.reason) == expected
        # The HTML report groups every line's bridge in the page from its leaves' changes:
        # grouped the page's way, they are this bridge, step by step.
        assert grouped_bridge(self.store, code, year, start, end, known_at) == (
            to_ore(result.from_forecast),
            [(s.month.index, to_ore(s.delta), s.event_id) for s in result.steps])


def grouped_bridge(store: Any, code: str, year: int, start: YearMonth, end: YearMonth,
                   known_at: Any) -> tuple[int, list[tuple[int, int, str]]]:
    """A line's bridge as the HTML report's script groups it from `leaf_changes`: the
    subtree's leaves' openings summed, their changes grouped by (month, command), each
    shown by its first position, zero steps left out, in (month, position) order."""
    from prognos.projections.reports.bridge import leaf_changes
    from prognos.projections.reports.rollup import lines, subtree

    with store.snapshot() as snap:
        upto = snap.cutoff(known_at)
        tree = lines(snap, upto)
        parents = {line.parent for line in tree}
        leaves = {line.code for line in tree if line.code not in parents}
        opening, changes = leaf_changes(snap, year, start, end, upto, leaves)
        below = {line.code for line in subtree(tree, code)} & leaves
        groups: dict[tuple[int, int], list[int]] = {}
        for leaf, month, command, position, change in changes:
            if leaf in below:
                group = groups.setdefault((month, command), [0, position])
                group[0] += change
                group[1] = min(group[1], position)
        steps = sorted((month, first, delta) for (month, _), (delta, first) in groups.items()
                       if delta)
        ids = {position: state["event_id"]
               for position, _, state in snap.details([first for _, first, _ in steps])}
    return (sum(opening[leaf] for leaf in below),
            [(month, delta, ids[first]) for month, first, delta in steps])


LedgerMachine.TestCase.settings = settings(
    max_examples=75,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTheLedgerBehavesLikeThePlainModel = LedgerMachine.TestCase


class PostgresLedgerMachine(LedgerMachine):
    """The same machine on a PostgreSQL store (an empty schema of its own)."""

    def new_location(self) -> Any:
        return postgres_schemas().new()

    def teardown(self) -> None:
        super().teardown()
        postgres_schemas().drop(self.path)


# Fewer runs: each step is a round trip or more to the server; the rules and
# views are the same code as above.
PostgresLedgerMachine.TestCase.settings = settings(
    LedgerMachine.TestCase.settings, max_examples=25
)
if "postgres" in BACKENDS:
    TestTheLedgerOnPostgresBehavesLikeThePlainModel = PostgresLedgerMachine.TestCase


class MemoryLedgerMachine(LedgerMachine):
    """The same machine on the in-memory store: the rules, the application and the reports
    with no database. (Rebuilding, reopening and `check` are about stores that keep views.)"""

    def new_location(self) -> Any:
        return None

    def open(self) -> Any:
        self.path = MemoryStore()  # what dump_store reads
        return self.path

    def rebuilding_the_views_changes_nothing(self) -> None:  # not a rule here
        pass

    def reopening_the_store_changes_nothing(self) -> None:  # not a rule here
        pass

    def every_audit_check_holds(self) -> None:  # not a rule here
        pass


TestTheLedgerInMemoryBehavesLikeThePlainModel = MemoryLedgerMachine.TestCase

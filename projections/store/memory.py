"""A store in memory: the same unit of work and the same answers to the reports as the SQL
stores, with no database.

The rules and the application are tested on it without one, and it is how the read
contract (`reports.source.Snapshot`) is shown to be the whole of what a report needs.
Events are kept in their stored form, the rules' questions answered by a
`DecisionState`, and the reports' by plain loops over each event's view row (the same
rows `views` makes for the SQL stores). Nothing is kept between processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from prognos.domain.clock import format_instant
from prognos.domain.money import from_ore
from prognos.domain.requests import Answered
from prognos.domain.state import (
    NO_LIMIT, Booked, BookingState, Kept, DecisionState, LineState, Record, order_key,
)
from prognos.events.kinds import Effect, with_effect
from prognos.events.period import YearMonth
from prognos.projections.store.mapper import state_of
from prognos.projections.store.views import entry_from_state

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent

# The columns of an entry row, as `views.ENTRY_COLUMNS` lays them out.
POSITION, EVENT_ID, KIND, LINE, YEAR, MONTH, AMOUNT, REF, CORRECTS = range(9)


class MemoryStore:
    """A ledger kept in this process only."""

    path = ":memory:"

    def __init__(self) -> None:
        self.events: list[LedgerEvent] = []
        self.records: list[tuple[int, str, dict[str, Any]]] = []  # (position, kind, state)
        self.entries: list[tuple[Any, ...]] = []  # each event's view row
        self.command_ends: list[tuple[int, str]] = []  # (last position, recorded at)
        self.decided = DecisionState()
        self.sources: dict[str, tuple[str, bytes]] = {}
        self.reversed_by: dict[str, str] = {}
        self.answers: dict[str, Answered] = {}

    @contextmanager
    def write(self) -> Iterator[MemoryUnitOfWork]:
        """One command: what it records is kept only if it ends without an error."""
        uow = MemoryUnitOfWork(self)
        yield uow
        for event, record, entry in zip(uow.events, uow.pending, uow.entries):
            self._fold(event, record, entry)
        if uow.pending:
            self.command_ends.append((uow.pending[-1][0], uow.pending[-1][2]["recorded_at"]))
        self.sources.update(uow.sources)
        self.answers.update(uow.answers)

    def _fold(
        self, event: LedgerEvent, record: tuple[int, str, dict[str, Any]], entry: tuple[Any, ...]
    ) -> None:
        self.events.append(event)
        self.records.append(record)
        self.entries.append(entry)
        if entry[CORRECTS] is not None:
            self.reversed_by[entry[CORRECTS]] = entry[EVENT_ID]
        self.decided.apply(event, record[0])

    @contextmanager
    def snapshot(self) -> Iterator[MemorySnapshot]:
        yield MemorySnapshot(self)

    def notifications(self, after: int = 0, upto: int | None = None) -> Iterator[LedgerEvent]:
        return iter(self.events[after:upto])

    def head(self) -> tuple[int, str] | None:
        return None  # nothing here outlives the process: there is nothing to seal

    def kept(self, digest: str, position: int) -> Kept:
        last = self.max_position()
        return Kept("truncated" if last < position else "differs", position, last)

    def max_position(self) -> int:
        return len(self.records)

    def source(self, sha256: str) -> tuple[str, bytes] | None:
        return self.sources.get(sha256)

    def dump(self) -> list[Any]:
        """Everything it holds: proof that a refused command changed nothing."""
        return [list(self.records), sorted(self.sources.items()), list(self.command_ends)]

    def close(self) -> None:
        pass


class MemoryUnitOfWork:
    """The ledger as the rules see it inside one command (`domain.state.UnitOfWork`): what
    the command records waits here until it ends."""

    def __init__(self, store: MemoryStore):
        self.store = store
        self.events: list[LedgerEvent] = []
        self.pending: list[tuple[int, str, dict[str, Any]]] = []
        self.entries: list[tuple[Any, ...]] = []
        self.sources: dict[str, tuple[str, bytes]] = {}
        self.answers: dict[str, Answered] = {}

    def db_role(self) -> str | None:
        return None

    def answered(self, request_id: str) -> Answered | None:
        return self.store.answers.get(request_id)

    def answer(self, answered: Answered) -> None:
        self.answers[answered.request_id] = answered

    def recorded(self, answered: Answered) -> list[LedgerEvent]:
        if answered.first is None or answered.last is None:
            return []
        return self.store.events[answered.first - 1 : answered.last]

    def line(self, code: str) -> LineState | None:
        return self.store.decided.line(code)

    def lines(self) -> dict[str, LineState]:
        return dict(self.store.decided.lines)

    def closed_through(self) -> YearMonth | None:
        return self.store.decided.closed

    def source_imported(self, sha256: str) -> bool:
        return sha256 in self.store.sources

    def save_source(self, sha256: str, name: str, content: bytes) -> None:
        self.sources.setdefault(sha256, (name, content))

    def booking(self, ref: UUID | int) -> BookingState | None:
        """The event named by its id or by its position, as a reversal sees it."""
        if isinstance(ref, int):
            found = [self.store.entries[ref - 1]] if 1 <= ref <= len(self.store.entries) else []
        else:
            found = [e for e in self.store.entries if e[EVENT_ID] == str(ref)]
        if not found:
            return None
        [entry] = found
        reversed_by = self.store.reversed_by.get(entry[EVENT_ID])
        return BookingState(
            UUID(entry[EVENT_ID]), entry[KIND], entry[LINE],
            YearMonth.from_index(entry[MONTH]) if entry[MONTH] is not None else YearMonth(1900, 1),
            from_ore(entry[AMOUNT] or 0), entry[REF],
            UUID(reversed_by) if reversed_by else None,
        )

    def last_recorded_at(self) -> datetime | None:
        return self.store.decided.last_recorded_at

    def booked(self, month: YearMonth) -> list[Booked]:
        bookings = with_effect(Effect.BOOKS_ACTUAL)
        store, found = self.store, []
        for entry, (_, _, state) in zip(store.entries, store.records):
            source = state.get("source")
            if (entry[KIND] in bookings and entry[MONTH] == month.index and source is not None
                    and entry[EVENT_ID] not in store.reversed_by):
                sha = source["sha256"]
                found.append(Booked(entry[LINE], entry[AMOUNT], entry[REF], entry[POSITION],
                                    store.sources[sha][0], sha, source["row"]))
        return found

    def max_position(self) -> int:
        return self.store.max_position() + len(self.pending)

    def record(self, events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
        self.record_states([(e.position or 0, e.kind, e.line, state_of(e)) for e in events])
        return list(events)

    def record_states(self, records: Sequence[Record]) -> None:
        """Events in their stored form, validated against their models here: in memory
        there is time to, and it shows any state the import's fast path got wrong."""
        from prognos.events.kinds import BY_KIND
        from prognos.events.ledger import model_of

        first = self.max_position() + 1
        if [r[0] for r in records] != list(range(first, first + len(records))):
            raise RuntimeError("events must carry the next positions, in order")
        for position, kind, _, state in records:
            data = {k: v for k, v in state.items() if k != "class_version"}
            self.events.append(model_of(BY_KIND[kind]).model_validate({**data, "position": position}))
            self.entries.append(entry_from_state(position, kind, state))  # as a SQL store's views
            self.pending.append((position, kind, state))


class MemorySnapshot:
    """The reports' questions (`reports.source.Snapshot`), answered by loops over the rows."""

    def __init__(self, store: MemoryStore):
        self.store = store

    def cutoff(self, known_at: datetime | None) -> int:
        if known_at is None:
            return NO_LIMIT
        moment = format_instant(known_at)
        return max((p for p, at in self.store.command_ends if at <= moment), default=0)

    def lines(self, upto: int = NO_LIMIT) -> list[tuple[str, str, str | None, int]]:
        return [(line.code, line.name, line.parent, line.position)
                for line in self.store.decided.lines.values() if line.position <= upto]

    def _year(
        self, names: Sequence[str], year: int, through: int, upto: int,
        only: Sequence[str] | None, after: int = -1,
    ) -> Iterator[tuple[Any, ...]]:
        wanted = None if only is None else set(only)
        for e in self.store.entries:
            if (e[KIND] in names and e[YEAR] == year and after < e[MONTH] <= through
                    and e[POSITION] <= upto and (wanted is None or e[LINE] in wanted)):
                yield e

    def latest(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[tuple[str, int, int]]:
        found: dict[str, tuple[str, int, int]] = {}
        for e in self._year(names, year, through, upto, only):
            key = _key(e)
            if key > found.get(e[LINE], ("", 0, -1))[2]:
                found[e[LINE]] = (e[LINE], e[AMOUNT], key)
        return list(found.values())

    def entries(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[tuple[str, int, int]]:
        return [(e[LINE], e[AMOUNT], _key(e)) for e in self._year(names, year, through, upto, only)]

    def sums(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> Iterable[tuple[str, int]]:
        total: dict[str, int] = {}
        for e in self._year(names, year, through, upto, only):
            total[e[LINE]] = total.get(e[LINE], 0) + e[AMOUNT]
        return list(total.items())

    def command_ends(self, upto: int) -> list[tuple[int, str]]:
        return [(p, at) for p, at in self.store.command_ends if p <= upto]

    def changes(
        self, names: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> list[tuple[str, int, int, str, int]]:
        return [(e[LINE], e[MONTH], e[POSITION], e[KIND], e[AMOUNT])
                for e in self._year(names, year, through, upto, only, after)]

    def revisions(
        self, names: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> Iterable[tuple[str, int, int, int]]:
        return sorted((e[LINE], e[MONTH], e[POSITION], e[AMOUNT])
                      for e in self._year(names, year, through, upto, only, after))

    def line_entries(
        self, codes: Sequence[str], year: int | None
    ) -> Iterator[tuple[int, str, int | None, str | None]]:
        wanted = set(codes)
        for e in self.store.entries:
            if e[LINE] in wanted and (year is None or e[YEAR] == year):
                yield e[POSITION], e[KIND], e[YEAR], self.store.reversed_by.get(e[EVENT_ID])

    def head_seal(self, upto: int) -> tuple[int, str] | None:
        return None  # nothing here outlives the process: there is nothing to seal

    def details(self, positions: Iterable[int]) -> Iterator[tuple[int, str, dict[str, Any]]]:
        for position in positions:
            at, kind, state = self.store.records[position - 1]
            yield at, kind, state


def _key(entry: tuple[Any, ...]) -> int:
    return order_key(entry[MONTH], entry[POSITION])

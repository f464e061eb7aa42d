"""The ledger as the rules see it inside one write transaction, and the one write path.

The SQL unit of work (`domain.state.UnitOfWork`) answers the rules' questions from the
views (read in the same transaction that will write, under the write lock) and appends
events in eventsourcing's stored format, folding them into the views as it goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import orjson

from prognos.domain.money import from_ore
from prognos.domain.requests import Answered
from prognos.domain.state import Booked, BookingState, LineState, Record
from prognos.events import kinds
from prognos.events.kinds import Effect
from prognos.events.ledger import LedgerEvent
from prognos.events.period import YearMonth
from prognos.projections.store import log, seals, views
from prognos.projections.store.dialect import Cursor, insert_rows, log_position
from prognos.projections.store.log import EVENTS_TABLE, last_position
from prognos.projections.store.mapper import TOPIC_OF_KIND, decode, encode, from_stored, state_of
from prognos.projections.store.queries import kind_is

if TYPE_CHECKING:
    from prognos.projections.store.base import BaseStore

# The line tree's table as the rules read it (`line_state`).
LINE_COLUMNS = "code, name, parent, children, has_amounts, position, depth"


class SqlUnitOfWork:
    """The ledger as the rules see it inside one write transaction of a SQL store."""

    def __init__(self, store: BaseStore, cursor: Cursor):
        self.store = store
        self.cursor = cursor
        self._with_amounts: set[str] = set()  # lines known to have amounts, see views.apply
        self._tail_checked = False  # whether this write has seen the log's tail match its seal

    def line(self, code: str) -> LineState | None:
        self.cursor.execute(f"SELECT {LINE_COLUMNS} FROM prognos_lines WHERE code = ?", (code,))
        row = self.cursor.fetchone()
        return None if row is None else line_state(row)

    def lines(self) -> dict[str, LineState]:
        self.cursor.execute(f"SELECT {LINE_COLUMNS} FROM prognos_lines")
        found = {row[0]: line_state(row) for row in self.cursor.fetchall()}
        self._with_amounts.update(code for code, line in found.items() if line.has_amounts)
        return found

    def source_imported(self, sha256: str) -> bool:
        self.cursor.execute("SELECT 1 FROM prognos_sources WHERE sha256 = ?", (sha256,))
        return self.cursor.fetchone() is not None

    def save_source(self, sha256: str, name: str, content: bytes) -> None:
        self.cursor.execute(
            "INSERT INTO prognos_sources (sha256, name, size, content) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256) DO NOTHING",
            (sha256, name, len(content), content),
        )

    def closed_through(self) -> YearMonth | None:
        value = views.get_meta(self.cursor, "closed_through")
        return None if value is None else YearMonth.parse(value)

    def last_recorded_at(self) -> datetime | None:
        value = views.get_meta(self.cursor, "last_recorded_at")
        return None if value is None else datetime.fromisoformat(value)

    def booking(self, ref: UUID | int) -> BookingState | None:
        """The event named by its id or by its position, as a reversal sees it."""
        column, value = ("e.position", ref) if isinstance(ref, int) else ("e.event_id", str(ref))
        self.cursor.execute(
            "SELECT e.event_id, e.kind, e.line, e.month, e.amount, e.ref, r.event_id "
            "FROM prognos_entries e LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
            f"WHERE {column} = ?",
            (value,),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        event_id, kind, line, month, amount, ref_text, reversed_by = tuple(row)
        return BookingState(
            event_id=UUID(event_id),
            kind=kind,
            line=line,
            period=YearMonth.from_index(month) if month is not None else YearMonth(1900, 1),
            amount=from_ore(amount) if amount is not None else Decimal(0),
            ref=ref_text,
            reversed_by=UUID(reversed_by) if reversed_by else None,
        )

    def booked(self, month: YearMonth) -> list[Booked]:
        bookings = kind_is(kinds.with_effect(Effect.BOOKS_ACTUAL), "e.kind")
        self.cursor.execute(
            "SELECT e.position, e.line, e.amount, e.ref FROM prognos_entries e "
            "LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
            f"WHERE e.year = ? AND {bookings} AND e.month = ? AND r.event_id IS NULL",
            (month.year, month.index),
        )
        found = {int(row[0]): tuple(row[1:]) for row in self.cursor.fetchall()}
        return list(booked_from_files(found, log.rows_at(self.cursor, sorted(found)),
                                      self._file_names()))

    def _file_names(self) -> dict[str, str]:
        self.cursor.execute("SELECT sha256, name FROM prognos_sources")
        return {sha: name for sha, name in self.cursor.fetchall()}

    def db_role(self) -> str | None:
        return self.store.db_role()

    def answered(self, request_id: str) -> Answered | None:
        self.cursor.execute(
            "SELECT request_id, command, fingerprint, first_position, last_position, result "
            "FROM prognos_requests WHERE request_id = ?", (request_id,))
        row = self.cursor.fetchone()
        if row is None:
            return None
        request, command, fingerprint, first, last, result = tuple(row)
        return Answered(request, command, fingerprint, first, last,
                        None if result is None else orjson.loads(result))

    def answer(self, answered: Answered) -> None:
        *row, result = answered
        self.cursor.execute(
            "INSERT INTO prognos_requests (request_id, command, fingerprint, first_position, "
            "last_position, result) VALUES (?, ?, ?, ?, ?, ?)",
            (*row, None if result is None else orjson.dumps(result).decode()))

    def recorded(self, answered: Answered) -> list[LedgerEvent]:
        if answered.first is None or answered.last is None:
            return []
        positions = range(answered.first, answered.last + 1)
        return [from_stored(topic, state, position)
                for position, topic, state in log.rows_at(self.cursor, positions)]

    def max_position(self) -> int:
        return last_position(self.cursor)

    def record(self, events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
        """Append one command's events, which carry the next positions in order."""
        self.record_states([(e.position or 0, e.kind, e.line, state_of(e)) for e in events])
        return list(events)

    def record_states(self, records: Sequence[Record]) -> None:
        """Append events given in their stored form: (position, kind, line, state).

        This is the one write path. The rows go straight into the recorder's
        table in eventsourcing's stored format, with `executemany` and explicit
        notification ids (the write lock is held, so max + 1 onward is free),
        and the same states feed the views in the same transaction.
        """
        if not records:
            return
        first = self.max_position() + 1
        if [r[0] for r in records] != list(range(first, first + len(records))):
            raise RuntimeError("events must carry the next positions, in order")
        # One stream, version = position: every insert lands at the end of
        # the table and of its (stream, version) index.
        stream = self.store.stream_id
        rows = [
            (position, stream, position, TOPIC_OF_KIND[kind], encode(state))
            for position, kind, _, state in records
        ]
        columns = (log_position(self.cursor), "originator_id", "originator_version", "topic", "state")
        if not self._tail_checked:
            seals.check_tail(self.cursor, first)
            self._tail_checked = True
        insert_rows(self.cursor, EVENTS_TABLE, columns, rows)
        seals.seal(self.cursor, first, [(row[3], row[4]) for row in rows])
        views.apply(self.cursor, [(r[0], r[1], r[3]) for r in records], self._with_amounts)
        views.track(self.cursor, records[-1][0])


def line_state(row: tuple[str, str, str | None, int, int, int, int]) -> LineState:
    """A row of `prognos_lines` read as `LINE_COLUMNS`."""
    code, name, parent, children, has_amounts, position, depth = row
    return LineState(code, name, parent, children, bool(has_amounts), position, depth)


def booked_from_files(
    found: dict[int, tuple[str, int, str | None]], rows: Iterable[tuple[int, str, bytes]],
    names: dict[str, str],
) -> Iterator[Booked]:
    """The bookings (position: line, öre, ref) whose events say they came from a file row."""
    for position, topic, state in rows:
        source = decode(topic, state)[1].get("source")
        if source is not None:
            line, ore, ref = found[position]
            sha = source["sha256"]
            yield Booked(line, ore, ref, position, names.get(sha, sha), sha, source["row"])

"""The ledger as the rules see it inside one SQLite write transaction, and the one write path.

A unit of work answers the rules' questions from the views (read in the same
transaction that will write, under the write lock) and appends events in
eventsourcing's stored format, folding them into the views as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor

from prognos.domain.money import from_ore
from prognos.domain.period import YearMonth
from prognos.domain.state import BookingState, LineState
from prognos.events.base import LedgerEvent
from prognos.events.mapper import TOPIC_OF_KIND, encode, state_of
from prognos.events.streams import stream_of_line
from prognos.projections import views

if TYPE_CHECKING:
    from prognos.projections.store import SQLiteStore


class SQLiteUnitOfWork:
    """The ledger as the rules see it inside one write transaction."""

    def __init__(self, store: SQLiteStore, cursor: SQLiteCursor):
        self.store = store
        self.cursor = cursor
        self._stream_cache: dict[str | None, list[Any]] = {}
        self._all_streams_known = False  # after lines(): a code not cached is a new line

    def line(self, code: str) -> LineState | None:
        self.cursor.execute(
            "SELECT code, name, parent, children, has_amounts FROM prognos_lines WHERE code = ?",
            (code,),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        return LineState(row[0], row[1], row[2], row[3], bool(row[4]))

    def lines(self) -> dict[str, LineState]:
        """Every line; the same scan also primes the stream cache a bulk write will need."""
        self.cursor.execute(
            "SELECT code, name, parent, children, has_amounts, stream, version FROM prognos_lines"
        )
        found = {}
        known = self._stream_cache
        for code, name, parent, children, has_amounts, stream, version in self.cursor.fetchall():
            found[code] = LineState(code, name, parent, children, bool(has_amounts))
            known.setdefault(code, [stream, version])
        self._all_streams_known = True
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

    def booking(self, event_id: UUID) -> BookingState | None:
        self.cursor.execute(
            "SELECT e.kind, e.line, e.month, e.amount, e.ref, r.event_id "
            "FROM prognos_entries e LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
            "WHERE e.event_id = ?",
            (str(event_id),),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        kind, line, month, amount, ref, reversed_by = tuple(row)
        return BookingState(
            event_id=event_id,
            kind=kind,
            line=line,
            period=YearMonth.from_index(month) if month is not None else YearMonth(1900, 1),
            amount=from_ore(amount) if amount is not None else Decimal(0),
            ref=ref,
            reversed_by=UUID(reversed_by) if reversed_by else None,
        )

    def _streams(self, lines: Sequence[str | None]) -> list[tuple[str, int]]:
        """Each event's stream (hex) and version in it, continuing from the views' count."""
        known = self._known_streams(set(lines))
        out = []
        for line in lines:  # None is the ledger-wide stream
            entry = known.get(line)
            if entry is None:  # a line this very batch adds
                entry = known[line] = [stream_of_line(line).hex, 0]
            entry[1] += 1
            out.append((entry[0], entry[1]))
        return out

    def _known_streams(self, lines: set[str | None]) -> dict[str | None, list[Any]]:
        """Stream and version per line, read once per transaction and kept up to date here.

        Only this transaction writes (it holds the lock), so what it read plus
        what it wrote is the truth for its later chunks.
        """
        known = self._stream_cache
        if None in lines and None not in known:
            version = int(views.get_meta(self.cursor, "ledger_version") or 0)
            known[None] = [stream_of_line(None).hex, version]
        missing = [
            code for code in lines
            if code is not None and code not in known and not self._all_streams_known
        ]
        query = "SELECT code, stream, version FROM prognos_lines"
        if len(missing) > 200:
            # A bulk command: one scan beats thousands of point queries.
            self.cursor.execute(query)
            for code, stream, version in self.cursor.fetchall():
                known.setdefault(code, [stream, version])
        else:
            for code in missing:
                self.cursor.execute(query + " WHERE code = ?", (code,))
                for code_, stream, version in self.cursor.fetchall():
                    known[code_] = [stream, version]
        return known

    def max_position(self) -> int:
        table = self.store.recorder.events_table_name
        self.cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
        return int(self.cursor.fetchone()[0])

    def record(self, events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
        """Append one command's events, which carry the next positions in order."""
        self.record_states([(e.position or 0, e.kind, e.line, state_of(e)) for e in events])
        return list(events)

    def record_states(self, records: Sequence[tuple[int, str, str | None, dict[str, Any]]]) -> None:
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
        streams = self._streams([r[2] for r in records])
        rows = [
            (position, stream, version, TOPIC_OF_KIND[kind], encode(state))
            for (position, kind, _, state), (stream, version) in zip(records, streams, strict=True)
        ]
        # In key order, the primary-key inserts walk the index once instead of
        # jumping to a random page per row (positions are explicit, so order is free).
        rows.sort(key=lambda row: (row[1], row[2]))
        table = self.store.recorder.events_table_name
        self.cursor.executemany(
            f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        views.apply(self.cursor, [(r[0], r[1], r[3]) for r in records])
        self.store.recorder._insert_tracking(self.cursor, Tracking(views.VIEWS, records[-1][0]))

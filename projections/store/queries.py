"""The reports' questions (`reports.source.Snapshot`), answered from the indexed views.

Each query of one year is a single range of the covering index (year, kind, line, month,
position, amount), so a report at 50,000 lines reads each index entry once and never
replays events. Kinds are named by their declarations (`events.kinds`); the few
differences between SQLite and PostgreSQL are in `dialect`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prognos.domain.clock import format_instant
from prognos.domain.state import MONTH_WEIGHT, NO_LIMIT
from prognos.events import kinds
from prognos.events.kinds import Effect
from prognos.projections.store import log
from prognos.projections.store.dialect import ReadCursor, is_postgres
from prognos.projections.store.seals import SEALS_TABLE

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent
    from prognos.projections.store.integrity import StoreIntegrity

SEEK_LINES = 500  # up to this many lines, a line's entries are sought in the index
SCAN_BATCH = 500

# Orders entries by (month, recording order) as one integer (`domain.state.order_key`).
ORDER_KEY = f"(month * {MONTH_WEIGHT} + position)"
_WHERE = "year = :year AND {kinds} AND month <= :month AND position <= :upto{only}"
# The latest entry per line in one pass over the covering index. SQLite returns the
# bare column `amount` from the row that holds the MAX (its documented min/max special
# case); PostgreSQL says DISTINCT ON.
_LATEST = f"SELECT line, amount, MAX({ORDER_KEY}) FROM prognos_entries WHERE {_WHERE} GROUP BY line"
_PG_LATEST = (  # all descending: the covering index read backwards, no sort
    f"SELECT DISTINCT ON (line) line, amount, {ORDER_KEY} FROM prognos_entries WHERE {_WHERE} "
    "ORDER BY line DESC, month DESC, position DESC"
)
# A sum in two halves, each far from 64 bits, joined in Python: ten bookings near the
# largest amount would overflow one SQL SUM (SQLite fails, PostgreSQL's cast fails).
# Integer division and remainder truncate alike on both, so amount = high * 2**32 + low.
# PostgreSQL sums integers as numeric: the casts keep them int on both.
HALF = 2**32
_SUM = (
    f"SELECT line, CAST(SUM(amount / {HALF}) AS BIGINT), CAST(SUM(amount % {HALF}) AS BIGINT) "
    f"FROM prognos_entries WHERE {_WHERE} GROUP BY line"
)
_ENTRIES = f"SELECT line, amount, {ORDER_KEY} FROM prognos_entries WHERE {_WHERE}"
_WINDOW = (
    "year = :year AND {kinds} AND month > :after AND month <= :through AND position <= :upto{only}"
)
_FROM = "FROM prognos_entries e LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
_ENTRY = "SELECT e.position, e.kind, e.year, r.event_id " + _FROM
_NAME = re.compile(r"[a-z_]+")

# A line's events that belong to a year, and those that belong to none (its creation).
_YEARLY = tuple(c.kind for c in kinds.ALL if kinds.on_line(c) and c.year_from is not None)
_TIMELESS = tuple(c.kind for c in kinds.ALL if kinds.on_line(c) and c.year_from is None)


def kind_is(names: Sequence[str], column: str = "kind") -> str:
    """`kind = 'x'` (or `kind IN (...)`) for kinds named by their declarations: a literal
    rather than a parameter, so that each query is planned on the covering index."""
    if not names or not all(_NAME.fullmatch(n) for n in names):
        raise ValueError(f"not kind names: {names!r}")
    if len(names) == 1:
        return f"{column} = '{names[0]}'"
    return f"{column} IN ({', '.join(repr(n) for n in names)})"


def line_filter(only: Sequence[str] | None, params: dict[str, Any]) -> str:
    """`AND line IN (...)` for a few lines (named parameters added to `params`), else ''."""
    if only is None:
        return ""
    names = []
    for i, code in enumerate(only):
        params[f"line{i}"] = code
        names.append(f":line{i}")
    return f" AND line IN ({', '.join(names) or 'NULL'})"


class ViewQueries:
    """A snapshot of a SQL store: its questions answered on one cursor, in one transaction."""

    def __init__(self, cursor: ReadCursor):
        self.cursor = cursor

    def _rows(self, sql: str, params: Any = ()) -> list[Any]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def cutoff(self, known_at: datetime | None) -> int:
        if known_at is None:
            return NO_LIMIT
        found = self._rows(
            "SELECT MAX(position) FROM prognos_commands WHERE recorded_at <= ?",
            (format_instant(known_at),),
        )
        return found[0][0] or 0

    def lines(self, upto: int = NO_LIMIT) -> list[tuple[str, str, str | None, int]]:
        return self._rows(
            "SELECT code, name, parent, position FROM prognos_lines WHERE position <= ?", (upto,)
        )

    def _year(
        self, sql: str, names: Sequence[str], year: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> list[Any]:
        params: dict[str, Any] = {"year": year, "month": through, "upto": upto}
        where = line_filter(only, params)
        return self._rows(sql.format(kinds=kind_is(names), only=where), params)

    def latest(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[tuple[str, int, int]]:
        sql = _PG_LATEST if is_postgres(self.cursor) else _LATEST
        return self._year(sql, names, year, through, upto, only)

    def entries(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[tuple[str, int, int]]:
        return self._year(_ENTRIES, names, year, through, upto, only)

    def sums(
        self, names: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> Iterable[tuple[str, int]]:
        return ((line, high * HALF + low)
                for line, high, low in self._year(_SUM, names, year, through, upto, only))

    def command_ends(self, upto: int) -> list[tuple[int, str]]:
        return self._rows(
            "SELECT position, recorded_at FROM prognos_commands WHERE position <= ? "
            "ORDER BY position",
            (upto,),
        )

    @staticmethod
    def _window(
        columns: str, names: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None, order: str = "",
    ) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"year": year, "after": after, "through": through, "upto": upto}
        where = _WINDOW.format(kinds=kind_is(names), only=line_filter(only, params))
        return f"SELECT {columns} FROM prognos_entries WHERE {where}{order}", params

    def changes(
        self, names: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> list[tuple[str, int, int, str, int]]:
        return self._rows(*self._window("line, month, position, kind, amount", names, year,
                                        after, through, upto, only))

    def revisions(
        self, names: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> Iterable[tuple[str, int, int, int]]:
        # In the index's own order (line, month, position): no sort, and streamed, so the
        # caller reads them all before it asks anything else.
        self.cursor.execute(*self._window("line, month, position, amount", names, year, after,
                                          through, upto, only, " ORDER BY line, month, position"))
        return self.cursor

    def head_seal(self, upto: int) -> tuple[int, str] | None:
        # A store no writer has opened since sealing came has no seals table yet.
        if is_postgres(self.cursor):
            there = self._rows(f"SELECT to_regclass('{SEALS_TABLE}') IS NOT NULL")[0][0]
        else:
            there = bool(self._rows("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                    f"AND name = '{SEALS_TABLE}'"))
        if not there:
            return None
        found = self._rows(f"SELECT position, digest FROM {SEALS_TABLE} WHERE position <= ? "
                           "ORDER BY position DESC LIMIT 1", (upto,))
        return (int(found[0][0]), str(found[0][1])) if found else None

    def line_entries(
        self, codes: Sequence[str], year: int | None
    ) -> Iterator[tuple[int, str, int | None, str | None]]:
        """A few lines' entries are sought in the views' (year, kind, line) index, once per
        year, kind and line; a large subtree's are read in one pass in position order."""
        if len(codes) <= SEEK_LINES:
            return iter(self._seek(codes, year))
        return self._scan(set(codes), year)

    def _seek(self, codes: Sequence[str], year: int | None) -> list[Any]:
        if year is None:
            first, last = self._rows("SELECT MIN(year), MAX(year) FROM prognos_entries")[0]
            years = [] if first is None else list(range(first, last + 1))
        else:
            years = [year]
        marks = ", ".join("?" * len(codes))
        parts, params = [], []
        if years:  # (PostgreSQL, unlike SQLite, refuses an empty IN list)
            parts.append(
                _ENTRY + f"WHERE e.year IN ({', '.join('?' * len(years))}) "
                f"AND {kind_is(_YEARLY, 'e.kind')} AND e.line IN ({marks})"
            )
            params += [*years, *codes]
        if year is None:  # a line's creation belongs to no year
            parts.append(_ENTRY + f"WHERE e.year IS NULL AND {kind_is(_TIMELESS, 'e.kind')} "
                         f"AND e.line IN ({marks})")
            params += codes
        return self._rows(" UNION ALL ".join(parts) + " ORDER BY 1", params)

    def _scan(self, codes: set[str], year: int | None) -> Iterator[Any]:
        sql = "SELECT e.position, e.line, e.kind, e.year, r.event_id " + _FROM
        params: list[Any] = []
        if year is not None:
            sql += " WHERE e.year = ?"
            params.append(year)
        entries = self.cursor.connection.cursor()  # the log is read through `cursor` meanwhile
        entries.execute(sql + " ORDER BY e.position", params)
        while batch := entries.fetchmany(SCAN_BATCH):
            yield from ((r[0], *r[2:]) for r in batch if r[1] in codes)

    def details(self, positions: Iterable[int]) -> Iterator[tuple[int, str, dict[str, Any]]]:
        return log.states_at(self.cursor, positions)

    # -- what `check` asks besides ------------------------------------------------

    def years(self) -> list[int]:
        rows = self._rows(
            "SELECT DISTINCT year FROM prognos_entries WHERE year IS NOT NULL ORDER BY year"
        )
        return [row[0] for row in rows]

    def events(self) -> Iterator[LedgerEvent]:
        return log.events(self.cursor)

    def integrity(self) -> StoreIntegrity:
        from prognos.projections.store.integrity import StoreIntegrity

        return StoreIntegrity(self.cursor)

    def transfer_fault(self) -> str | None:
        bad = self._rows(
            "SELECT transfer_id, SUM(amount), COUNT(*) FROM prognos_entries "
            f"WHERE {kind_is(kinds.with_effect(Effect.MOVES_BUDGET))} GROUP BY transfer_id "
            "HAVING SUM(amount) != 0 OR COUNT(*) != 2"
        )
        return None if not bad else str(bad[0][0])

    def reversal_fault(self) -> str | None:
        bookings = kinds.with_effect(Effect.BOOKS_ACTUAL)
        rows = self._rows(
            "SELECT r.event_id, o.kind, o.line = r.line, o.amount + r.amount "
            "FROM prognos_entries r LEFT JOIN prognos_entries o ON o.event_id = r.corrects "
            f"WHERE {kind_is(kinds.with_effect(Effect.REVERSES_ACTUAL), 'r.kind')}"
        )
        for event_id, kind, same_line, net in rows:
            if kind not in bookings or not same_line or net != 0:
                return f"reversal {event_id} does not exactly oppose an actual booking"
        twice = self._rows(
            "SELECT corrects FROM prognos_entries WHERE corrects IS NOT NULL "
            "GROUP BY corrects HAVING COUNT(*) > 1"
        )
        return f"booking {twice[0][0]} is reversed more than once" if twice else None

"""Deciding an import: the rules of the single commands (`rules`), applied row by row.

The decider keeps a `DecisionState` of what the file itself changes (lines it creates,
lines that get amounts) over the ledger as it was, so that row 900 is judged against
rows 1..899 as well as the store, and all rows are recorded together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from prognos.domain import rules
from prognos.domain.ids import new_event_ids
from prognos.domain.importing.rows import ImportRow, ImportSpec, Kind, row_error
from prognos.domain.money import to_ore
from prognos.domain.state import Booked, DecisionState, LineState, Record, UnitOfWork
from prognos.events import kinds
from prognos.events.errors import (
    ClosedPeriodError, LedgerError, MonthOutsideYearError, RefusedError,
)
from prognos.events.period import YearMonth


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    content: bytes
    rows: int
    columns: dict[str, str] = field(default_factory=dict)  # role -> header, for error messages


@dataclass(frozen=True)
class ImportResult:
    sha256: str
    rows: int
    events_recorded: int
    first_position: int | None
    last_position: int | None
    already_imported: bool
    skipped: int = 0
    skipped_booked: tuple[SkippedRow, ...] = ()  # rows left out by --skip-booked

    def to_json(self) -> dict[str, Any]:
        """The summary as kept for a retry of the same request (`from_json`)."""
        return {
            "sha256": self.sha256, "rows": self.rows, "events_recorded": self.events_recorded,
            "first_position": self.first_position, "last_position": self.last_position,
            "already_imported": self.already_imported, "skipped": self.skipped,
            "skipped_booked": [[r.row, r.line, str(r.month), str(r.amount), r.ref,
                                list(r.earlier)] for r in self.skipped_booked],
        }

    @classmethod
    def from_json(cls, kept: dict[str, Any]) -> ImportResult:
        skipped = tuple(
            SkippedRow(row, line, YearMonth.parse(month), Decimal(amount), ref, Booked(*earlier))
            for row, line, month, amount, ref, earlier in kept["skipped_booked"])
        return cls(kept["sha256"], kept["rows"], kept["events_recorded"], kept["first_position"],
                   kept["last_position"], kept["already_imported"], kept["skipped"], skipped)


class SkippedRow(NamedTuple):
    """A row of the file that books what a row of an earlier file booked."""

    row: int
    line: str
    month: YearMonth
    amount: Decimal
    ref: str | None
    earlier: Booked


CHUNK = 20_000  # events written at a time, so what a file adds to memory stays bounded
# The kind of event each row of a file records.
RECORDS: dict[Kind, type[kinds.Event]] = {
    "budget": kinds.BudgetSet, "forecast": kinds.ForecastRevised, "actual": kinds.ActualBooked,
}
# A row's values, by the field of the kind that holds them (see `_layout`).
_YEAR, _MONTH, _AMOUNT, _REF = range(4)


def _layout(cls: type[kinds.Event]) -> tuple[tuple[str, int], ...]:
    """A row kind's own fields in stored order, each with the row value it holds: the
    stored state is then made by one loop over a few pairs."""
    value = {"year": _YEAR, cls.month_from: _MONTH, "amount": _AMOUNT, "ref": _REF}
    return tuple((name, value[name]) for name in kinds.own_fields(cls))


class ImportDecider:
    """Applies the rules row by row and writes each event directly in its stored form.

    A file can hold a million rows; building, validating and serialising a
    pydantic model for each would cost more than everything else together. The
    states made here are exactly what `store.mapper.state_of` makes of the
    corresponding models (a test pins that for every kind a file records), and
    `prognos check` re-validates every stored event against its model.
    """

    def __init__(self, uow: UnitOfWork, spec: ImportSpec, source: SourceFile,
                 common: dict[str, Any]):
        self.spec = spec
        self.source = source
        self.common = common  # command_id, recorded_at, user, reason as stored
        self.uow = uow
        self.ledger = DecisionState(uow.lines().values(), uow.closed_through())
        self.skipped = 0
        self.skipped_booked: list[SkippedRow] = []
        # The earlier files' bookings of each month the file books into, read when the
        # month is first met: (line, öre, ref) -> those bookings, each matched once.
        self._booked: dict[YearMonth, dict[tuple[str, int, str | None], list[Booked]]] = {}
        self.drafts: list[Record] = []  # numbered, with ids: the next chunk to write
        self._month_texts: dict[YearMonth, str] = {}
        self._position = 0
        self._ids: list[str] = []
        records = RECORDS.get(spec.kind)
        self._kind = records
        self._layout = () if records is None else _layout(records)
        figure = None if records is None else records.effect.figure
        self._month_word = "" if figure is None else rules.MONTH_WORD[figure]

    def records(self, rows: Iterable[ImportRow], first_position: int) -> Iterator[list[Record]]:
        """The header event and one or two events per row, numbered from `first_position`,
        in chunks, so that a file of any size is written with bounded memory."""
        s = self.source
        self._position = first_position
        self._draft(kinds.SourceImported, None, {"sha256": s.sha256, "name": s.name,
                                                 "size": len(s.content), "rows": s.rows}, None)
        for row in rows:
            try:
                self._row(row)
            except _ParentRefused as refused:  # named by the parent column, or by --parent
                column = s.columns.get("parent") if refused.from_row else None
                raise row_error(s.name, row.row, column, refused.error) from None
            except LedgerError as e:
                role = "month" if isinstance(e, (ClosedPeriodError, MonthOutsideYearError)) else "line"
                raise row_error(s.name, row.row, s.columns.get(role), e) from None
            if len(self.drafts) >= CHUNK:
                yield self.drafts
                self.drafts = []
        if self.drafts:
            yield self.drafts

    def _add(self, kind: str, line: str | None, state: dict[str, Any]) -> None:
        """Number a drafted event and give it its id (made a chunk at a time)."""
        if not self._ids:
            self._ids = new_event_ids(CHUNK)
            self._ids.reverse()
        state["event_id"] = self._ids.pop()
        self.drafts.append((self._position, kind, line, state))
        self._position += 1

    def _draft(self, cls: type[kinds.Event], line: str | None, fields: dict[str, Any],
               row: int | None) -> None:
        state: dict[str, Any] = {"event_id": None, **self.common}
        state["source"] = None if row is None else {"sha256": self.source.sha256, "row": row}
        state["corrects"] = None
        if line is not None:
            state["code"] = line
        state.update(fields)
        state["class_version"] = cls.class_version
        self._add(cls.kind, line, state)

    def _row(self, row: ImportRow) -> None:
        cls = self._kind
        line = self.ledger.line(row.code)
        if cls is None:  # a file of lines; its parents are judged by `_create`
            rules.new_line(self.ledger, row.code, None)
            self._create(row)
            return
        assert row.amount is not None and row.month is not None  # read_rows fills both
        if line is None:
            line = self._create(row)
        rules.require_leaf(line)
        rules.require_open(row.month, self.ledger.closed, self._month_word)
        if cls.effect.figure is kinds.Figure.ACTUAL:
            if rules.books_nothing(row.amount):
                self.skipped += 1  # nothing happened: no booking
                return
            if self.spec.duplicates != "allow" and self._booked_before(row):
                return
        month = self._month_texts.get(row.month)
        if month is None:
            month = self._month_texts[row.month] = str(row.month)
        values = (self.spec.year or row.month.year, month, str(row.amount), row.ref)
        # The state as `_draft` makes it, written out: this runs once per row.
        state = {"event_id": None, **self.common,
                 "source": {"sha256": self.source.sha256, "row": row.row},
                 "corrects": None, "code": row.code}
        for name, value in self._layout:
            state[name] = values[value]
        state["class_version"] = cls.class_version
        self._add(cls.kind, row.code, state)
        if not line.has_amounts:
            self.ledger.has_amount(row.code)

    def _booked_before(self, row: ImportRow) -> bool:
        """Whether the row books what a row of an earlier file booked (the same line, month,
        amount and reference): refused, or with --skip-booked left out and listed."""
        assert row.month is not None and row.amount is not None
        month = self._booked.get(row.month)
        if month is None:
            month = self._booked[row.month] = {}
            for booked in self.uow.booked(row.month):
                month.setdefault((booked.line, booked.ore, booked.ref), []).append(booked)
        matches = month.get((row.code, to_ore(row.amount), row.ref))
        if not matches:
            return False
        earlier = matches.pop(0)
        if self.spec.duplicates != "skip":
            raise RefusedError(
                f"books what is already booked: line {row.code}, {row.month}, {row.amount} kr"
                f"{'' if row.ref is None else f', reference {row.ref}'}, as row {earlier.row} of "
                f"{earlier.file} (sha256 {earlier.sha256}) did; give --skip-booked to book only "
                "the rows not booked before, or --allow-duplicates")
        self.skipped_booked.append(
            SkippedRow(row.row, row.code, row.month, row.amount, row.ref, earlier))
        return True

    def _create(self, row: ImportRow) -> LineState:
        tree = self._kind is None
        parent_code = row.parent or self.spec.parent
        rules.imported_line(row.code, self.spec.create_lines, parent_code, tree)
        rules.valid_code(row.code)
        name = row.name or row.code
        if parent_code is not None:
            try:
                rules.parent_line(self.ledger, parent_code)
            except LedgerError as e:
                raise _ParentRefused(e, from_row=row.parent is not None) from None
        line = self.ledger.add_line(row.code, name, parent_code)
        self._draft(kinds.LineAdded, row.code, {"name": name, "parent": parent_code}, row.row)
        return line


class _ParentRefused(Exception):
    """A new line's parent was refused: the error is about the parent's cell (or the
    --parent option), not the line's own code."""

    def __init__(self, error: LedgerError, from_row: bool):
        super().__init__(str(error))
        self.error, self.from_row = error, from_row

"""Deciding an import: the rules of the single commands, applied row by row.

The decider keeps an overlay of what the file itself changes (lines it creates,
lines that get amounts) so that row 900 is judged against rows 1..899 as well as
the store, and all rows are recorded together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from prognos.domain import rules
from prognos.events.errors import (
    ClosedPeriodError,
    DuplicateLineError,
    MonthOutsideYearError,
    LedgerError,
    RefusedError,
    UnknownLineError,
)
from prognos.domain.importing.rows import ImportRow, ImportSpec, row_error
from prognos.events.period import YearMonth
from prognos.domain.state import LineState, UnitOfWork
from prognos.domain.ids import new_event_ids


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


# (position, kind, line, stored state): an event in its stored form, for the write path.
Record = tuple[int, str, "str | None", dict[str, Any]]
CHUNK = 20_000  # events written at a time, so what a file adds to memory stays bounded
MONTH_WORD = {"budget": "budget month", "forecast": "forecast month", "actual": "period"}


class ImportDecider:
    """Applies the rules row by row and writes each event directly in its stored form.

    A file can hold a million rows; building, validating and serialising a
    pydantic model for each would cost more than everything else together. The
    states made here are exactly what `events.mapper.state_of` makes of the
    corresponding models (a test pins that), and `prognos check` re-validates
    every stored event against its model.
    """

    def __init__(self, uow: UnitOfWork, spec: ImportSpec, source: SourceFile, common: dict[str, Any]):
        self.uow = uow
        self.spec = spec
        self.source = source
        self.common = common  # command_id, recorded_at, user, reason as stored
        self.lines: dict[str, LineState] = uow.lines()
        self.closed = uow.closed_through()
        self.skipped = 0
        self.drafts: list[Record] = []  # numbered, with ids: the next chunk to write
        self._month_texts: dict[YearMonth, str] = {}
        self._position = 0
        self._ids: list[str] = []

    def records(self, rows: Iterable[ImportRow], first_position: int) -> Iterator[list[Record]]:
        """The header event and one or two events per row, numbered from `first_position`,
        in chunks, so that a file of any size is written with bounded memory."""
        s = self.source
        self._position = first_position
        self._draft("source_imported", None, {"sha256": s.sha256, "name": s.name,
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

    def _draft(self, kind: str, line: str | None, fields: dict[str, Any], row: int | None) -> None:
        state: dict[str, Any] = {"event_id": None, **self.common}
        state["source"] = None if row is None else {"sha256": self.source.sha256, "row": row}
        state["corrects"] = None
        if line is not None:
            state["code"] = line
        state.update(fields)
        state["class_version"] = 1
        self._add(kind, line, state)

    def _row(self, row: ImportRow) -> None:
        if self.spec.kind == "lines":
            if row.code in self.lines:
                raise DuplicateLineError(f"line {row.code!r} already exists")
            self._create(row)
            return
        assert row.amount is not None and row.month is not None  # read_rows fills both
        line = self.lines.get(row.code)
        if line is None:
            self._create(row)
            line = self.lines[row.code]
        rules.require_leaf(line)
        rules.require_open(row.month, self.closed, MONTH_WORD[self.spec.kind])
        if self.spec.kind == "actual" and row.amount == 0:
            self.skipped += 1  # nothing happened: no booking, as a zero line in a ledger
            return
        month = self._month_texts.get(row.month)
        if month is None:
            month = self._month_texts[row.month] = str(row.month)
        # The state as `_draft` makes it, written out: this runs once per row.
        state = {"event_id": None, **self.common,
                 "source": {"sha256": self.source.sha256, "row": row.row},
                 "corrects": None, "code": row.code}
        if self.spec.kind == "actual":
            state["period"] = month
            state["amount"] = str(row.amount)
            state["ref"] = row.ref
            kind = "actual_booked"
        else:
            state["year"] = self.spec.year or row.month.year
            state["effective" if self.spec.kind == "budget" else "as_of"] = month
            state["amount"] = str(row.amount)
            kind = "budget_set" if self.spec.kind == "budget" else "forecast_revised"
        state["class_version"] = 1
        self._add(kind, row.code, state)
        if not line.has_amounts:
            self.lines[row.code] = replace(line, has_amounts=True)

    def _create(self, row: ImportRow) -> None:
        if not self.spec.create_lines and self.spec.kind != "lines":
            raise UnknownLineError(
                f"unknown line {row.code!r} (add it, or import with --create-lines --parent CODE)"
            )
        parent_code = row.parent or self.spec.parent
        if parent_code is None and self.spec.kind != "lines":
            raise RefusedError(f"new line {row.code!r} needs a parent: give --parent CODE")
        rules.valid_code(row.code)
        name = row.name or row.code
        if parent_code is not None:
            parent = self.lines.get(parent_code)
            try:
                if parent is None:
                    raise UnknownLineError(f"unknown parent line {parent_code!r}")
                rules.may_get_children(parent)
            except LedgerError as e:
                raise _ParentRefused(e, from_row=row.parent is not None) from None
            self.lines[parent_code] = replace(parent, children=parent.children + 1)
        self.lines[row.code] = LineState(row.code, name, parent_code, 0, False)
        self._draft("line_added", row.code, {"name": name, "parent": parent_code}, row.row)


class _ParentRefused(Exception):
    """A new line's parent was refused: the error is about the parent's cell (or the
    --parent option), not the line's own code."""

    def __init__(self, error: LedgerError, from_row: bool):
        super().__init__(str(error))
        self.error, self.from_row = error, from_row

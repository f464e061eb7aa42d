"""Deciding an import: the rules of the single commands, applied row by row.

The decider keeps an overlay of what the file itself changes (lines it creates,
lines that get amounts) so that row 900 is judged against rows 1..899 as well as
the store, and all rows are recorded together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from prognos.domain import rules
from prognos.domain.errors import (
    ClosedPeriodError,
    MonthOutsideYearError,
    LedgerError,
    LineHasAmountsError,
    NotALeafError,
    RefusedError,
    UnknownLineError,
)
from prognos.domain.importing import ImportRow, ImportSpec, row_error
from prognos.domain.state import LineState, UnitOfWork
from prognos.events.base import LedgerEvent, Source
from prognos.events.ledger import ActualBooked, BudgetSet, ForecastRevised, LineAdded


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
    events: list[LedgerEvent]
    already_imported: bool
    skipped: int = 0


class ImportDecider:
    def __init__(self, uow: UnitOfWork, spec: ImportSpec, source: SourceFile, audit: Any):
        self.uow = uow
        self.spec = spec
        self.source = source
        self.audit = audit
        self.lines: dict[str, LineState] = uow.lines()
        self.skipped = 0

    def events(self, rows: list[ImportRow]) -> list[LedgerEvent]:
        out: list[LedgerEvent] = []
        for row in rows:
            try:
                out.extend(self._row(row))
            except LedgerError as e:
                role = "month" if isinstance(e, (ClosedPeriodError, MonthOutsideYearError)) else "line"
                column = self.source.columns.get(role)
                raise row_error(self.source.name, row.row, column, e) from None
        return out

    def _row(self, row: ImportRow) -> list[LedgerEvent]:
        events: list[LedgerEvent] = []
        line = self.lines.get(row.code)
        if line is None:
            events.append(self._create(row))
            line = self.lines[row.code]
        if not line.is_leaf:
            raise NotALeafError(f"line {row.code!r} has children: amounts go on its leaf lines")
        what = {"budget": "budget month", "forecast": "forecast month", "actual": "period"}
        rules.open_month(self.uow, row.month, what[self.spec.kind])
        if self.spec.kind == "actual" and row.amount == 0:
            self.skipped += 1  # nothing happened: no booking, as a zero line in a ledger
            return events
        source = Source(sha256=self.source.sha256, row=row.row)
        year = self.spec.year or row.month.year
        if self.spec.kind == "budget":
            event: LedgerEvent = BudgetSet(
                **self.audit(code=row.code, year=year, effective=row.month, amount=row.amount,
                             source=source)
            )
        elif self.spec.kind == "forecast":
            event = ForecastRevised(
                **self.audit(code=row.code, year=year, as_of=row.month, amount=row.amount,
                             source=source)
            )
        else:
            event = ActualBooked(
                **self.audit(code=row.code, period=row.month, amount=row.amount, ref=row.ref,
                             source=source)
            )
        self.lines[row.code] = replace(line, has_amounts=True)
        events.append(event)
        return events

    def _create(self, row: ImportRow) -> LedgerEvent:
        if not self.spec.create_lines:
            raise UnknownLineError(
                f"unknown line {row.code!r} (add it, or import with --create-lines --parent CODE)"
            )
        parent_code = row.parent or self.spec.parent
        if parent_code is None:
            raise RefusedError(f"new line {row.code!r} needs a parent: give --parent CODE")
        parent = self.lines.get(parent_code)
        if parent is None:
            raise UnknownLineError(f"unknown parent line {parent_code!r}")
        if parent.has_amounts:
            raise LineHasAmountsError(
                f"line {parent_code!r} already has amounts and cannot get children"
            )
        rules.valid_code(row.code)
        name = row.name or row.code
        self.lines[parent_code] = replace(parent, children=parent.children + 1)
        self.lines[row.code] = LineState(row.code, name, parent_code, 0, False)
        return LineAdded(**self.audit(code=row.code, name=name, parent=parent_code,
                                      source=Source(sha256=self.source.sha256, row=row.row)))

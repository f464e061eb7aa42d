"""The report as a spreadsheet's rows: a code, a name, the parent's code and the six
figures in kronor, with nothing for an actual where nothing was booked. And formula
injection: a text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab, a
carriage return first) is never written as one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.projections.reports.rollup import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIGURES = ("budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd",
           "actual_deviation")
HEADER_KEYS = ("report.budget", "report.forecast", "report.deviation", "report.budget_ytd",
               "report.actual_ytd", "report.deviation_ytd")


@dataclass(frozen=True)
class Made:
    """What a file was made from: its year, month and moment, the ledger, prognos's
    version, when it was written, its unit."""

    year: int
    as_of: str
    known_at: str | None
    store: str
    version: str
    exported_at: datetime  # UTC
    unit: str


class SheetRow(NamedTuple):
    code: str
    name: str
    parent: str
    depth: int
    is_total: bool  # a roll-up or the total: shown bold
    figures: tuple[Decimal | None, ...]  # kronor, in FIGURES' order; None: no data


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutral(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading `'`, as Excel itself marks text."""
    return f"'{text}" if formula_like(text) else text


def headers(t: Texts, unit: str) -> list[str]:
    return [t("export.code"), t("export.name"), t("export.parent"),
            *(f"{t(key)}, {unit}" for key in HEADER_KEYS)]


def sheet_rows(rep: Report, t: Texts) -> Iterator[SheetRow]:
    """Every line in report order, then the total."""
    for row in rep.rows:
        yield SheetRow(row.code, row.name, row.parent or "", row.depth, not row.is_leaf,
                       _figures(row))
    yield SheetRow("", t("report.total"), "", 0, True, _figures(rep.total))


def _figures(row: Any) -> tuple[Decimal | None, ...]:
    has_actual = getattr(row, "has_actual", True)  # the total shows what its lines add to
    return (row.budget, row.forecast, row.forecast_deviation, row.budget_ytd,
            row.actual_ytd if has_actual else None,
            row.actual_deviation if has_actual else None)

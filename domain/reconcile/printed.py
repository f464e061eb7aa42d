"""Auditing a published table: which printed figures do not follow from the others?

A printed table is rows and total rows of figures in one unit, each printed to a
declared precision. Five rules derive a figure from other printed figures:

- `row_deviation`: a deviation column against its row's own columns (totals too);
- `total`: a total against the sum of the rows it covers (a grand total too);
- `total_of_totals`: a grand total against the sum of the totals it covers;
- `periodisation`: a to-date budget against the annual budget × months/12;
- `cross_table`: a figure against the rows of a finer table that cover it.

Every printed figure is a rounded one, so a difference up to half a unit of
precision per printed figure combined (the checked one included) is rounding;
anything larger is a discrepancy. Printed figures are never changed: `printed`
and `computed` are in the table's own unit and sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from prognos.domain.money import UNIT_SCALE

HALF = Decimal("0.5")


@dataclass(frozen=True)
class PrintedRow:
    label: str
    values: Mapping[str, Decimal | None]
    group: str | None = None  # which total covers it


@dataclass(frozen=True)
class PrintedTotal:
    label: str
    values: Mapping[str, Decimal | None]
    covers: tuple[str, ...] | None = None  # groups; None = every row
    # The totals it is the sum of, as positions in the table's totals (labels repeat:
    # every section's subtotal may read "Summa"). Groups with no printed subtotal add
    # their rows.
    covers_totals: tuple[int, ...] = ()


@dataclass(frozen=True)
class Deviation:
    """`column` is printed as `plus` − `minus` (the table's sign convention)."""

    column: str
    plus: str
    minus: str


@dataclass(frozen=True)
class Periodisation:
    """`column` is printed as `annual` × months/12."""

    column: str
    annual: str
    months: int


@dataclass
class PrintedTable:
    id: str
    unit: str
    precision: Decimal
    columns: list[str]
    rows: list[PrintedRow] = field(default_factory=list)
    totals: list[PrintedTotal] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    periodisations: list[Periodisation] = field(default_factory=list)

    @property
    def scale(self) -> Decimal:
        return UNIT_SCALE[self.unit]


@dataclass(frozen=True)
class CrossCheck:
    """The coarse table's row `label` is covered by the fine table's rows `covered_by`.

    `columns` maps coarse columns to fine columns (same meaning and sign).
    """

    coarse: str
    fine: str
    columns: Mapping[str, str]
    # Positions in the coarse table's rows then totals -> positions in the fine table's
    # rows then totals (labels may repeat, positions do not).
    cover: Mapping[int, tuple[int, ...]]


@dataclass(frozen=True)
class Finding:
    table: str
    row: str
    column: str
    printed: Decimal
    computed: Decimal
    rule: str
    tolerance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.printed - self.computed

    @property
    def is_rounding(self) -> bool:
        return abs(self.difference) <= self.tolerance

    def as_json(self) -> dict[str, str]:
        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "printed": plain(self.printed),
            "computed": plain(self.computed),
            "difference": plain(self.difference),
            "rule": self.rule,
        }


@dataclass
class Reconciliation:
    discrepancies: list[Finding] = field(default_factory=list)
    rounding: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        if finding.difference == 0:
            return
        (self.rounding if finding.is_rounding else self.discrepancies).append(finding)

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "discrepancies": [f.as_json() for f in self.discrepancies],
            "rounding": [f.as_json() for f in self.rounding],
        }


def plain(value: Decimal) -> str:
    """A plain decimal string as printed: ASCII minus, '.' point, no exponent or separators.

    The value keeps its own digits, so a printed `48.0` stays `48.0`.
    """
    text = f"{value:f}"
    return text[1:] if value == 0 and text.startswith("-") else text


def reconcile(tables: list[PrintedTable], cross: Sequence[CrossCheck] = ()) -> Reconciliation:
    result = Reconciliation()
    for table in tables:
        check_table(table, result)
    by_id = {t.id: t for t in tables}
    for check in cross:
        check_cross(by_id[check.coarse], by_id[check.fine], check, result)
    return result


def check_table(table: PrintedTable, result: Reconciliation) -> None:
    half = table.precision * HALF
    everything: list[PrintedRow | PrintedTotal] = [*table.rows, *table.totals]
    for row in everything:
        for dev in table.deviations:
            printed, plus, minus = (row.values.get(c) for c in (dev.column, dev.plus, dev.minus))
            if printed is None or plus is None or minus is None:
                continue
            result.add(
                Finding(table.id, row.label, dev.column, printed, plus - minus, "row_deviation",
                        half * 3)
            )
        for per in table.periodisations:
            printed, annual = row.values.get(per.column), row.values.get(per.annual)
            if printed is None or annual is None:
                continue
            result.add(
                Finding(table.id, row.label, per.column, printed, annual * per.months / 12,
                        "periodisation", half * 2)
            )
    for total in table.totals:
        checks: list[tuple[str, list[PrintedRow | PrintedTotal]]] = []
        if total.covers_totals:
            subtotals = [table.totals[i] for i in total.covers_totals]
            groups = {g for p in subtotals for g in (p.covers or ())}
            loose = [r for r in table.rows if r.group not in groups]  # no subtotal printed
            checks.append(("total_of_totals", [*subtotals, *loose]))
            # A grand total must also equal its rows, not only the (maybe wrong) subtotals.
            checks.append(("total", list(table.rows)))
        else:
            checks.append(("total", [r for r in table.rows if total.covers is None or r.group in total.covers]))
        for rule, covered in checks:
            for column in table.columns:
                printed = total.values.get(column)
                figures = [p.values.get(column) for p in covered]
                if printed is None or not covered:
                    continue
                computed = _sum(figures)
                if computed is None:
                    continue
                result.add(
                    Finding(table.id, total.label, column, printed, computed, rule,
                            half * (len(covered) + 1))
                )


def check_cross(
    coarse: PrintedTable, fine: PrintedTable, check: CrossCheck, result: Reconciliation
) -> None:
    fine_rows: list[PrintedRow | PrintedTotal] = [*fine.rows, *fine.totals]
    coarse_rows: list[PrintedRow | PrintedTotal] = [*coarse.rows, *coarse.totals]
    ratio = fine.scale / coarse.scale  # fine figures into the coarse unit
    for at, covered in check.cover.items():
        row = coarse_rows[at]
        parts = [fine_rows[i] for i in covered]
        for coarse_column, fine_column in check.columns.items():
            printed = row.values.get(coarse_column)
            total = _sum([p.values.get(fine_column) for p in parts])
            if printed is None or total is None:
                continue
            computed = total * ratio
            tolerance = coarse.precision * HALF + len(parts) * fine.precision * HALF * ratio
            result.add(
                Finding(coarse.id, row.label, coarse_column, printed, computed, "cross_table",
                        tolerance)
            )


def _sum(figures: list[Decimal | None]) -> Decimal | None:
    """The sum of printed figures, or None when one was not printed (nothing to check)."""
    if any(f is None for f in figures):
        return None
    return sum((f for f in figures if f is not None), Decimal(0))

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
from typing import TYPE_CHECKING, Any

from prognos.domain.money import UNIT_SCALE

if TYPE_CHECKING:
    from prognos.domain.reconcile.causes import Cause

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


# A printed figure: its table, its row's place in the table's rows then totals (labels
# repeat), its column.
Cell = tuple[str, int, str]


@dataclass(frozen=True)
class Finding:
    table: str
    row: str
    column: str
    printed: Decimal
    computed: Decimal
    rule: str
    tolerance: Decimal
    position: int = -1  # the row's place in its table's rows, then totals
    inputs: tuple[Cell, ...] = ()  # the printed figures `computed` is made of
    scale: Decimal = Decimal(1)  # kronor per unit of its table

    @property
    def cell(self) -> Cell:
        return (self.table, self.position, self.column)

    @property
    def size_kr(self) -> Decimal:
        """The difference in kronor."""
        return abs(self.difference) * self.scale

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
    # Figures that are exactly the arithmetic of other printed figures of their own table
    # (a deviation of its columns, a total of its rows): what each is made of.
    exact: dict[Cell, list[tuple[Cell, ...]]] = field(default_factory=dict)
    causes: list[Cause] = field(default_factory=list)
    tables: dict[str, PrintedTable] = field(default_factory=dict)  # what was reconciled

    def add(self, finding: Finding) -> None:
        if finding.difference == 0:
            if finding.rule != "cross_table":
                self.exact.setdefault(finding.cell, []).append(finding.inputs)
            return
        (self.rounding if finding.is_rounding else self.discrepancies).append(finding)

    def as_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "discrepancies": [f.as_json() for f in self.discrepancies],
            "rounding": [f.as_json() for f in self.rounding],
            "causes": [cause.as_json() for cause in self.causes],
        }


def plain(value: Decimal) -> str:
    """A plain decimal string as printed: ASCII minus, '.' point, no exponent or separators.

    The value keeps its own digits, so a printed `48.0` stays `48.0`.
    """
    text = f"{value:f}"
    return text[1:] if value == 0 and text.startswith("-") else text


def reconcile(tables: list[PrintedTable], cross: Sequence[CrossCheck] = ()) -> Reconciliation:
    """Every printed figure checked against the others, the publisher's rounding told
    from real discrepancies, and the discrepancies grouped by their causes (`causes`)."""
    from prognos.domain.reconcile.causes import group, publishers_rounding

    result = Reconciliation(tables={t.id: t for t in tables})
    for table in tables:
        check_table(table, result)
    by_id = result.tables
    for check in cross:
        check_cross(by_id[check.coarse], by_id[check.fine], check, result)
    publishers_rounding(result)
    result.causes = group(result, by_id)
    return result


def check_table(table: PrintedTable, result: Reconciliation) -> None:
    half = table.precision * HALF
    everything: list[PrintedRow | PrintedTotal] = [*table.rows, *table.totals]
    first_total = len(table.rows)
    for at, row in enumerate(everything):
        for dev in table.deviations:
            printed, plus, minus = (row.values.get(c) for c in (dev.column, dev.plus, dev.minus))
            if printed is None or plus is None or minus is None:
                continue
            result.add(
                Finding(table.id, row.label, dev.column, printed, plus - minus, "row_deviation",
                        half * 3, position=at, scale=table.scale,
                        inputs=((table.id, at, dev.plus), (table.id, at, dev.minus)))
            )
        for per in table.periodisations:
            printed, annual = row.values.get(per.column), row.values.get(per.annual)
            if printed is None or annual is None:
                continue
            result.add(
                Finding(table.id, row.label, per.column, printed, annual * per.months / 12,
                        "periodisation", half * 2, position=at, scale=table.scale,
                        inputs=((table.id, at, per.annual),))
            )
    for t, total in enumerate(table.totals):
        checks: list[tuple[str, list[int]]] = []  # each rule with the places it adds up
        if total.covers_totals:
            groups = {g for i in total.covers_totals for g in (table.totals[i].covers or ())}
            loose = [i for i, r in enumerate(table.rows) if r.group not in groups]  # no subtotal
            checks.append(("total_of_totals", [first_total + i for i in total.covers_totals]
                           + loose))
            # A grand total must also equal its rows, not only the (maybe wrong) subtotals.
            checks.append(("total", list(range(first_total))))
        else:
            checks.append(("total", [i for i, r in enumerate(table.rows)
                                     if total.covers is None or r.group in total.covers]))
        for rule, covered in checks:
            for column in table.columns:
                printed = total.values.get(column)
                if printed is None or not covered:
                    continue
                computed = _sum([everything[i].values.get(column) for i in covered])
                if computed is None:
                    continue
                result.add(
                    Finding(table.id, total.label, column, printed, computed, rule,
                            half * (len(covered) + 1), position=first_total + t,
                            scale=table.scale,
                            inputs=tuple((table.id, i, column) for i in covered))
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
                        tolerance, position=at,
                        inputs=tuple((fine.id, i, fine_column) for i in covered),
                        scale=coarse.scale)
            )


def _sum(figures: list[Decimal | None]) -> Decimal | None:
    """The sum of printed figures, or None when one was not printed (nothing to check)."""
    if any(f is None for f in figures):
        return None
    return sum((f for f in figures if f is not None), Decimal(0))

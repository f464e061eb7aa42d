"""Which printed figures are wrong, and which are wrong only because another one is.

A reconciliation compares each printed figure with what other printed figures give.
Two things follow here:

- **The publisher's rounding is rounding.** A figure that is exactly the arithmetic of
  the printed, already rounded figures of its own table (a deviation of its columns, a
  total of its rows) is rounding in every other comparison too, such as one against a
  finer table, as long as the figures it is made of are not wrong themselves.
- **A cause and its consequences are one finding.** A figure is a consequence of another
  when it follows from it: a total of totals that matches its rows but not a wrong
  subtotal; a total off by no more than the rows it adds are; a deviation that is its
  own wrong column's arithmetic, or off by exactly that column's error; a figure in a
  coarser table that is a wrong figure of a finer one, rounded. Every discrepancy is
  either a cause's own finding or listed under the cause it follows from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from prognos.domain.reconcile.printed import (
    Cell,
    Finding,
    PrintedTable,
    Reconciliation,
    plain,
)

# The likely cause of a figure's own finding, by the rule that found it.
TOTAL_NOT_SUM = "total_not_sum_of_rows"
SIGN_LOST = "sign_lost"
DEVIATION_NOT_FROM_COLUMNS = "deviation_not_from_its_columns"
NOT_AS_FINER_TABLE = "not_as_the_finer_table"
NOT_ANNUAL_SHARE = "not_the_annual_share"


@dataclass
class Cause:
    """A printed figure that is wrong on its own: its findings, and the findings of the
    figures that are wrong only because it is."""

    findings: list[Finding]
    kind: str
    consequences: list[Finding] = field(default_factory=list)

    @property
    def cell(self) -> Cell:
        return self.findings[0].cell

    @property
    def size_kr(self) -> Decimal:
        """How far off it is in kronor: its largest difference (causes are sorted by it)."""
        return max(f.size_kr for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        first = self.findings[0]
        return {
            "table": first.table,
            "row": first.row,
            "column": first.column,
            "printed": plain(first.printed),
            "cause": self.kind,
            "size_kr": plain(tidy(self.size_kr)),
            "findings": [f.as_json() for f in self.findings],
            "consequences": [f.as_json() for f in self.consequences],
        }


def tidy(kronor: Decimal) -> Decimal:
    """Kronor without the zeros a unit's scale left (`401000.000` is `401000`)."""
    kronor = kronor.normalize()
    return kronor.quantize(Decimal(1)) if kronor == kronor.to_integral_value() else kronor


def publishers_rounding(result: Reconciliation) -> None:
    """Move to rounding a comparison against a finer table of a figure that is exactly the
    arithmetic of its own table's printed figures, none of them wrong themselves."""
    changed = True
    while changed:
        changed = False
        wrong = {f.cell for f in result.discrepancies}
        for finding in list(result.discrepancies):
            if finding.rule != "cross_table":
                continue
            made_of = result.exact.get(finding.cell, [])
            if any(not (set(inputs) & wrong) for inputs in made_of):
                result.discrepancies.remove(finding)
                result.rounding.append(finding)
                changed = True


def group(result: Reconciliation, tables: Mapping[str, PrintedTable]) -> list[Cause]:
    """The discrepancies as causes, largest first (in kronor), each with its consequences."""
    by_cell: dict[Cell, list[Finding]] = {}
    for finding in result.discrepancies:
        by_cell.setdefault(finding.cell, []).append(finding)
    sources = {cell: _sources(cell, found, by_cell, result, tables)
               for cell, found in by_cell.items()}
    roots: dict[Cell, Cell] = {}
    for cell in by_cell:
        roots[cell] = _root(cell, sources, by_cell, set())
    causes = {cell: Cause(by_cell[cell], _kind(by_cell[cell])) for cell in by_cell
              if roots[cell] == cell}
    for cell, root in roots.items():
        if root != cell:
            causes[root].consequences.extend(by_cell[cell])
    return sorted(causes.values(), key=lambda c: (-c.size_kr, c.cell))


def _root(cell: Cell, sources: dict[Cell, list[Cell]], by_cell: dict[Cell, list[Finding]],
          seen: set[Cell]) -> Cell:
    """The cause a figure follows from: the largest root among its sources (itself when it
    follows from none, or from a circle of figures)."""
    if cell in seen or not sources[cell]:
        return cell
    seen = seen | {cell}
    roots = [_root(source, sources, by_cell, seen) for source in sources[cell]]
    roots = [root for root in roots if root not in seen] or [cell]
    return max(roots, key=lambda root: max(f.size_kr for f in by_cell[root]))


def _sources(
    cell: Cell, found: list[Finding], wrong: dict[Cell, list[Finding]],
    result: Reconciliation, tables: Mapping[str, PrintedTable],
) -> list[Cell]:
    """The other wrong figures this one's findings follow from."""
    own_total_holds = not any(f.rule == "total" for f in found)
    sources: list[Cell] = []
    for finding in found:
        bad = [c for c in finding.inputs if c in wrong and c != cell]
        if finding.rule == "total_of_totals" and own_total_holds:
            sources += bad  # it matches its rows: only a subtotal is wrong
        elif finding.rule == "total" and bad:
            # Off by no more than the rows it adds are: the rows' error, carried.
            if abs(finding.difference) <= sum(_error(wrong[c]) for c in bad) + finding.tolerance:
                sources += bad
        elif finding.rule == "row_deviation" and bad:
            # Off by exactly a wrong column's error: right but for that column.
            sources += [c for c in bad if abs(finding.difference) in _errors(wrong[c])]
        elif finding.rule == "cross_table":
            sources += _coarse_sources(finding, wrong, tables)
    # A figure that is its own table's arithmetic of a wrong figure follows from it.
    for inputs in result.exact.get(cell, []):
        sources += [c for c in inputs if c in wrong and c != cell]
    return list(dict.fromkeys(sources))


def _error(found: list[Finding]) -> Decimal:
    return max(abs(f.difference) for f in found)


def _errors(found: list[Finding]) -> set[Decimal]:
    return {abs(f.difference) for f in found}


def _coarse_sources(finding: Finding, wrong: dict[Cell, list[Finding]],
                    tables: Mapping[str, PrintedTable]) -> list[Cell]:
    """A coarse figure that is a wrong printed total of the finer table, rounded to the
    coarse table's precision, follows from that total."""
    if not finding.inputs:
        return []
    fine = tables[finding.inputs[0][0]]
    coarse = tables[finding.table]
    column = finding.inputs[0][2]
    covered = {position for _, position, _ in finding.inputs}
    sources = []
    for position, rows in _coverage(fine).items():
        cell = (fine.id, position, column)
        if rows != covered or cell not in wrong:
            continue
        printed = fine.totals[position - len(fine.rows)].values.get(column)
        if printed is None:
            continue
        shown = (printed * fine.scale / coarse.scale).quantize(coarse.precision, ROUND_HALF_UP)
        if shown == finding.printed:
            sources.append(cell)
    return sources


def _coverage(table: PrintedTable) -> dict[int, set[int]]:
    """Each printed total (by its place) and the rows it adds, through its subtotals."""
    first_total = len(table.rows)
    covered: dict[int, set[int]] = {}
    for t, total in enumerate(table.totals):
        if total.covers_totals:
            groups = {g for i in total.covers_totals for g in (table.totals[i].covers or ())}
            rows = {i for i, r in enumerate(table.rows) if r.group not in groups}
            for i in total.covers_totals:
                covers = table.totals[i].covers
                rows |= {j for j, r in enumerate(table.rows)
                         if covers is None or r.group in covers}
        else:
            rows = {i for i, r in enumerate(table.rows)
                    if total.covers is None or r.group in total.covers}
        covered[first_total + t] = rows
    return covered


def _kind(found: list[Finding]) -> str:
    """The likely cause, from the figure's own findings."""
    rules = {f.rule for f in found}
    if rules & {"total", "total_of_totals"}:
        return TOTAL_NOT_SUM
    for finding in found:
        if finding.rule == "row_deviation":
            return SIGN_LOST if finding.printed == -finding.computed else DEVIATION_NOT_FROM_COLUMNS
    if "periodisation" in rules:
        return NOT_ANNUAL_SHARE
    return NOT_AS_FINER_TABLE

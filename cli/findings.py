"""A reconciliation as a controller reads it: each cause in a sentence, largest first in
kronor, with the figures that are wrong only because of it listed under it; then, where
asked, the rounding differences as a table."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from prognos.cli.tables import text

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.domain.reconcile.causes import Cause
    from prognos.domain.reconcile.printed import Finding, PrintedTable, Reconciliation

# Decimals a computed figure is shown with at most, in its table's unit and in kronor
# (the JSON keeps every digit).
MOST = 6
MOST_KR = 2


def findings_lines(found: Reconciliation, t: Texts, width: int, rounding: bool) -> list[Any]:
    """The title counting causes, then every cause with its consequences; the rounding
    differences as a table when `rounding`, else a line saying where they are."""
    consequences = sum(len(c.consequences) for c in found.causes)
    if found.causes:
        title = t("findings.title", causes=len(found.causes),
                  discrepancies=len(found.discrepancies), consequences=consequences,
                  rounding=len(found.rounding))
    else:
        title = t("findings.none", rounding=len(found.rounding))
    shown: list[Any] = [text(_fill(title, width), "bold")]
    if found.causes:
        shown.append(text(_fill(t("findings.reading"), width), "dim"))
    number = len(str(len(found.causes)))
    for n, cause in enumerate(found.causes, start=1):
        head = f"{n}.".rjust(number + 1) + " "
        indent = " " * len(head)
        shown.append(text(_fill(cause_sentence(cause, found.tables, t), width, head, indent),
                          "red"))
        if not cause.consequences:
            continue
        shown.append(text(_fill(t("findings.consequences"), width, indent, indent)))
        for finding in sorted(cause.consequences, key=lambda f: (-f.size_kr, f.cell)):
            said = finding_sentence(finding, found.tables, t)
            shown.append(text(_fill(said, width, indent + "– ", indent + "  ")))
    if rounding and found.rounding:
        shown += [text(""), rounding_table(found, t)]
    elif found.rounding:
        shown.append(text(_fill(t("rounding.hint", count=len(found.rounding)), width), "dim"))
    return shown


# Joins a figure's digit groups and its unit in a sentence: not a place to break a line
# (textwrap breaks at ASCII whitespace only), a plain space again once wrapped.
KEEP = "\u00a0"


def _fill(said: str, width: int, first: str = "", rest: str = "") -> str:
    import textwrap

    lines = textwrap.wrap(said, width=max(width - 1, 40), initial_indent=first,
                          subsequent_indent=rest, break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(lines).replace(KEEP, " ")


def _kept(figure: str, unit: str = "") -> str:
    return f"{figure} {unit}".strip().replace(" ", KEEP)


def cause_sentence(cause: Cause, tables: dict[str, PrintedTable], t: Texts) -> str:
    said = finding_sentence(cause.findings[0], tables, t, more=cause.findings[1:])
    return f"{said}. {t('cause.' + cause.kind)}"


def finding_sentence(finding: Finding, tables: dict[str, PrintedTable], t: Texts,
                     more: list[Finding] | tuple[Finding, ...] = ()) -> str:
    """`Tabell 1.2, Summa bastjänster, prognos: tryckt 253 243 988 kr; summan av tabellens
    tryckta rader ger 253 246 987 (skillnad −2 999 kr)`."""
    unit = tables[finding.table].unit if finding.table in tables else ""
    head = t("findings.figure", table=finding.table, row=finding.row,
             column=t.column(finding.column), printed=_kept(t.figure(finding.printed), unit))
    gives = t("findings.and").join(_gives(f, tables, t) for f in (finding, *more))
    return f"{head}; {gives}"


def shown(value: Decimal, finding: Finding, tables: dict[str, PrintedTable]) -> Decimal:
    """A computed figure or a difference with the digits it needs: no trailing zeros that
    a division left (`6,250000` is `6,25`), but never fewer decimals than its table prints."""
    value = value.normalize()
    table = tables.get(finding.table)
    if table is not None and _places(value) < _places(table.precision):
        value = value.quantize(table.precision)
    return value


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _gives(finding: Finding, tables: dict[str, PrintedTable], t: Texts) -> str:
    return t("findings.gives", what=_what(finding, tables, t),
             computed=_kept(t.figure(shown(finding.computed, finding, tables), MOST)),
             difference=difference(finding, tables, t))


def _what(finding: Finding, tables: dict[str, PrintedTable], t: Texts) -> str:
    """What the figures a finding compares with are: its rows, its columns, a finer table."""
    rule = finding.rule
    if rule == "row_deviation" and len(finding.inputs) == 2:
        plus, minus = (column for _, _, column in finding.inputs)
        return t("rule.row_deviation", plus=t.column(plus), minus=t.column(minus))
    if rule == "periodisation" and finding.inputs:
        annual = finding.inputs[0][2]
        table = tables.get(finding.table)
        months = next((p.months for p in table.periodisations if p.column == finding.column),
                      "?") if table else "?"
        return t("rule.periodisation", months=months, annual=t.column(annual))
    if rule == "cross_table" and finding.inputs:
        return t("rule.cross_table", fine=finding.inputs[0][0])
    key = f"rule.{rule}"
    return t(key) if rule in ("total", "total_of_totals") else rule


def difference(finding: Finding, tables: dict[str, PrintedTable], t: Texts) -> str:
    """The difference in the table's unit and in kronor (`−0,401 mkr = −401 000 kr`)."""
    unit = tables[finding.table].unit if finding.table in tables else "kr"
    from prognos.domain.reconcile.causes import tidy

    kronor = _kept(t.figure(tidy(finding.difference * finding.scale), MOST_KR), "kr")
    if unit == "kr":
        return kronor
    in_unit = t.figure(shown(finding.difference, finding, tables), MOST)
    return f"{_kept(in_unit, unit)} = {kronor}"


def rounding_table(found: Reconciliation, t: Texts) -> Any:
    """Every rounding difference, figures in full in the table's notation (the JSON says
    which rule found each)."""
    from rich.table import Table

    table = Table(title=text(t("rounding.title", count=len(found.rounding))),
                  title_justify="left", show_edge=False, box=None, padding=(0, 1, 0, 0))
    table.add_column(t("rounding.table"), no_wrap=True)
    table.add_column(f"{t('rounding.row')}, {t('rounding.column').lower()}", overflow="fold",
                     ratio=1)
    for key in ("rounding.printed", "rounding.computed", "rounding.difference"):
        table.add_column(t(key), justify="right", no_wrap=True)
    for f in found.rounding:
        unit = found.tables[f.table].unit if f.table in found.tables else ""
        table.add_row(
            text(f"{f.table} {unit}"), text(f"{f.row}, {t.column(f.column)}"),
            t.figure(f.printed), t.figure(shown(f.computed, f, found.tables), MOST),
            t.figure(shown(f.difference, f, found.tables), MOST),
            style="dim",
        )
    return table

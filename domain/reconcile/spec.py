"""Reading a reconciliation spec: published tables (CSV) and how their figures relate (TOML/JSON).

    [[tables]]
    id = "1.2"
    file = "table_1_2_services.csv"        # the rows
    totals_file = "table_1_2_totals.csv"   # printed total rows (optional)
    unit = "kr"
    precision = "1"                        # printed to whole kronor
    label = "tjänst"                       # row label column
    total_label = "summa_label"
    group = "section"                      # a total covers the rows of its group
    columns = ["budget_kr", "prognos_maj_kr", "avvikelse_kr"]
    deviations = ["avvikelse_kr = prognos_maj_kr - budget_kr"]
    periodisations = ["budget_jan_aug = budget * 8/12"]
    names = { budget_kr = "budget" }       # how columns are called in findings

    [[cross]]
    coarse = "1.1"
    fine = "1.2"
    columns = { budget_mkr = "budget_kr" }
    cover = { Summa = "*" }                # '*' = every fine row
    groups = { "Digital infrastruktur" = "digital infrastruktur" }
    mapping = { file = "inferred_area_mapping.csv", row = "row", to = "inferred_area",
                where = { table = "1.2" } }

A total whose group matches no row's group (or a table's only total when there
are no groups) covers the other totals, or every row.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from prognos.events.errors import InvalidInputError
from prognos.domain.money import UNIT_SCALE
from prognos.domain.tables import read_table
from prognos.domain.reconcile.printed import (
    CrossCheck,
    Deviation,
    Periodisation,
    PrintedRow,
    PrintedTable,
    PrintedTotal,
)

_FORMULA_DEV = re.compile(r"^\s*(.+?)\s*=\s*(.+?)\s+-\s+(.+?)\s*$")
_FORMULA_PER = re.compile(r"^\s*(.+?)\s*=\s*(.+?)\s*\*\s*(\d+)\s*/\s*12\s*$")
_TOTAL_WORDS = ("summa", "total", "totalt")


def printed_number(text: str, where: str) -> Decimal | None:
    """A figure as printed, keeping its digits: '1 236 897', '-0,9', '− 4,2', '48.0'.

    A dash alone is how Swedish tables print nil: zero. An empty cell printed nothing
    (None): a rule that needs it cannot be checked."""
    raw = re.sub(r"[\s\u00a0\u202f\u2009]", "", text or "").replace("\u2212", "-")
    raw = raw.replace("\u2013", "-")
    if raw == "":
        return None
    if raw == "-":
        return Decimal(0)
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInputError(f"{where}: not a printed figure: {text!r}") from None
    if not value.is_finite():
        raise InvalidInputError(f"{where}: not a printed figure: {text!r}")
    return value


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A published table as transcribed, read as an import reads a file (`domain.tables`:
    encodings, a sniffed delimiter)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e.strerror}") from None
    table = read_table(data, path.name)
    return table.header, [dict(zip(table.header, cells)) for _, cells in table.rows]


def load_spec(path: Path) -> tuple[list[PrintedTable], list[CrossCheck]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        spec = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise InvalidInputError(f"reconciliation spec {path}: {e}") from None
    try:
        if not isinstance(spec, dict):
            raise TypeError("expected a table of [[tables]] and [[cross]]")
        base = path.parent
        tables = [_table(base, t) for t in spec.get("tables", [])]
        if not tables:
            raise InvalidInputError(f"reconciliation spec {path}: no [[tables]]")
        by_id = {t.id: t for t in tables}
        cross = [_cross(base, c, by_id) for c in spec.get("cross", [])]
    except (TypeError, AttributeError, KeyError, ValueError) as e:
        # A spec of the wrong shape: name the file and what was wrong, no traceback.
        raise InvalidInputError(f"reconciliation spec {path}: malformed ({type(e).__name__}: {e})") from None
    return tables, cross


def table_from_options(path: Path, options: dict[str, Any]) -> PrintedTable:
    """One table given on the command line: the CSV and the keys of a [[tables]] entry."""
    spec = {k: v for k, v in options.items() if v not in (None, [], ())}
    spec.setdefault("id", path.stem)
    spec["file"] = path.name
    if "totals_file" in spec:
        spec["totals_file"] = str(Path(spec["totals_file"]).resolve())
    return _table(path.parent, spec)


def _table(base: Path, t: dict[str, Any]) -> PrintedTable:
    try:
        table_id, file, unit = str(t["id"]), t["file"], t["unit"]
    except KeyError as e:
        raise InvalidInputError(f"table spec needs id, file, unit and precision ({e})") from None
    precision = _precision(t.get("precision"), table_id)
    if unit not in UNIT_SCALE:
        raise InvalidInputError(f"table {table_id}: unit must be kr, tkr or mkr")
    header, records = _read_csv(base / file)
    label = t.get("label", header[0] if header else "")
    group = t.get("group")
    # A misspelt label or group column would check the wrong rows, or none: refuse it.
    for role, column in (("label", label), ("group", group)):
        if column is not None and column not in header:
            raise InvalidInputError(
                f"table {table_id}: no {role} column {column!r} in {file} "
                f"(columns: {', '.join(header)})"
            )
    columns = t.get("columns") or [c for c in header if c not in (label, group)]
    names: dict[str, str] = t.get("names", {})
    total_labels = set(t.get("total_rows", []))

    def values(record: dict[str, str], where: str) -> dict[str, Decimal | None]:
        out = {}
        for column in columns:
            if column not in record:
                raise InvalidInputError(f"table {table_id}: no column {column!r} in {where}")
            out[names.get(column, column)] = printed_number(record[column], f"{where}, {column}")
        return out

    rows, totals = [], []
    for i, record in enumerate(records, start=2):
        where = f"{file} row {i}"
        row_label = record.get(label, "")
        is_total = row_label in total_labels or (
            not total_labels and row_label.strip().lower().split(" ")[0] in _TOTAL_WORDS
        )
        if is_total:
            totals.append((row_label, record.get(group) if group else None, values(record, where)))
        else:
            rows.append(PrintedRow(row_label, values(record, where), record.get(group) if group else None))
    if "totals_file" in t:
        total_label = t.get("total_label", label)
        total_header, total_records = _read_csv(base / t["totals_file"])
        for role, column in (("total_label", total_label), ("group", group)):
            if column is not None and column not in total_header:
                raise InvalidInputError(
                    f"table {table_id}: no {role} column {column!r} in {t['totals_file']} "
                    f"(columns: {', '.join(total_header)})"
                )
        for i, record in enumerate(total_records, start=2):
            where = f"{t['totals_file']} row {i}"
            totals.append(
                (record.get(total_label, ""), record.get(group) if group else None,
                 values(record, where))
            )
    groups = {r.group for r in rows}
    printed_totals = []
    for total_label_, total_group, total_values in totals:
        if total_group is not None and total_group in groups:
            printed_totals.append(PrintedTotal(total_label_, total_values, covers=(total_group,)))
        else:
            others = tuple(i for i, (_, g, _) in enumerate(totals) if g is not None and g in groups)
            printed_totals.append(PrintedTotal(total_label_, total_values, covers_totals=others))

    def rename(column: str) -> str:
        return names.get(column, column)

    table = PrintedTable(
        id=table_id,
        unit=unit,
        precision=precision,
        columns=[rename(c) for c in columns],
        rows=rows,
        totals=printed_totals,
        deviations=[_deviation(f, rename, table_id) for f in t.get("deviations", [])],
        periodisations=[_periodisation(f, rename, table_id) for f in t.get("periodisations", [])],
    )
    # A misspelt column would make a rule check nothing and pass: refuse it.
    named = {c for d in table.deviations for c in (d.column, d.plus, d.minus)}
    named |= {c for p in table.periodisations for c in (p.column, p.annual)}
    unknown = sorted(named - set(table.columns))
    if unknown:
        raise InvalidInputError(
            f"table {table_id}: no column {unknown[0]!r} (columns: {', '.join(table.columns)})"
        )
    return table


def _deviation(formula: str, rename: Any, table_id: str) -> Deviation:
    m = _FORMULA_DEV.match(formula)
    if m is None:
        raise InvalidInputError(f"table {table_id}: deviation must read 'dev = a - b': {formula!r}")
    return Deviation(rename(m[1]), rename(m[2]), rename(m[3]))


def _periodisation(formula: str, rename: Any, table_id: str) -> Periodisation:
    m = _FORMULA_PER.match(formula)
    if m is None:
        raise InvalidInputError(
            f"table {table_id}: periodisation must read 'ytd = annual * N/12': {formula!r}"
        )
    return Periodisation(rename(m[1]), rename(m[2]), int(m[3]))


def _cross(base: Path, c: dict[str, Any], tables: dict[str, PrintedTable]) -> CrossCheck:
    try:
        coarse, fine = tables[str(c["coarse"])], tables[str(c["fine"])]
    except KeyError as e:
        raise InvalidInputError(f"cross check names an unknown table {e}") from None
    columns = dict(c.get("columns", {}))  # by the names findings use (after `names`)
    for table, names in ((coarse, columns.keys()), (fine, columns.values())):
        unknown = sorted(set(names) - set(table.columns))
        if unknown:
            raise InvalidInputError(f"cross check: table {table.id} has no column {unknown[0]!r}")

    def one(table: PrintedTable, label: str, among: list[str]) -> int:
        """The position of the row with this label, which must be the only one."""
        found = [i for i, other in enumerate(among) if other == label]
        if not found:
            raise InvalidInputError(f"cross check {coarse.id}/{fine.id}: table {table.id} "
                                    f"has no row {label!r}")
        if len(found) > 1:
            raise InvalidInputError(f"cross check {coarse.id}/{fine.id}: table {table.id} has "
                                    f"{len(found)} rows {label!r}; a cover cannot tell them apart")
        return found[0]

    coarse_labels = [r.label for r in coarse.rows] + [r.label for r in coarse.totals]
    fine_labels = [r.label for r in fine.rows]  # a cover names rows, not printed totals
    cover: dict[int, list[int]] = {}
    for label, rows in c.get("cover", {}).items():
        cover[one(coarse, label, coarse_labels)] = (
            list(range(len(fine.rows))) if rows == "*"
            else [one(fine, r, fine_labels) for r in rows]
        )
    for label, group in c.get("groups", {}).items():
        cover.setdefault(one(coarse, label, coarse_labels), []).extend(
            i for i, r in enumerate(fine.rows) if r.group == group
        )
    mapping = c.get("mapping")
    if mapping:
        _, records = _read_csv(base / mapping["file"])
        where = mapping.get("where", {})
        for record in records:
            if all(record.get(k) == v for k, v in where.items()):
                cover.setdefault(one(coarse, record[mapping["to"]], coarse_labels), []).append(
                    one(fine, record[mapping["row"]], fine_labels)
                )
    # A fine row named twice for one coarse row (by cover and by group) counts once.
    return CrossCheck(coarse.id, fine.id, columns,
                      {at: tuple(dict.fromkeys(rows)) for at, rows in cover.items()})


def _precision(value: Any, table_id: str) -> Decimal:
    """The unit a table's figures are printed to: a positive number such as 1 or 0.1."""
    try:
        precision = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        precision = Decimal("NaN")
    if value is None or not precision.is_finite() or not (
        Decimal("1e-9") <= precision <= Decimal("1e9")
    ):
        raise InvalidInputError(
            f"table {table_id}: precision must be a positive number such as 1 or 0.1, "
            f"got {value!r}"
        )
    return precision


def load(path: Path, options: dict[str, Any]) -> tuple[list[PrintedTable], list[CrossCheck]]:
    """The tables to reconcile: a spec file (TOML or JSON), or one table's CSV described by
    the command's options (`unit` and `precision` at least)."""
    if path.suffix.lower() in (".toml", ".json"):
        return load_spec(path)
    if options.get("unit") is None or options.get("precision") is None:
        raise InvalidInputError("a CSV table needs --unit and --precision")
    return [table_from_options(path, options)], []

"""What the rows of an imported file mean: budgets for a year, forecasts as of a month, or actuals.

Every cell is read before anything is recorded; the first unreadable one refuses
the whole file with an error that names the file, the row and the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

from prognos.events.errors import InvalidInputError, LedgerError
from prognos.domain import rules
from prognos.domain.money import Unit, parse_amount
from prognos.events.period import YearMonth
from prognos.domain.tables import Table

Kind = Literal["budget", "forecast", "actual", "lines"]
KINDS: dict[str, Kind] = {
    "lines": "lines", "line": "lines", "tree": "lines",
    "budget": "budget", "budgets": "budget",
    "forecast": "forecast", "forecasts": "forecast", "prognos": "forecast",
    "actual": "actual", "actuals": "actual", "outcome": "actual", "utfall": "actual",
}

# The option that gives the month of every row of a kind of file (when no column does).
MONTH_OPTION: dict[Kind, str] = {
    "budget": "--effective", "forecast": "--as-of", "actual": "--period", "lines": "",
}

# Header names tried, in order, when a column is not given.
GUESSES = {
    "line": ("line", "code", "kod", "line_code", "linje", "konto"),
    "amount": ("amount", "belopp", "kr"),
    "name": ("name", "namn", "benämning"),
    "parent": ("parent", "förälder", "overordnad", "överordnad"),
    "month": ("month", "period", "månad", "as_of", "effective"),
    "ref": ("ref", "reference", "referens", "verifikation"),
}

# The amount column named for the kind comes first; a column named for another kind
# (the budget column of a forecast file) is never taken for the amount.
AMOUNT_GUESSES: dict[Kind, tuple[str, ...]] = {
    "budget": ("budget", *GUESSES["amount"]),
    "forecast": ("forecast", "prognos", *GUESSES["amount"]),
    "actual": ("actual", "utfall", "outcome", *GUESSES["amount"]),
    "lines": GUESSES["amount"],
}


@dataclass(frozen=True)
class Columns:
    line: str | None = None
    amount: str | None = None
    name: str | None = None
    parent: str | None = None
    month: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class ImportSpec:
    """What the file holds, as given on the command line."""

    kind: Kind
    year: int | None = None
    month: YearMonth | None = None  # effective (budget), as-of (forecast), period (actual)
    unit: Unit = "kr"
    columns: Columns = field(default_factory=Columns)
    create_lines: bool = False
    parent: str | None = None
    reason: str | None = None
    # Rows booking what an earlier file booked: refused, left out (--skip-booked), or
    # booked again (--allow-duplicates).
    duplicates: Literal["refuse", "skip", "allow"] = "refuse"


class ImportRow(NamedTuple):  # a tuple: a file can have a million of them
    row: int
    code: str
    amount: Decimal | None  # None in a file of lines
    month: YearMonth | None
    name: str | None = None
    parent: str | None = None
    ref: str | None = None


class RowError(LedgerError):
    """A cell refused while reading a file; keeps the exit code of the underlying error."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def row_error(table: str, row: int, column: str | None, error: LedgerError) -> RowError:
    where = f"{table}: row {row}" + (f", column {column!r}" if column else "")
    return RowError(f"{where}: {error}", error.exit_code)


def resolve_columns(table: Table, spec: ImportSpec) -> dict[str, int]:
    """Column indexes by role; a given name must exist, a missing required one is refused."""
    lowered = [h.lower() for h in table.header]
    found: dict[str, int] = {}

    def once(index: int, role: str) -> int:
        if lowered.count(lowered[index]) > 1:
            raise InvalidInputError(
                f"{table.name}: column {table.header[index]!r} appears twice in the header; "
                f"rename one or give --{role}-col by number"
            )
        return index

    for role in ("line", "amount", "name", "parent", "month", "ref"):
        given = getattr(spec.columns, role)
        if given is not None:
            if given.lower() in lowered:
                found[role] = once(lowered.index(given.lower()), role)
            elif given.isdigit() and 1 <= int(given) <= len(table.header):
                found[role] = int(given) - 1
            else:
                raise InvalidInputError(
                    f"{table.name}: no column {given!r} for --{role}-col "
                    f"(columns: {', '.join(table.header)})"
                )
            continue
        for guess in AMOUNT_GUESSES[spec.kind] if role == "amount" else GUESSES[role]:
            if guess in lowered and lowered.index(guess) not in found.values():
                found[role] = once(lowered.index(guess), role)
                break
    for role in ("line", "amount") if spec.kind != "lines" else ("line",):
        if role not in found:
            raise InvalidInputError(
                f"{table.name}: which column holds the {role}? give --{role}-col "
                f"(columns: {', '.join(table.header)})"
            )
    if "month" not in found and spec.month is None and spec.kind in ("forecast", "actual"):
        raise InvalidInputError(f"{table.name}: give {MONTH_OPTION[spec.kind]} or --month-col")
    return found


def column_names(table: Table, spec: ImportSpec) -> dict[str, str]:
    return {role: table.header[i] for role, i in resolve_columns(table, spec).items()}


def read_rows(
    table: Table, spec: ImportSpec, progress: Callable[[int], None] | None = None
) -> Iterator[ImportRow]:
    """The rows, read lazily; the columns and options are checked at once, and the
    first unreadable cell raises when reached, naming row and column."""
    columns = resolve_columns(table, spec)
    option = MONTH_OPTION[spec.kind]
    default_month = spec.month
    if default_month is None and spec.kind == "budget" and spec.year is not None:
        default_month = YearMonth.first_of(spec.year)
    if default_month is not None and spec.year is not None:
        rules.month_in_year(default_month, spec.year, option)
    return _rows(table, spec, columns, default_month, option, progress)


def _rows(
    table: Table,
    spec: ImportSpec,
    columns: dict[str, int],
    default_month: YearMonth | None,
    option: str,
    progress: Callable[[int], None] | None,
) -> Iterator[ImportRow]:
    header = table.header
    at = {role: columns.get(role) for role in ("line", "amount", "name", "parent", "month", "ref")}
    used = [i for i in at.values() if i is not None]
    width = max(used) + 1
    months: dict[str, YearMonth] = {}  # a file holds few distinct months: read each once

    # Plain locals and no helper calls per cell: this loop runs once per row of
    # files with a million rows.
    i_line, i_amount, i_month = at["line"], at["amount"], at["month"]
    i_name, i_parent, i_ref = at["name"], at["parent"], at["ref"]
    lines_only, unit = spec.kind == "lines", spec.unit

    for count, (number, cells) in enumerate(table.rows, start=1):
        if progress is not None and count % 5000 == 0:
            progress(5000)
        if len(cells) < width:
            short = min(i for i in used if i >= len(cells))
            raise row_error(table.name, number, header[short],
                            InvalidInputError("missing cell (row is too short)"))
        code = cells[i_line].strip()  # type: ignore[index]
        if not code:
            raise row_error(table.name, number, header[i_line],  # type: ignore[index]
                            InvalidInputError("empty line code"))
        name = None if i_name is None else (cells[i_name].strip() or None)
        parent = None if i_parent is None else (cells[i_parent].strip() or None)
        if lines_only:
            yield ImportRow(number, code, None, None, name, parent)
            continue
        try:
            amount = parse_amount(cells[i_amount], unit)  # type: ignore[index]
        except LedgerError as e:
            raise row_error(table.name, number, header[i_amount], e) from None  # type: ignore[index]
        month = default_month
        raw_month = None if i_month is None else cells[i_month].strip()
        if raw_month:
            month = months.get(raw_month)
            if month is None:
                try:
                    month = month_of_cell(raw_month)
                    if spec.year is not None:
                        rules.month_in_year(month, spec.year, "month")
                except LedgerError as e:
                    raise row_error(table.name, number, header[i_month], e) from None  # type: ignore[index]
                months[raw_month] = month
        elif month is None:
            raise row_error(table.name, number, None, InvalidInputError(f"no month: give {option}"))
        ref = None if i_ref is None else (cells[i_ref].strip() or None)
        yield ImportRow(number, code, amount, month, name, parent, ref)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def month_of_cell(text: str) -> YearMonth:
    """A month column's cell: a month (2024-02) or a real date (2024-02-15, booked into its
    month), nothing else: 2024-02-30 and 2024-02-xx are not dates."""
    if len(text) == 7:
        return YearMonth.parse(text)
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInputError(f"not a real date: {text!r}") from None
        return YearMonth(day.year, day.month)
    raise InvalidInputError(f"not a month or a date (want YYYY-MM or YYYY-MM-DD): {text!r}")

"""An import's options, as typed and from a mapping file, checked before the ledger is opened.

`plan_import` takes what the user gave (`ImportRequest`) and returns an `ImportPlan`:
the kind and every option resolved and checked, the file read and parsed. Which column
holds what is found when the rows are read, as the import records them
(`Ledger.import_file`).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prognos.domain.importing.decider import SourceFile
from prognos.domain.importing.rows import (
    KINDS, MONTH_OPTION, Columns, ImportRow, ImportSpec, column_names, read_rows,
)
from prognos.domain.money import UNIT_SCALE, Unit
from prognos.domain.tables import Table, read_table
from prognos.events.errors import InvalidInputError, RefusedError
from prognos.events.period import YearMonth, parse_year

# What a mapping file may hold: the options by name, and a `columns` table by role.
ROLES = ("line", "amount", "name", "parent", "month", "ref")
TEXT_KEYS = ("kind", "as_of", "period", "effective", "month", "unit", "delimiter", "sheet",
             "parent", "reason")
# The month option of each kind of file, and its key in a mapping file (and in a request).
MONTH_OPTIONS = {kind: (option, option[2:].replace("-", "_"))
                 for kind, option in MONTH_OPTION.items() if option}


@dataclass(frozen=True)
class ImportRequest:
    """An import as the user asked for it: `args` is `[KIND] FILE`, the rest the options
    (None where not given)."""

    args: tuple[str, ...]
    kind: str | None = None
    year: int | None = None
    as_of: str | None = None
    period: str | None = None
    effective: str | None = None
    unit: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    line_col: str | None = None
    amount_col: str | None = None
    name_col: str | None = None
    parent_col: str | None = None
    month_col: str | None = None
    ref_col: str | None = None
    mapping: Path | None = None
    create_lines: bool = False
    parent: str | None = None
    reason: str | None = None
    duplicates: str = "refuse"


@dataclass(frozen=True)
class ImportPlan:
    """An import ready to record: what the file holds, and the file itself."""

    spec: ImportSpec
    table: Table
    name: str  # the file's name, as shown
    data: bytes

    def rows(self, progress: Callable[[int], None] | None = None) -> Iterator[ImportRow]:
        """The file's rows, read as the import consumes them; its columns are found (or
        refused) at once."""
        return read_rows(self.table, self.spec, progress)

    def source(self) -> SourceFile:
        """The file as the import records it, with the header of each column it reads."""
        return SourceFile(self.name, hashlib.sha256(self.data).hexdigest(), self.data,
                          len(self.table.rows), column_names(self.table, self.spec))


def plan_import(request: ImportRequest) -> ImportPlan:
    mapped = read_mapping(request.mapping)

    def given(key: str) -> Any:
        """An option as typed, else as the mapping file says."""
        value = getattr(request, key)
        return value if value is not None else mapped.get(key)

    kind, path = _kind_and_file(request, mapped)
    for option_kind, (option, key) in MONTH_OPTIONS.items():
        if kind != option_kind and given(key) is not None:
            said = option if getattr(request, key) is not None else f"{key} (in the mapping file)"
            raise InvalidInputError(f"{said} is for a {option_kind} import, not a {kind} import")
    # A file name in another encoding than UTF-8 (legal on Linux) is kept as readable text.
    name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e.strerror}") from None
    year = given("year")
    year = None if year is None else parse_year(year)
    month_text = (given(MONTH_OPTIONS[kind][1]) if kind in MONTH_OPTIONS else None) or \
        mapped.get("month")
    if kind in ("budget", "forecast") and year is None:
        raise InvalidInputError(f"give --year for a {kind} import")
    unit = given("unit")
    unit = "kr" if unit is None else unit
    if unit not in UNIT_SCALE:
        raise InvalidInputError(f"unit must be kr, tkr or mkr, got {unit!r}")
    spec = ImportSpec(
        kind=kind,
        year=year,
        month=None if month_text is None else YearMonth.parse(month_text),
        unit=_unit(unit),
        columns=Columns(**{role: given(f"{role}_col") for role in ROLES}),
        create_lines=request.create_lines or bool(mapped.get("create_lines")),
        parent=given("parent"),
        reason=given("reason"),
        duplicates=request.duplicates,  # type: ignore[arg-type]
    )
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        raise RefusedError(f"{name}: the file is empty: nothing is imported")
    table = read_table(data, name, given("delimiter"), given("sheet"))
    if not len(table.rows):
        raise RefusedError(f"{name}: no rows, only a header: nothing is imported")
    return ImportPlan(spec, table, name, data)


def _kind_and_file(request: ImportRequest, mapped: dict[str, Any]) -> tuple[Any, Path]:
    """The kind, said as a word before or after the file, by --kind, or in the mapping
    file (more than once is fine, two different kinds are not), and the one file."""
    files = list(request.args)
    word = None
    if len(files) == 2 and files[0].lower() in KINDS:
        word = files.pop(0)
    elif len(files) == 2 and files[1].lower() in KINDS:
        word = files.pop(1)
    if len(files) != 1:
        raise InvalidInputError("give one FILE (and the kind: budget, forecast, actual or lines)")
    said = {KINDS.get(k.lower(), k) for k in (word, request.kind, mapped.get("kind"))
            if k is not None}
    if len(said) > 1:
        raise InvalidInputError(f"two kinds given: {' and '.join(sorted(said))}")
    kind = next(iter(said), None)
    if kind is None or kind.lower() not in KINDS:
        raise InvalidInputError("give --kind budget, forecast, actual or lines")
    return KINDS[kind.lower()], Path(files[0])


def _unit(text: str) -> Unit:
    return text  # type: ignore[return-value]  # checked against UNIT_SCALE


def read_mapping(path: Path | None) -> dict[str, Any]:
    """A small mapping file (JSON or TOML) with the same keys as the options, each checked:
    a misspelt key or a value of the wrong type is refused, never ignored."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise InvalidInputError(f"mapping file {path}: {e}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"mapping file {path}: expected an object of options")

    def refuse(problem: str) -> InvalidInputError:
        return InvalidInputError(f"mapping file {path}: {problem}")

    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name == "columns":
            if not isinstance(value, dict):
                raise refuse(f"columns must be a table of {', '.join(ROLES)}")
            for role, column in value.items():
                if role not in ROLES:
                    raise refuse(f"unknown column role {role!r} (roles: {', '.join(ROLES)})")
                flat[f"{role}_col"] = _column(column, f"columns.{role}", refuse)
        elif name.endswith("_col") and name[:-4] in ROLES:
            flat[name] = _column(value, key, refuse)
        elif name in TEXT_KEYS:
            if not isinstance(value, str):
                raise refuse(f"{key} must be text, got {value!r}")
            flat[name] = value
        elif name == "year":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise refuse(f"year must be a number, got {value!r}")
            flat[name] = value
        elif name == "create_lines":
            if not isinstance(value, bool):
                raise refuse(f"create_lines must be true or false, got {value!r}")
            flat[name] = value
        else:
            known = ", ".join((*TEXT_KEYS, *(f"{r}_col" for r in ROLES), "year",
                               "create_lines", "columns"))
            raise refuse(f"unknown key {key!r} (keys: {known})")
    return flat


def _column(value: Any, key: str, refuse: Callable[[str], InvalidInputError]) -> str:
    """A column by header name, or by number from 1 (as --line-col and friends take it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return str(value)
    if isinstance(value, str):
        return value
    raise refuse(f"{key} must be a column name or number, got {value!r}")

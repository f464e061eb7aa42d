"""`prognos import` and `prognos source`: files in, and exactly those files back out."""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from prognos.cli.context import open_ledger, open_store, print_json
from prognos.cli.options import Json, UnitChoice, month, year

Col = Optional[str]


# What a mapping file may hold: the options by name, and a `columns` table by role.
_ROLES = ("line", "amount", "name", "parent", "month", "ref")
_TEXT_KEYS = ("kind", "as_of", "period", "effective", "month", "unit", "delimiter", "sheet",
              "parent", "reason")


def _mapping(path: Path | None) -> dict[str, Any]:
    """A small mapping file (JSON or TOML) with the same keys as the options, each checked:
    a misspelt key or a value of the wrong type is refused, never ignored."""
    from prognos.events.errors import InvalidInputError

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
                raise refuse(f"columns must be a table of {', '.join(_ROLES)}")
            for role, column in value.items():
                if role not in _ROLES:
                    raise refuse(f"unknown column role {role!r} (roles: {', '.join(_ROLES)})")
                flat[f"{role}_col"] = _column(column, f"columns.{role}", refuse)
        elif name.endswith("_col") and name[:-4] in _ROLES:
            flat[name] = _column(value, key, refuse)
        elif name in _TEXT_KEYS:
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
            known = ", ".join((*_TEXT_KEYS, *(f"{r}_col" for r in _ROLES), "year",
                               "create_lines", "columns"))
            raise refuse(f"unknown key {key!r} (keys: {known})")
    return flat


def _column(value: Any, key: str, refuse: Any) -> str:
    """A column by header name, or by number from 1 (as --line-col and friends take it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return str(value)
    if isinstance(value, str):
        return value
    raise refuse(f"{key} must be a column name or number, got {value!r}")


def import_file(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(metavar="[KIND] FILE", help="budget|forecast|actual|lines, and the file."),
    ],
    kind: Annotated[
        Optional[str],
        typer.Option("--kind", "--type", help="budget, forecast, actual or lines (the tree)."),
    ] = None,
    year_: Annotated[Optional[int], typer.Option("--year", help="Budget year.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Forecast month.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Actuals month.")] = None,
    effective: Annotated[Optional[str], typer.Option("--effective", help="Budget month.")] = None,
    unit: Annotated[Optional[UnitChoice], typer.Option("--unit", help="Unit of bare numbers.")] = None,
    delimiter: Annotated[Optional[str], typer.Option("--delimiter", help="; , or tab.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="xlsx sheet name.")] = None,
    line_col: Annotated[Col, typer.Option("--line-col", help="Column of line codes.")] = None,
    amount_col: Annotated[Col, typer.Option("--amount-col", help="Column of amounts.")] = None,
    name_col: Annotated[Col, typer.Option("--name-col", help="Column of line names.")] = None,
    parent_col: Annotated[Col, typer.Option("--parent-col", help="Column of parents.")] = None,
    month_col: Annotated[Col, typer.Option("--month-col", help="Column of months.")] = None,
    ref_col: Annotated[Col, typer.Option("--ref-col", help="Column of references.")] = None,
    mapping: Annotated[
        Optional[Path], typer.Option("--mapping", help="JSON/TOML file with these options.")
    ] = None,
    create_lines: Annotated[
        bool, typer.Option("--create-lines", help="Create unknown lines under --parent.")
    ] = False,
    parent: Annotated[Optional[str], typer.Option("--parent", help="Parent of new lines.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (recorded).")] = None,
    as_json: Json = False,
) -> None:
    """Import budgets, forecasts, actuals or lines from CSV or xlsx: the whole file or nothing."""
    from rich.progress import Progress

    from prognos.cli.console import console as make_console
    from prognos.events.errors import InvalidInputError
    from prognos.domain.importing.decider import SourceFile
    from prognos.domain.importing.rows import KINDS, Columns, ImportSpec, column_names, read_rows
    from prognos.domain.tables import read_table

    m = _mapping(mapping)
    files = list(args)
    word = None  # the kind as a word before or after the file
    if len(files) == 2 and files[0].lower() in KINDS:
        word = files.pop(0)
    elif len(files) == 2 and files[1].lower() in KINDS:
        word = files.pop(1)
    if len(files) != 1:
        raise InvalidInputError("give one FILE (and the kind: budget, forecast, actual or lines)")
    # The kind may be said more than once (a word, --kind, the mapping file), never two ways.
    said = {KINDS.get(k.lower(), k) for k in (word, kind, m.get("kind")) if k is not None}
    if len(said) > 1:
        raise InvalidInputError(f"two kinds given: {' and '.join(sorted(said))}")
    kind = next(iter(said), None)
    if kind is None or kind.lower() not in KINDS:
        raise InvalidInputError("give --kind budget, forecast, actual or lines")
    spec_kind = KINDS[kind.lower()]
    for option, key, value, applies_to in (
        ("--effective", "effective", effective, "budget"),
        ("--as-of", "as_of", as_of, "forecast"),
        ("--period", "period", period, "actual"),
    ):
        if spec_kind != applies_to and (value is not None or m.get(key) is not None):
            given = option if value is not None else f"{key} (in the mapping file)"
            raise InvalidInputError(f"{given} is for a {applies_to} import, not a {spec_kind} import")
    path = Path(files[0])
    # A file name in another encoding than UTF-8 (legal on Linux) is kept as readable text.
    name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e.strerror}") from None

    def pick(value: Any, key: str) -> Any:
        return value if value is not None else m.get(key)

    the_year = pick(year_, "year")
    the_year = None if the_year is None else year(the_year)
    month_text = {
        "budget": pick(effective, "effective"),
        "forecast": pick(as_of, "as_of"),
        "actual": pick(period, "period"),
        "lines": None,
    }[spec_kind] or m.get("month")
    if spec_kind in ("budget", "forecast") and the_year is None:
        raise InvalidInputError(f"give --year for a {spec_kind} import")
    unit_value = unit.value if unit is not None else m.get("unit", "kr")
    if unit_value not in ("kr", "tkr", "mkr"):
        raise InvalidInputError(f"unit must be kr, tkr or mkr, got {unit_value!r}")
    spec = ImportSpec(
        kind=spec_kind,
        year=the_year,
        month=month(month_text),
        unit=unit_value,
        columns=Columns(
            line=pick(line_col, "line_col"),
            amount=pick(amount_col, "amount_col"),
            name=pick(name_col, "name_col"),
            parent=pick(parent_col, "parent_col"),
            month=pick(month_col, "month_col"),
            ref=pick(ref_col, "ref_col"),
        ),
        create_lines=create_lines or bool(m.get("create_lines")),
        parent=pick(parent, "parent"),
        reason=pick(reason, "reason"),
    )
    table = read_table(data, name, pick(delimiter, "delimiter"), pick(sheet, "sheet"))
    ledger = open_ledger(ctx)
    console = make_console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        # Rows are read, decided and written as the import consumes them.
        task = progress.add_task(f"importing {name}", total=len(table.rows))
        rows = read_rows(table, spec, lambda n: progress.advance(task, n))
        source = SourceFile(
            name, hashlib.sha256(data).hexdigest(), data, len(table.rows),
            column_names(table, spec),
        )
        result = ledger.import_rows(rows, spec, source)
    summary = {
        "sha256": result.sha256,
        "rows": result.rows,
        "events_recorded": result.events_recorded,
        "first_position": result.first_position,
        "last_position": result.last_position,
        "already_imported": result.already_imported,
    }
    if as_json:
        print_json(summary)
    elif result.already_imported:
        typer.echo(f"{name} (sha256 {result.sha256}) was already imported: nothing added")
    else:
        typer.echo(
            f"imported {name}: {result.rows} rows, {result.events_recorded} events at positions "
            f"{summary['first_position']}-{summary['last_position']} (sha256 {result.sha256})"
        )
        if result.skipped:
            typer.echo(f"{result.skipped} rows with a zero amount booked nothing")


def source(
    ctx: typer.Context,
    sha256: Annotated[str, typer.Argument(
        metavar="SHA256", help="The full SHA-256 an import reported.")],
) -> None:
    """Write an imported file's exact bytes to stdout."""
    from prognos.events.errors import RefusedError

    found = open_store(ctx).source(sha256.strip().lower())
    if found is None:
        raise RefusedError(f"no imported file with sha256 {sha256}")
    out = sys.stdout.buffer
    out.write(found[1])
    out.flush()

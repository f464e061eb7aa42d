"""`prognos import` and `prognos source`: files in, and exactly those files back out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from prognos.cli.context import open_ledger, open_store, print_json
from prognos.cli.options import Json, Lang, LangChoice, RequestId, UnitChoice, Wait
from prognos.cli.texts import texts

Col = Optional[str]


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
    skip_booked: Annotated[bool, typer.Option(
        "--skip-booked", help="Book only the rows an earlier file has not booked; list the rest.",
    )] = False,
    allow_duplicates: Annotated[bool, typer.Option(
        "--allow-duplicates", help="Book rows an earlier file booked (same line, month, amount "
        "and reference) again.",
    )] = False,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Import budgets, forecasts, actuals or lines from CSV or xlsx: the whole file or nothing."""
    from prognos.cli.console import progress_bar
    from prognos.cli.render import import_json, import_text
    from prognos.domain.importing.options import ImportRequest, plan_import
    from prognos.events.errors import InvalidInputError

    if skip_booked and allow_duplicates:
        raise InvalidInputError("give --skip-booked or --allow-duplicates, not both")

    plan = plan_import(ImportRequest(
        tuple(args), kind, year_, as_of, period, effective, None if unit is None else unit.value,
        delimiter, sheet, line_col, amount_col, name_col, parent_col, month_col, ref_col,
        mapping, create_lines, parent, reason,
        duplicates="allow" if allow_duplicates else "skip" if skip_booked else "refuse",
    ))
    t = texts(lang)
    ledger = open_ledger(ctx, wait=wait, request_id=request_id)
    with progress_bar(t("importing", name=plan.name), len(plan.table.rows)) as advance:
        result = ledger.import_file(plan, advance)
    if as_json:
        print_json(import_json(result))
    else:
        typer.echo(import_text(plan.name, result, t))


def source(
    ctx: typer.Context,
    sha256: Annotated[str, typer.Argument(
        metavar="SHA256", help="The full SHA-256 an import reported.")],
) -> None:
    """Write an imported file's exact bytes to stdout."""
    from prognos.events.errors import RefusedError

    found = open_store(ctx, create=False).source(sha256.strip().lower())
    if found is None:
        raise RefusedError(f"no imported file with sha256 {sha256}")
    out = sys.stdout.buffer
    out.write(found[1])
    out.flush()

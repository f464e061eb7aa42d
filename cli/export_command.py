"""`prognos export`: the report as a file to open and forward (xlsx, CSV or JSON)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from prognos.cli.options import Lang, LangChoice, UnitChoice, Year, instant, month, year
from prognos.cli.read_commands import KnownAt


class FormatChoice(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


def export(
    ctx: typer.Context,
    year_: Year,
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM: figures through this month.")],
    out: Annotated[Path, typer.Option(
        "-o", "--output", help="The file to write; its suffix names the format.")],
    known_at: KnownAt = None,
    unit: Annotated[UnitChoice, typer.Option(
        "--unit", help="The unit shown (xlsx: by number format; the cells hold kronor).")
    ] = UnitChoice.kr,
    fmt: Annotated[Optional[FormatChoice], typer.Option(
        "--format", help="xlsx, csv or json, when the file's suffix says nothing.")] = None,
    delimiter: Annotated[str, typer.Option("--delimiter", help="CSV: between fields.")] = ";",
    decimal: Annotated[str, typer.Option("--decimal", help="CSV: the decimal mark.")] = ",",
    lang: Lang = LangChoice.sv,
) -> None:
    """Write the report for a year as of a month to a file: .xlsx (with the history of its
    lines, its notes and what it was made from), .csv or .json."""
    from prognos.cli.context import open_reader, settings
    from prognos.cli.files.whole import written_whole
    from prognos.cli.texts import texts
    from prognos.domain import rules
    from prognos.events.errors import InvalidInputError

    chosen = _format(out, fmt)
    if len(delimiter) != 1 or len(decimal) != 1 or delimiter == decimal:
        raise InvalidInputError("--delimiter and --decimal must be one character each, and "
                                f"not the same (got {delimiter!r} and {decimal!r})")
    if out.is_dir():
        raise InvalidInputError(f"-o {out} is a folder: give a file name")
    the_year = year(year_)
    as_of_month = rules.month_in_year(month(as_of), the_year, "--as-of")
    t = texts(lang)
    store = open_reader(ctx)
    with written_whole(out) as partial:
        lines = _write(chosen, str(partial), store, the_year, as_of_month, instant(known_at),
                       unit.value, t, settings(ctx).store, delimiter, decimal)
    typer.echo(t("exported", year=the_year, as_of=as_of_month, path=out, lines=lines))


def _format(out: Path, fmt: FormatChoice | None) -> str:
    from prognos.events.errors import InvalidInputError

    suffix = out.suffix.lower().lstrip(".")
    named = suffix if suffix in FormatChoice.__members__ else None
    if fmt is not None and named is not None and fmt.value != named:
        raise InvalidInputError(f"--format {fmt.value} but {out.name} names {named}")
    if fmt is None and named is None:
        raise InvalidInputError(f"{out.name}: give a file ending in .xlsx, .csv or .json, "
                                "or --format")
    return fmt.value if fmt is not None else named  # type: ignore[return-value]


def _write(chosen: str, path: str, store: Any, the_year: int, as_of: Any, known_at: Any,
           unit: str, t: Any, location: str, delimiter: str, decimal: str) -> int:
    from datetime import datetime, timezone
    from importlib.metadata import version

    from prognos.cli.console import progress_bar
    from prognos.projections.reports.export import export as gather
    from prognos.projections.store import shown_location

    with gather(store, the_year, as_of, known_at) as found:
        if chosen == "json":
            from prognos.cli.render import report_json_text

            Path(path).write_bytes(report_json_text(found.report, False))
            return len(found.report.rows)
        if chosen == "csv":
            from prognos.cli.files.delimited import write_csv

            return write_csv(path, found.report, unit, t, delimiter, decimal)
        from prognos.cli.files.sheet import Made
        from prognos.cli.files.xlsx import write_xlsx

        from prognos.domain.clock import format_instant

        shown_known = None if known_at is None else format_instant(known_at)
        made = Made(the_year, str(as_of), shown_known, shown_location(location),
                    version("prognos"), datetime.now(timezone.utc), unit)
        with progress_bar(t("exporting"), total=None) as advance:  # the history: not counted
            return write_xlsx(path, found, made, t, advance)

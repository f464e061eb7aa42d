"""`prognos chart`: a line's full-year forecast month by month against its budget and its
actual to date, or (`--bridge`) its forecast bridge as a waterfall, as PNG or SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from prognos.cli.options import Lang, LangChoice, Year, instant, month, year
from prognos.cli.read_commands import KnownAt

FORMATS = ("svg", "png")


def chart(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="A line or roll-up.")],
    year_: Year,
    out: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="FILE.svg (reasons on hover) or FILE.png; "
        "default CODE-YEAR.svg in the working folder.")] = None,
    as_bridge: Annotated[bool, typer.Option(
        "--bridge", help="The forecast bridge from --from to --to as a waterfall.")] = False,
    from_: Annotated[Optional[str], typer.Option("--from", help="YYYY-MM (with --bridge).")
                     ] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="YYYY-MM (with --bridge).")] = None,
    known_at: KnownAt = None,
    lang: Lang = LangChoice.sv,
) -> None:
    """Draw a line's year: its forecast against its budget and actual, or its bridge."""
    from prognos.cli.context import open_reader
    from prognos.cli.texts import texts
    from prognos.events.errors import InvalidInputError

    the_year = year(year_)
    if as_bridge and (from_ is None or to is None):
        raise InvalidInputError("--bridge needs --from and --to")
    if not as_bridge and (from_ is not None or to is not None):
        raise InvalidInputError("--from and --to go with --bridge")
    path = out or Path(f"{code}-{the_year}{'-bridge' if as_bridge else ''}.svg")
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInputError(f"{path.name}: a chart is written as .svg or .png")
    if path.is_dir():
        raise InvalidInputError(f"-o {path} is a folder: give a file name")
    t = texts(lang)
    store = open_reader(ctx)
    from prognos.cli.files import charts
    from prognos.cli.files.whole import written_whole

    if as_bridge:
        from prognos.projections.reports.bridge import bridge

        found = bridge(store, code, the_year, month(from_), month(to), instant(known_at))
        figure, hover = charts.draw_waterfall(charts.waterfall(found, t), t)
    else:
        from prognos.projections.reports.series import series

        line = series(store, code, the_year, instant(known_at))
        figure, hover = charts.draw_forecast(charts.forecast_chart(line, t), t)
    with written_whole(path) as partial:
        charts.save(figure, hover, str(partial), fmt)
    typer.echo(t("charted", path=path))

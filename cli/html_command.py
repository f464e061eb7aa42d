"""`prognos html`: the report as one self-contained HTML file for an auditor's browser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from prognos.cli.options import Lang, LangChoice, UnitChoice, Year, instant, month, year
from prognos.cli.read_commands import KnownAt

CHARTED = 6  # top-level lines drawn (each: its forecast, and its bridge up to the month)


def html(
    ctx: typer.Context,
    year_: Year,
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM: figures through this month.")],
    out: Annotated[Path, typer.Option("-o", "--output", help="The .html file to write.")],
    known_at: KnownAt = None,
    unit: Annotated[UnitChoice, typer.Option("--unit", help="Unit of the tree's figures.")
                    ] = UnitChoice.kr,
    lang: Lang = LangChoice.sv,
) -> None:
    """Write the report for a year as of a month as one HTML file that opens offline: the
    tree, each line's history, forecast bridge and notes, charts, the ledger's check and
    head seal, and what the file was made from."""
    from datetime import datetime, timezone
    from importlib.metadata import version

    from prognos.cli.context import open_reader, open_store, settings
    from prognos.cli.files.page import write_html
    from prognos.cli.files.sheet import Made
    from prognos.cli.files.whole import written_whole
    from prognos.cli.texts import texts
    from prognos.domain import rules
    from prognos.domain.clock import format_instant
    from prognos.events.errors import InvalidInputError
    from prognos.projections.reports.audit import audit
    from prognos.projections.reports.check import run_checks
    from prognos.projections.store import shown_location

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(f"{out.name}: the report is written as .html")
    if out.is_dir():
        raise InvalidInputError(f"-o {out} is a folder: give a file name")
    the_year = year(year_)
    as_of_month = rules.month_in_year(month(as_of), the_year, "--as-of")
    moment = instant(known_at)
    t = texts(lang)
    store = open_reader(ctx)
    checks = run_checks(open_store(ctx, catch_up=False, create=False))  # the views as they are
    made = Made(the_year, str(as_of_month), None if moment is None else format_instant(moment),
                shown_location(settings(ctx).store), version("prognos"),
                datetime.now(timezone.utc), unit.value)
    charts = _charts(store, the_year, as_of_month, moment, t)
    with written_whole(out) as partial, audit(store, the_year, as_of_month, moment) as found:
        with open(partial, "w", encoding="utf-8") as page:
            lines = write_html(page, found, made, checks, charts, t)
    typer.echo(t("htmled", path=out, lines=lines))


def _charts(store: Any, the_year: int, as_of: Any, moment: Any,
            t: Any) -> list[tuple[str, str]]:
    """The first top-level lines' forecast month by month and bridge up to the month, as
    inline SVG with their captions."""
    from prognos.cli.files import charts
    from prognos.events.period import YearMonth
    from prognos.projections.reports.bridge import bridge
    from prognos.projections.reports.rollup import lines
    from prognos.projections.reports.series import series

    with store.snapshot() as snap:
        tops = sorted((line for line in lines(snap, snap.cutoff(moment))
                       if line.parent is None), key=lambda line: line.position)
    codes = [line.code for line in tops][:CHARTED]
    drawn = []
    for code in codes:
        chart = charts.forecast_chart(series(store, code, the_year, moment), t)
        figure, hover = charts.draw_forecast(chart, t)
        drawn.append((chart.title, charts.svg(figure, hover)))
        steps = charts.waterfall(bridge(store, code, the_year, YearMonth(the_year, 1), as_of,
                                        moment), t)
        figure, hover = charts.draw_waterfall(steps, t)
        drawn.append((steps.title, charts.svg(figure, hover)))
    return drawn

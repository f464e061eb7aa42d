"""Read commands: report, history, why, check, and rebuilding the views."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from prognos.cli.context import open_reader, open_store, print_json
from prognos.cli.options import Json, UnitChoice, Year, instant, month, year

TABLE_LIMIT = 2000

KnownAt = Annotated[
    Optional[str],
    typer.Option("--known-at", help="ISO 8601 with offset: the ledger as known at that moment."),
]


def _console():  # type: ignore[no-untyped-def]
    from prognos.cli.console import console

    return console()


def report(
    ctx: typer.Context,
    year_: Year,
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM: figures through this month.")],
    known_at: KnownAt = None,
    unit: Annotated[UnitChoice, typer.Option("--unit", help="Unit of the table.")] = UnitChoice.kr,
    as_json: Json = False,
) -> None:
    """Budget, forecast and actuals of every line for a year as of a month."""
    from prognos.cli.render import report_json_text, report_table
    from prognos.domain import rules
    from prognos.projections.reports.report import report as build

    as_of_month = rules.month_in_year(month(as_of), year(year_), "--as-of")
    rep = build(open_reader(ctx), year_, as_of_month, instant(known_at))
    if as_json:
        sys.stdout.buffer.write(report_json_text(rep))
        sys.stdout.flush()
    else:
        _console().print(report_table(rep, unit.value))


def history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Line code (a roll-up shows its subtree).")],
    year_: Annotated[Optional[int], typer.Option("--year", help="Only this year.")] = None,
    as_json: Json = False,
) -> None:
    """Every event touching a line, in recording order, with its audit fields."""
    from itertools import islice

    from prognos.cli.render import history_lines, history_table, write_json_list
    from prognos.projections.reports.history import iter_history

    events = iter_history(open_reader(ctx), code, None if year_ is None else year(year_))
    # Read ahead: an unknown line is refused before anything is printed, and a
    # short history gets a table while a long one (a whole roll-up) streams.
    head = list(islice(events, TABLE_LIMIT))
    if as_json:
        write_json_list(sys.stdout.buffer, {"code": code}, "events", head, events)
    elif len(head) < TABLE_LIMIT:
        _console().print(history_table(code, head))
    else:
        for text in history_lines(head, events):
            sys.stdout.write(text)


def why(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Line code (roll-ups too).")],
    year_: Year,
    from_: Annotated[str, typer.Option("--from", help="YYYY-MM: the earlier forecast.")],
    to: Annotated[str, typer.Option("--to", help="YYYY-MM: the later forecast.")],
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """The forecast bridge: each step between the forecast as of FROM and as of TO."""
    from prognos.cli.render import bridge_json, bridge_table
    from prognos.projections.reports.bridge import bridge

    result = bridge(
        open_reader(ctx), code, year(year_), month(from_), month(to), instant(known_at)
    )
    if as_json:
        print_json(bridge_json(result))
    else:
        _console().print(bridge_table(result))


def check(ctx: typer.Context, as_json: Json = False) -> None:
    """Verify the store: views equal a fresh replay, totals reconcile, links hold."""
    from prognos.projections.reports.check import run_checks

    checks = run_checks(open_store(ctx, catch_up=False))  # see the views as they are
    ok = all(c.ok for c in checks)
    if as_json:
        print_json({"ok": ok, "checks": [c._asdict() for c in checks]})
    else:
        for c in checks:
            typer.echo(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    raise typer.Exit(0 if ok else 1)


def rebuild(ctx: typer.Context, as_json: Json = False) -> None:
    """Drop every view and rebuild it from the event log."""
    from rich.progress import Progress

    store = open_store(ctx, catch_up=False)  # it rebuilds anyway
    total = store.max_position()
    with Progress(transient=True, disable=as_json) as progress:
        task = progress.add_task("rebuilding views", total=total)
        count = store.rebuild(lambda n: progress.advance(task, n))
    if as_json:
        print_json({"events": count})
    else:
        typer.echo(f"rebuilt the views from {count} events")


def init(ctx: typer.Context, as_json: Json = False) -> None:
    """Create the store if it does not exist (any command does so on first use)."""
    store = open_store(ctx)
    if as_json:
        print_json({"store": store.path, "events": store.max_position()})
        return
    typer.echo(f"store {store.path} ready, {store.max_position()} events")

"""The `prognos` command line: global options, and every command group joined."""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated, Optional

import typer

from prognos.cli import (
    chart_command, copy_commands, demo, export_command, html_command, import_commands,
    ledger_commands, read_commands, reconcile_command,
)
from prognos.cli.app import new_app
from prognos.cli.context import DEFAULT_STORE, Settings

app = new_app("prognos: an event-sourced forecasting ledger for budget follow-up.")


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import version

        typer.echo(f"prognos {version('prognos')}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    store: Annotated[
        str, typer.Option(
            "--store", envvar="PROGNOS_STORE",
            help="Store: a SQLite file, or postgresql://USER@HOST:PORT/DB[?schema=NAME].",
        )
    ] = DEFAULT_STORE,
    user: Annotated[
        Optional[str],
        typer.Option("--user", envvar="PROGNOS_USER", help="Who records (default: login name)."),
    ] = None,
    wait: Annotated[
        Optional[float], typer.Option(
            "--wait", envvar="PROGNOS_WAIT", metavar="SECONDS", min=0,
            help="How long a write waits for another to finish (default 60).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Print prognos's version and exit.")
    ] = False,
) -> None:
    ctx.obj = Settings(store=store, user=user, wait=wait)


app.add_typer(ledger_commands.line_app, name="line")
app.add_typer(ledger_commands.budget_app, name="budget")
app.add_typer(ledger_commands.forecast_app, name="forecast")
app.add_typer(ledger_commands.actual_app, name="actual")
app.add_typer(ledger_commands.period_app, name="period")
app.add_typer(ledger_commands.note_app, name="note")
ledger_commands.note_app.command("list")(read_commands.note_list)
for command in (read_commands.report, read_commands.history, read_commands.why,
                read_commands.check, read_commands.rebuild, read_commands.init):
    app.command()(command)
app.command("import")(import_commands.import_file)
app.command("source")(import_commands.source)
app.command("demo")(demo.demo)
app.command("reconcile")(reconcile_command.reconcile)
app.command("export")(export_command.export)
app.command("chart")(chart_command.chart)
app.command("html")(html_command.html)
app.command("backup")(copy_commands.backup)
app.command("copy")(copy_commands.copy)


def main() -> None:
    """The console script. A command is a short-lived process that makes few reference
    cycles, so the cyclic garbage collector only costs time (noticeably with 50,000
    report lines), and so does tearing down every object at exit: both are skipped
    once the output is flushed. (Tests call `app` in-process and keep both.)"""
    gc.disable()
    try:
        app()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            sys.stderr.write(f"{e.code}\n")
    except BrokenPipeError:  # `prognos report --json | head`: the reader left
        os._exit(1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)

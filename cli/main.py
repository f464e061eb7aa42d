"""The `prognos` command line: global options, and every command group joined."""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated, Optional

import typer

from prognos.cli import demo
from prognos.cli import import_commands as imp
from prognos.cli import ledger_commands as w
from prognos.cli import read_commands as r
from prognos.cli import reconcile_command as rc
from prognos.cli.app import new_app
from prognos.cli.context import DEFAULT_STORE, Settings

app = new_app("prognos: an event-sourced forecasting ledger for budget follow-up.")


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
) -> None:
    ctx.obj = Settings(store=store, user=user)


app.add_typer(w.line_app, name="line")
app.add_typer(w.budget_app, name="budget")
app.add_typer(w.forecast_app, name="forecast")
app.add_typer(w.actual_app, name="actual")
app.add_typer(w.period_app, name="period")
app.add_typer(w.note_app, name="note")
for command in (r.report, r.history, r.why, r.check, r.rebuild, r.init):
    app.command()(command)
app.command("import")(imp.import_file)
app.command("source")(imp.source)
app.command("demo")(demo.demo)
app.command("reconcile")(rc.reconcile)


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

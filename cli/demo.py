"""`prognos demo`: the city's interim report as a ledger, its tables rebuilt, its figures audited."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prognos.cli.context import print_json
from prognos.cli.options import Json

if TYPE_CHECKING:
    from prognos.projections.demo.run import Demo

DEFAULT_OUT = "prognos-demo.db"


def demo(
    out: Annotated[
        Path, typer.Option(
            "--out", help="Demo store, a SQLite file replaced on each run (never --store)."
        )
    ] = Path(DEFAULT_OUT),
    as_json: Json = False,
) -> None:
    """Build a ledger from the seed report, reproduce its tables and reconcile its figures."""
    from prognos.projections.demo.run import run_demo

    result = run_demo(out, seed_dir())
    if as_json:
        print_json({"store": os.fspath(out), "tables": result.tables,
                    **result.findings.as_json()})
        return
    _show(result)


def seed_dir() -> Path:
    """The report's tables, transcribed, shipped with prognos (see seed/README.md)."""
    return Path(str(files("prognos.cli") / "seed"))


def _show(demo: Demo) -> None:
    from rich.markup import escape
    from rich.table import Table

    from prognos.cli.console import console as make_console
    from prognos.cli.render import findings_table

    console = make_console()
    where = escape(str(demo.store))  # a path is the user's text, not markup
    console.print(
        f"[bold]prognos demo[/bold]: the interim report of August 2024 as a ledger of "
        f"{demo.events} events in [cyan]{where}[/cyan] ({demo.notes} written explanations as "
        "notes).\n"
        "Tables reproduced from the ledger, in the report's own units and sign conventions "
        "(1.3 and 1.4 print deviations as budget minus outcome/forecast):"
    )
    for table in demo.tables.values():
        view = Table(title=f"{table['title']} ({table['unit']}, as of {table['as_of']})")
        view.add_column("", overflow="fold")
        for column in table["columns"]:
            view.add_column(column, justify="right", no_wrap=True)
        for row in table["rows"]:
            label = row["row"]
            style = "bold" if label.startswith("Summa") else None
            view.add_row(label, *(row[c] for c in table["columns"]), style=style)
        console.print(view)
    report = findings_table(demo.findings, "Reconciliation of the published figures")
    console.print(report)
    store = f"--store {where}"
    console.print(
        "\nTry next:\n"
        f"  prognos {store} report --year 2024 --as-of 2024-08 --unit tkr\n"
        f"  prognos {store} history fi-digital-infrastruktur\n"
        f"  prognos {store} why bastjanster --year 2024 --from 2024-01 --to 2024-05"
    )

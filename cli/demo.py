"""`prognos demo`: the city's interim report as a ledger, its tables rebuilt, its figures audited."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from prognos.cli.context import print_json
from prognos.cli.options import Json

DEFAULT_OUT = "prognos-demo.db"
DEMO_USER = "demo"


def demo(
    out: Annotated[
        Path, typer.Option(
            "--out", help="Demo store, a SQLite file replaced on each run (never --store)."
        )
    ] = Path(DEFAULT_OUT),
    as_json: Json = False,
) -> None:
    """Build a ledger from the seed report, reproduce its tables and reconcile its figures."""
    from prognos.projections.demo.seed_ledger import build, reproduce, seed_dir
    from prognos.domain.application import Ledger
    from prognos.domain.reconcile.printed import reconcile
    from prognos.domain.reconcile.spec import load_spec
    from prognos.projections.store.sqlite import SQLiteStore

    _make_room(out)
    store = SQLiteStore(out)
    try:
        seed = build(Ledger(store, DEMO_USER))
        tables = reproduce(store, seed)
        events = store.max_position()
    finally:
        store.close()
    printed, cross = load_spec(seed_dir() / "reconcile.toml")
    findings = reconcile(printed, cross)
    if as_json:
        print_json({"store": os.fspath(out), "tables": tables, **findings.as_json()})
        return
    _show(out, tables, findings, events, seed.notes)


def _show(out: Path, tables: dict[str, Any], findings: Any, events: int, notes: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    from prognos.cli.console import console as make_console
    from prognos.cli.render import findings_table

    console = make_console()
    where = escape(str(out))  # a path is the user's text, not markup
    console.print(
        f"[bold]prognos demo[/bold]: the interim report of August 2024 as a ledger of "
        f"{events} events in [cyan]{where}[/cyan] ({notes} written explanations as notes).\n"
        "Tables reproduced from the ledger, in the report's own units and sign conventions "
        "(1.3 and 1.4 print deviations as budget minus outcome/forecast):"
    )
    for table in tables.values():
        view = Table(title=f"{table['title']} ({table['unit']}, as of {table['as_of']})")
        view.add_column("", overflow="fold")
        for column in table["columns"]:
            view.add_column(column, justify="right", no_wrap=True)
        for row in table["rows"]:
            label = row["row"]
            style = "bold" if label.startswith("Summa") else None
            view.add_row(label, *(row[c] for c in table["columns"]), style=style)
        console.print(view)
    report = findings_table(findings, "Reconciliation of the published figures")
    console.print(report)
    store = f"--store {where}"
    console.print(
        "\nTry next:\n"
        f"  prognos {store} report --year 2024 --as-of 2024-08 --unit tkr\n"
        f"  prognos {store} history fi-digital-infrastruktur\n"
        f"  prognos {store} why bastjanster --year 2024 --from 2024-01 --to 2024-05"
    )



def _make_room(out: Path) -> None:
    """Remove the previous demo store, and refuse to remove anything else."""
    import sqlite3
    from urllib.parse import quote

    from prognos.projections.demo.seed_ledger import REPORT
    from prognos.events.errors import InvalidInputError, RefusedError

    if out.parts and out.parts[0] in ("postgresql:", "postgres:"):
        raise InvalidInputError(
            "--out names a file, not a PostgreSQL URL: the demo store is a SQLite file"
        )
    if out.is_dir():
        raise RefusedError(f"--out {out} is a folder: give a file name")
    if out.exists():
        try:
            uri = f"file:{quote(os.fsencode(os.path.abspath(out)))}?mode=ro"  # ? and # too
            with sqlite3.connect(uri, uri=True) as con:
                con.execute("SELECT 1 FROM prognos_entries LIMIT 1")  # a prognos store
                # A demo store: events, all by the demo's user, some citing the report.
                # (An empty store, or one whose user happens to be called "demo", is not.)
                events, others, citing = con.execute(
                    "SELECT COUNT(*), "
                    "SUM(json_extract(CAST(state AS TEXT), '$.user') != ?), "
                    "SUM(instr(CAST(state AS TEXT), ?) > 0) FROM stored_events",
                    (DEMO_USER, REPORT),
                ).fetchone()
            demo = events > 0 and others == 0 and citing > 0
        except sqlite3.Error:
            demo = False
        if not demo:
            raise RefusedError(f"--out {out} exists and is not a demo store: not replacing it")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)

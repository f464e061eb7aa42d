"""`prognos demo`: the city's interim report as a ledger, its tables rebuilt, its figures audited."""

from __future__ import annotations

import os
import shlex
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prognos.cli.context import print_json
from prognos.cli.options import Json, Lang, LangChoice

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.projections.demo.run import Demo

DEFAULT_OUT = "prognos-demo.db"


def demo(
    out: Annotated[
        Path, typer.Option(
            "--out", help="Demo store, a SQLite file replaced on each run (never --store)."
        )
    ] = Path(DEFAULT_OUT),
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Build a ledger from the seed report, find what is wrong in its published figures,
    and reproduce its tables."""
    from prognos.cli.texts import texts
    from prognos.projections.demo.run import run_demo

    result = run_demo(out, seed_dir())
    if as_json:
        print_json({"store": os.fspath(out), "tables": result.tables,
                    **result.findings.as_json()})
        return
    _show(result, texts(lang))


def seed_dir() -> Path:
    """The report's tables, transcribed, shipped with prognos (see seed/README.md)."""
    return Path(str(files("prognos.cli") / "seed"))


def _show(demo: Demo, t: Texts) -> None:
    """What is wrong in the published report first, then its tables as the ledger
    reproduces them, in the report's own notation."""
    from prognos.cli.console import console as make_console
    from prognos.cli.findings import findings_lines
    from prognos.cli.tables import text

    console = make_console()
    console.print(text(t("demo.intro", events=demo.events, store=demo.store, notes=demo.notes)))
    console.print()
    for shown in findings_lines(demo.findings, t, console.width, rounding=False):
        console.print(shown)
    console.print()
    console.print(text(t("demo.tables")))
    for table_id, table in demo.tables.items():
        printed = demo.findings.tables.get(table_id)
        signs = "; ".join(f"{t.column(d.column)} = {t.column(d.plus)} − {t.column(d.minus)}"
                          for d in (printed.deviations if printed else ()))
        console.print()
        console.print(text(t("demo.table", title=table["title"], unit=table["unit"],
                             as_of=table["as_of"], signs=signs), "bold"))
        console.print(reproduced_table(table, t, console.width))
    store = f"--store {shlex.quote(str(demo.store))}"
    console.print()
    console.print(text(t("demo.next")))
    for command in (f"prognos {store} report --year 2024 --as-of 2024-08 --unit tkr",
                    f"prognos {store} history fi-digital-infrastruktur",
                    f"prognos {store} why bastjanster --year 2024 --from 2024-01 --to 2024-05"):
        console.print(text(shell_lines(command, console.width)))


def shell_lines(command: str, width: int) -> str:
    """A command to copy, indented, continued with ` \\` before an option (and its
    value) that would not fit the terminal: a wrapped line would not paste as one."""
    chunks: list[str] = []
    for word in command.split(" "):
        if word.startswith("--") or not chunks:
            chunks.append(word)
        else:
            chunks[-1] += " " + word
    lines = ["  " + chunks[0]]
    for chunk in chunks[1:]:
        if len(lines[-1]) + 1 + len(chunk) + 2 > width:  # room for " \\" after it
            lines[-1] += " \\"
            lines.append("    " + chunk)
        else:
            lines[-1] += " " + chunk
    return "\n".join(lines)


def reproduced_table(table: dict[str, Any], t: Texts, width: int) -> Any:
    """A reproduced table with Swedish headers and figures in the report's notation
    (`51,3`, `5 272 847`)."""
    from decimal import Decimal

    from prognos.cli.tables import headers_that_fit, layout, text

    view = layout(None)  # its title is printed above, as wide as the terminal
    view.add_column("", overflow="fold")
    figures = [[t.figure(Decimal(row[c])) for c in table["columns"]] for row in table["rows"]]
    headers = [t.column(column).capitalize() for column in table["columns"]]
    for header in headers_that_fit(headers, figures, width):
        view.add_column(header, justify="right", no_wrap=True)
    for row, shown in zip(table["rows"], figures):
        label = row["row"]
        view.add_row(text(label, "bold" if label.startswith("Summa") else ""), *shown)
    return view

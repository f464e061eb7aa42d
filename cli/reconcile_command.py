"""`prognos reconcile`: audit a published report's figures against each other."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from prognos.cli.context import print_json
from prognos.cli.options import Json, Lang, LangChoice


Opt = Optional[str]


def reconcile(
    spec: Annotated[
        Path,
        typer.Argument(
            help="A TOML/JSON spec of tables and how they relate, or one table's CSV "
            "described by the options below."
        ),
    ],
    unit: Annotated[Opt, typer.Option("--unit", help="CSV: kr, tkr or mkr.")] = None,
    precision: Annotated[Opt, typer.Option("--precision", help="CSV: e.g. 1 or 0.1.")] = None,
    totals: Annotated[Opt, typer.Option("--totals", help="CSV of the printed total rows.")] = None,
    label: Annotated[Opt, typer.Option("--label-col", help="Column of row labels.")] = None,
    group: Annotated[Opt, typer.Option("--group-col", help="Column a total covers by.")] = None,
    total_label: Annotated[
        Opt, typer.Option("--total-label-col", help="Label column of the totals CSV.")
    ] = None,
    deviation: Annotated[
        Optional[list[str]],
        typer.Option("--deviation", help="'dev = a - b', as printed (repeat for more)."),
    ] = None,
    periodisation: Annotated[
        Optional[list[str]],
        typer.Option("--periodisation", help="'ytd = annual * 8/12' (repeat for more)."),
    ] = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """List every printed figure that does not follow from the others, grouped by cause
    and largest first, then the rounding differences (exit 1 if any discrepancy)."""
    from prognos.domain.reconcile.printed import reconcile as run
    from prognos.domain.reconcile.spec import load

    tables, cross = load(spec, {
        "unit": unit, "precision": precision, "totals_file": totals, "label": label,
        "group": group, "total_label": total_label, "deviations": deviation or [],
        "periodisations": periodisation or [],
    })
    findings = run(tables, cross)
    if as_json:
        print_json(findings.as_json())
    else:
        from prognos.cli.console import console
        from prognos.cli.findings import findings_lines
        from prognos.cli.texts import texts

        out = console()
        for shown in findings_lines(findings, texts(lang), out.width, rounding=True):
            out.print(shown)
    raise typer.Exit(1 if findings.discrepancies else 0)

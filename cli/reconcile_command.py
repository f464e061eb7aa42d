"""`prognos reconcile`: audit a published report's figures against each other."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prognos.cli.context import print_json
from prognos.cli.options import Json


def reconcile(
    spec: Annotated[
        Path, typer.Argument(help="TOML/JSON spec naming the tables (CSV), units and conventions.")
    ],
    as_json: Json = False,
) -> None:
    """List every printed figure that does not follow from the others (exit 1 if any)."""
    from prognos.projections.reconcile import reconcile as run
    from prognos.projections.reconcile_spec import load_spec

    tables, cross = load_spec(spec)
    findings = run(tables, cross)
    if as_json:
        print_json(findings.as_json())
    else:
        from rich.table import Table

        from prognos.cli.console import console

        view = Table(title=f"{len(findings.discrepancies)} discrepancies, "
                     f"{len(findings.rounding)} rounding differences")
        for header in ("", "table", "row", "column", "printed", "computed", "difference", "rule"):
            figure = header in ("printed", "computed", "difference")
            view.add_column(header, justify="right" if figure else "left", no_wrap=figure)
        for kind, items in (("DISCREPANCY", findings.discrepancies), ("rounding", findings.rounding)):
            for f in items:
                j = f.as_json()
                view.add_row(kind, j["table"], j["row"], j["column"], j["printed"], j["computed"],
                             j["difference"], j["rule"])
        console().print(view)
    raise typer.Exit(1 if findings.discrepancies else 0)

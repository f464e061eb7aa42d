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
        from prognos.cli.console import console
        from prognos.cli.render import findings_table

        console().print(findings_table(findings, "Reconciliation"))
    raise typer.Exit(1 if findings.discrepancies else 0)

"""Option types shared by the commands, and the parsing of their text."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
Year = Annotated[int, typer.Option("--year", help="The budget year, e.g. 2024.")]
Reason = Annotated[str, typer.Option("--reason", help="Why: recorded with the event.")]


class UnitChoice(str, Enum):
    kr = "kr"
    tkr = "tkr"
    mkr = "mkr"


def amount(text: str) -> Any:
    from prognos.domain.money import parse_amount

    return parse_amount(text)


def month(text: str | None) -> Any:
    from prognos.events.period import YearMonth

    return None if text is None else YearMonth.parse(text)


def instant(text: str | None) -> Any:
    from prognos.domain.clock import parse_instant

    return None if text is None else parse_instant(text)


def year(value: int) -> int:
    from prognos.events.period import parse_year

    return parse_year(value)

"""Option types shared by the commands, and the parsing of their text."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Optional

import typer

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


class LangChoice(str, Enum):
    sv = "sv"
    en = "en"


Lang = Annotated[LangChoice, typer.Option(
    "--lang", envvar="PROGNOS_LANG", case_sensitive=False,
    help="What is printed, in sv (Swedish) or en (English); JSON is the same in both.")]


class SignChoice(str, Enum):
    forecast_minus_budget = "forecast-minus-budget"
    budget_minus_forecast = "budget-minus-forecast"


Sign = Annotated[SignChoice, typer.Option(
    "--sign", help="How a deviation is shown: forecast-minus-budget (the default) or "
    "budget-minus-forecast (as tables 1.3 and 1.4 of the city's report print it).")]
Notes = Annotated[Optional[bool], typer.Option(
    "--notes/--no-notes",
    help="The notes of the months shown, after the table (the default) or in the JSON.")]
Year = Annotated[int, typer.Option("--year", help="The budget year, e.g. 2024.")]
RequestId = Annotated[Optional[str], typer.Option(
    "--request-id", metavar="ID",
    help="Up to 64 characters naming this request: sent again, it records nothing and prints "
    "the first answer.")]
Wait = Annotated[Optional[float], typer.Option(
    "--wait", metavar="SECONDS", min=0,
    help="How long to wait for another write to finish (default 60, or PROGNOS_WAIT).")]
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

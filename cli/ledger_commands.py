"""Write commands: lines, budgets, forecasts, actuals, closings and notes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from prognos.cli.app import sub_app
from prognos.cli.context import open_ledger, open_store, print_recorded
from prognos.cli.options import (
    Json, Lang, LangChoice, Reason, RequestId, Wait, Year, amount, month, year,
)

line_app = sub_app("Add lines to the tree of services and projects.")
budget_app = sub_app("Set and transfer annual budgets.")
forecast_app = sub_app("Revise full-year forecasts.")
actual_app = sub_app("Book and reverse actual outcomes.")
period_app = sub_app("Close months for booking.")
note_app = sub_app("Write explanations of deviations.")

Amount = Annotated[str, typer.Argument(
    metavar="AMOUNT", help="Kronor, e.g. 1236897, '1 236 897', '51,3 mkr', -1500.")]
# A negative amount is typed as it is written (-1500): an argument that looks like an
# option it does not know is taken as it stands, where the AMOUNT goes.
AMOUNT_AS_TYPED = {"ignore_unknown_options": True}
Code = Annotated[str, typer.Argument(metavar="CODE", help="Line code.")]


@line_app.command("add")
def line_add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    parent: Annotated[Optional[str], typer.Option("--parent", help="Parent line code.")] = None,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Add a line, at the top or under a parent."""
    ledger = open_ledger(ctx, wait=wait, request_id=request_id)
    print_recorded(ledger.add_line(code, name, parent), as_json, lang)


@budget_app.command("set", context_settings=AMOUNT_AS_TYPED)
def budget_set(
    ctx: typer.Context,
    code: Code,
    value: Amount,
    year_: Year,
    reason: Reason,
    effective: Annotated[
        Optional[str], typer.Option("--effective", help="YYYY-MM, default January.")
    ] = None,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Make AMOUNT the line's annual budget from month --effective on."""
    events = open_ledger(ctx, wait=wait, request_id=request_id).set_budget(
        code, amount(value), year(year_), reason, effective=month(effective)
    )
    print_recorded(events, as_json, lang)


@budget_app.command("transfer", context_settings=AMOUNT_AS_TYPED)
def budget_transfer(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FROM", help="Line giving budget.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Line receiving budget.")],
    value: Amount,
    year_: Year,
    reason: Reason,
    effective: Annotated[
        Optional[str], typer.Option("--effective", help="YYYY-MM, default January.")
    ] = None,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Move AMOUNT of budget from one leaf to another, atomically."""
    events = open_ledger(ctx, wait=wait, request_id=request_id).transfer_budget(
        source, target, amount(value), year(year_), reason, effective=month(effective)
    )
    print_recorded(events, as_json, lang)


@forecast_app.command("set", context_settings=AMOUNT_AS_TYPED)
def forecast_set(
    ctx: typer.Context,
    code: Code,
    value: Amount,
    year_: Year,
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM the forecast was made.")],
    reason: Reason,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Record the full-year forecast as made in month --as-of."""
    events = open_ledger(ctx, wait=wait, request_id=request_id).revise_forecast(
        code, amount(value), year(year_), month(as_of), reason
    )
    print_recorded(events, as_json, lang)


@actual_app.command("book", context_settings=AMOUNT_AS_TYPED)
def actual_book(
    ctx: typer.Context,
    code: Code,
    value: Amount,
    period: Annotated[str, typer.Option("--period", help="YYYY-MM of the outcome.")],
    ref: Annotated[Optional[str], typer.Option("--ref", help="Voucher or reference.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why.")] = None,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Book an outcome for a month (credits are negative, e.g. -1500)."""
    ledger = open_ledger(ctx, wait=wait, request_id=request_id)
    events = ledger.book_actual(code, amount(value), month(period), ref, reason)
    print_recorded(events, as_json, lang)


@actual_app.command("reverse")
def actual_reverse(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(
        metavar="EVENT_ID",
        help="The booking: its event id, or its position in the log as #N (`history`).")],
    reason: Reason,
    period: Annotated[
        Optional[str], typer.Option("--period", help="YYYY-MM, default the booking's.")
    ] = None,
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Book the exact opposite of a booking, linked to it."""
    ledger = open_ledger(ctx, wait=wait, request_id=request_id)
    print_recorded(ledger.reverse_actual(event_id, reason, month(period)), as_json, lang)


@period_app.command("close")
def period_close(
    ctx: typer.Context,
    through: Annotated[str, typer.Argument(metavar="YYYY-MM", help="Last month to close.")],
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Close a month and every month before it; print the head it leaves (keep it: `check
    --expect-head` shows later that nothing before it changed)."""
    store = open_store(ctx, wait=wait)
    events = open_ledger(ctx, store, request_id=request_id).close_period(month(through))
    # The head the close left (for a request sent again, the one its first answer left).
    print_recorded(events, as_json, lang, head=store.head(events[-1].position or 0))


@note_app.command("add")
def note_add(
    ctx: typer.Context,
    code: Code,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The explanation.")],
    year_: Year,
    period: Annotated[str, typer.Option("--period", help="YYYY-MM it explains.")],
    request_id: RequestId = None,
    wait: Wait = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Record a written explanation of a deviation."""
    ledger = open_ledger(ctx, wait=wait, request_id=request_id)
    print_recorded(ledger.add_note(code, text, year(year_), month(period)), as_json,
                   lang)

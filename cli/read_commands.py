"""Read commands: report, history, why, check, and rebuilding the views."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from prognos.cli.context import open_reader, open_store, print_json
from prognos.cli.options import (
    Json, Lang, LangChoice, Notes, Sign, SignChoice, UnitChoice, Year, instant, month, year,
)
from prognos.cli.texts import texts

TABLE_LIMIT = 2000

KnownAt = Annotated[
    Optional[str],
    typer.Option("--known-at", help="ISO 8601 with offset: the ledger as known at that moment."),
]


def _console():  # type: ignore[no-untyped-def]
    from prognos.cli.console import console

    return console()


def report(
    ctx: typer.Context,
    year_: Year,
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM: figures through this month.")],
    known_at: KnownAt = None,
    unit: Annotated[UnitChoice, typer.Option("--unit", help="Unit of the table.")] = UnitChoice.kr,
    sign: Sign = SignChoice.forecast_minus_budget,
    notes: Notes = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Budget, forecast and actuals of every line for a year as of a month."""
    from prognos.cli.render import report_json_text
    from prognos.cli.tables import SIGN_OF, notes_lines, report_table
    from prognos.domain import rules
    from prognos.projections.reports.report import report as build

    as_of_month = rules.month_in_year(month(as_of), year(year_), "--as-of")
    with_notes = notes if notes is not None else not as_json
    rep = build(open_reader(ctx), year_, as_of_month, instant(known_at), with_notes)
    if as_json:
        sys.stdout.buffer.write(report_json_text(rep, with_notes))
        sys.stdout.flush()
    else:
        t = texts(lang)
        out = _console()
        out.print(report_table(rep, unit.value, t, SIGN_OF[sign.value], rep.notes, out.width))
        for line in notes_lines(rep.notes, t):
            out.print(line)


def history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Line code (a roll-up shows its subtree).")],
    year_: Annotated[Optional[int], typer.Option("--year", help="Only this year.")] = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Every event touching a line, in recording order, with its audit fields."""
    from itertools import islice

    from prognos.cli.render import history_lines, write_json_list
    from prognos.cli.tables import history_table
    from prognos.projections.reports.history import iter_history

    events = iter_history(open_reader(ctx), code, None if year_ is None else year(year_))
    # Read ahead: an unknown line is refused before anything is printed, and a
    # short history gets a table while a long one (a whole roll-up) streams.
    head = list(islice(events, TABLE_LIMIT))
    if as_json:
        write_json_list(sys.stdout.buffer, {"code": code}, "events", head, events)
    elif len(head) < TABLE_LIMIT:
        _console().print(history_table(code, head, texts(lang)))
    else:
        for text in history_lines(texts(lang), head, events):
            sys.stdout.write(text)


def why(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Line code (roll-ups too).")],
    year_: Year,
    from_: Annotated[str, typer.Option("--from", help="YYYY-MM: the earlier forecast.")],
    to: Annotated[str, typer.Option("--to", help="YYYY-MM: the later forecast.")],
    known_at: KnownAt = None,
    notes: Notes = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """The forecast bridge: each step between the forecast as of FROM and as of TO."""
    from prognos.cli.render import bridge_json
    from prognos.cli.tables import bridge_table, notes_lines
    from prognos.projections.reports.bridge import bridge

    with_notes = notes if notes is not None else not as_json
    result = bridge(
        open_reader(ctx), code, year(year_), month(from_), month(to), instant(known_at),
        with_notes,
    )
    if as_json:
        print_json(bridge_json(result, with_notes))
    else:
        t = texts(lang)
        _console().print(bridge_table(result, t))
        for line in notes_lines(result.notes, t):
            _console().print(line)


def note_list(
    ctx: typer.Context,
    code: Annotated[Optional[str], typer.Argument(
        metavar="[CODE]", help="A line (and the lines below it); every line if left out.")] = None,
    year_: Year = ...,  # type: ignore[assignment]
    period: Annotated[Optional[str], typer.Option("--period", help="YYYY-MM: only this month.")] = None,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """The written explanations of a year (of a line and its subtree), in recording order."""
    from prognos.cli.tables import notes_table
    from prognos.domain import rules
    from prognos.projections.reports.notes import notes

    the_year = year(year_)
    the_month = None if period is None else rules.month_in_year(month(period), the_year,
                                                                 "--period")
    found = notes(open_reader(ctx), the_year, code, the_month, the_month)
    if as_json:
        print_json({"year": the_year, "period": period and str(the_month), "code": code,
                    "notes": [note.as_json() for note in found]})
        return
    t = texts(lang)
    title = t("notes.list.title", year=the_year, period=f", {the_month}" if the_month else "",
              code=f", {code}" if code else "")
    _console().print(notes_table(found, title, t))


def check(
    ctx: typer.Context,
    expect_head: Annotated[Optional[str], typer.Option(
        "--expect-head", metavar="SEAL@POSITION",
        help="A head kept earlier (as check prints it): fail unless the log still extends it.",
    )] = None,
    head_only: Annotated[bool, typer.Option(
        "--head-only", help="Print the head (SEAL@POSITION) without the other checks.",
    )] = False,
    as_json: Json = False,
    lang: Lang = LangChoice.sv,
) -> None:
    """Verify the store: views equal a fresh replay, totals reconcile, links hold, the
    log obeys its rules and its seals."""
    from prognos.projections.reports.check import kept_head, run_checks

    kept = None if expect_head is None else head_option(expect_head)
    store = open_store(ctx, catch_up=False, create=False)  # views as they are
    checks = [] if head_only else run_checks(store)
    if kept is not None:
        checks.append(kept_head(store, *kept))
    head = store.head()
    shown = None if head is None else f"{head[1]}@{head[0]}"
    ok = all(c.ok for c in checks)
    if as_json:
        document: dict[str, object] = {"ok": ok, "head": shown}
        if not head_only:
            document["checks"] = [{"name": c.name, "ok": c.ok, "detail": c.detail}
                                  for c in checks if c.name != "expected_head"]
        if kept is not None:
            found = checks[-1]
            document["expected_head"] = {"head": f"{kept[0]}@{kept[1]}", **dict(found.values),
                                         "ok": found.ok, "detail": found.detail}
        print_json(document)
    else:
        t = texts(lang)
        for c in checks:
            typer.echo(f"{t('check.ok') if c.ok else t('check.fail')} {c.name}: {t.check(c)}")
        if head_only and not checks:
            typer.echo(shown or t("check.no_head"))
        else:
            typer.echo(t("check.head", head=shown or t("check.no_head")))
    raise typer.Exit(0 if ok else 1)


def head_option(text: str) -> tuple[str, int]:
    """--expect-head SEAL@POSITION: 64 hexadecimal digits, @, a position (usage error else)."""
    import re

    from prognos.events.errors import InvalidInputError

    found = re.fullmatch(r"\s*([0-9a-fA-F]{64})@#?([0-9]{1,18})\s*", text)
    if found is None:
        raise InvalidInputError(
            f"--expect-head must be SEAL@POSITION as check prints it (64 hexadecimal digits, "
            f"@, a position), not {text!r}")
    return found.group(1).lower(), int(found.group(2))


def rebuild(ctx: typer.Context, as_json: Json = False, lang: Lang = LangChoice.sv) -> None:
    """Drop every view and rebuild it from the event log."""
    from prognos.cli.console import progress_bar

    t = texts(lang)
    store = open_store(ctx, catch_up=False, create=False)  # it rebuilds anyway
    with progress_bar(t("rebuilding"), store.max_position()) as advance:  # on stderr
        count = store.rebuild(advance)
    if as_json:
        print_json({"events": count})
    else:
        typer.echo(t("rebuilt", count=count))


def init(ctx: typer.Context, as_json: Json = False, lang: Lang = LangChoice.sv) -> None:
    """Create the store if it does not exist (a command that records does so too)."""
    store = open_store(ctx)
    if as_json:
        print_json({"store": store.path, "events": store.max_position()})
        return
    typer.echo(texts(lang)("init", store=store.path, events=store.max_position()))

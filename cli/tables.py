"""The read commands' tables, as a controller reads them: Swedish labels and notation by
default (`texts`), and laid out for a terminal of 80 columns or more. Amounts, headers and
references (`#N`, vouchers) never wrap or shorten; names and free text do.

The tables have no vertical rules and one space between columns: at 80 columns a report
in kronor has six amounts of up to eleven characters beside its names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prognos.domain.clock import format_instant
from prognos.domain.money import Unit
from prognos.projections.reports.figures import Sign, deviation

if TYPE_CHECKING:
    from rich.table import Table

    from prognos.cli.texts import Texts
    from prognos.projections.reports.bridge import Bridge
    from prognos.projections.reports.notes import Note
    from prognos.projections.reports.rollup import Report

SIGN_KEY = {Sign.FIGURE_MINUS_BUDGET: "report.sign.own", Sign.BUDGET_MINUS_FIGURE:
            "report.sign.published"}
SIGN_OF = {"forecast-minus-budget": Sign.FIGURE_MINUS_BUDGET,
           "budget-minus-forecast": Sign.BUDGET_MINUS_FIGURE}  # as `--sign` says it


def text(value: Any, style: str = "") -> Any:
    """What a user wrote (a name, a reason, a label), shown exactly: as a rich `Text`,
    never read as markup or emoji codes ("Kostnader [/]" would be a markup error)."""
    from rich.text import Text

    return Text("" if value is None else str(value), style=style)


# Rules under the header and above a total, none between columns (a space divides them).
_RULES = "    \n    \n ── \n    \n ── \n ── \n    \n    \n"


def layout(title: str | None) -> Table:
    """A table as every view draws it: a rule under the header and above a total, none
    between columns, the title (if any) above on the left."""
    from rich.box import Box
    from rich.table import Table

    return Table(title=None if title is None else text(title), box=Box(_RULES),
                 show_edge=False, padding=(0, 0), title_justify="left")


def _amount_column(table: Table, header: str) -> None:
    table.add_column(header, justify="right", no_wrap=True)


def when(recorded_at: str) -> str:
    """A recording time as a table shows it, to the minute in UTC (the position orders
    events; JSON keeps the microseconds)."""
    return recorded_at[:16].replace("T", " ")


def report_table(
    rep: Report, unit: Unit, t: Texts, sign: Sign = Sign.FIGURE_MINUS_BUDGET,
    notes: Sequence[Note] = (), width: int | None = None,
) -> Table:
    """Every line with its six figures; `*` marks a revised forecast and `[n]` a note
    printed below; a line with nothing booked shows no actual (no data is not zero)."""
    known = t("report.known", at=format_instant(rep.known_at)) if rep.known_at else ""
    title = t("report.title", year=rep.year, as_of=rep.as_of, known=known, unit=unit)
    table = layout(f"{title} · {t(SIGN_KEY[sign])}")
    table.add_column(t("report.line"), overflow="fold")
    figures = [_figures(row, unit, t, sign) for row in rep.rows]
    total = _figures(rep.total, unit, t, sign)
    for header in headers_that_fit([t(key) for key in REPORT_HEADERS], [*figures, total], width):
        _amount_column(table, header)
    marks: dict[str, list[int]] = {}
    for i, note in enumerate(notes, start=1):
        marks.setdefault(note.line, []).append(i)
    for row, shown in zip(rep.rows, figures):
        label = "  " * row.depth + row.name
        if row.forecast_revised:
            label += " *"
        if row.code in marks:
            label += " " + "".join(f"[{n}]" for n in marks[row.code])
        table.add_row(text(label, "" if row.is_leaf else "bold"), *shown)
    table.add_section()
    table.add_row(text(t("report.total"), "bold"), *total)
    return table


REPORT_HEADERS = ("report.budget", "report.forecast", "report.deviation", "report.budget_ytd",
                  "report.actual_ytd", "report.deviation_ytd")
# The narrowest a name column is let to get before headers go on two lines instead.
NAME_MIN = 20


def headers_that_fit(headers: Sequence[str], rows: Sequence[Sequence[str]],
                     width: int | None) -> list[str]:
    """The headers of a table's figure columns on one line (`Budget t.o.m.`) where the
    table fits `width` with them and a name column of NAME_MIN, else each broken after
    its first word."""
    def needed(heads: Sequence[str]) -> int:
        return NAME_MIN + sum(
            1 + max(max(len(part) for part in head.split("\n")),
                    max((len(row[i]) for row in rows), default=0))
            for i, head in enumerate(heads))

    if width is None or needed(headers) <= width:
        return list(headers)
    return [head.replace(" ", "\n", 1) for head in headers]


def _figures(row: Any, unit: Unit, t: Texts, sign: Sign) -> list[str]:
    shown = t.amount
    has_actual = getattr(row, "has_actual", True)
    return [
        shown(row.budget, unit),
        shown(row.forecast, unit),
        shown(deviation(row.forecast, row.budget, sign), unit),
        shown(row.budget_ytd, unit),
        shown(row.actual_ytd, unit) if has_actual else "",
        shown(deviation(row.actual_ytd, row.budget_ytd, sign), unit) if has_actual else "",
    ]


def notes_lines(notes: Sequence[Note], t: Texts) -> list[Any]:
    """The notes under a report or a bridge, numbered as their marks."""
    if not notes:
        return []
    shown = [text(t("notes.title"), "bold")]
    for n, note in enumerate(notes, start=1):
        shown.append(text(t("notes.entry", n=n, line=note.line, period=note.period,
                            text=note.text, user=note.user, position=note.position)))
    return shown


def history_table(code: str, events: list[dict[str, Any]], t: Texts) -> Table:
    """Every event of a line, by its position in the log (`#N`, what `actual reverse`
    takes): when and by whom, what, the month, the amount, the voucher, why."""
    table = layout(t("history.title", code=code))
    table.add_column(t("history.position"), justify="right", no_wrap=True)
    table.add_column(f"{t('history.recorded_at')} / {t('history.user')}", min_width=16,
                     overflow="fold")
    table.add_column(t("history.kind"))
    table.add_column(t("history.line"), overflow="fold")
    table.add_column(t("history.month"), no_wrap=True)
    _amount_column(table, t("history.amount"))
    table.add_column(t("history.ref"), overflow="fold")
    table.add_column(t("history.reason"), ratio=1, overflow="fold")
    positions = {e["event_id"]: e["position"] for e in events}
    for e in events:
        note = e.get("text") or e.get("reason") or ""
        for key, field in (("history.reversed_by", "reversed_by"), ("history.reverses",
                                                                    "corrects")):
            other = e.get(field)
            if other:  # in the same history (a reversal is on its booking's line), else its id
                ref = f"#{positions[other]}" if other in positions else other
                note = f"{note} ({t(key, ref=ref)})".strip()
        amount = e["amount"]
        table.add_row(
            f"#{e['position']}",
            text(f"{when(e['recorded_at'])}\n{who(e, t)}"),
            t.kind(e["kind"]), text(e["line"]), e["month"] or "",
            t.amount(_decimal(amount), "kr", decimals=2) if amount is not None else "",
            text(e.get("ref")), text(note),
        )
    return table


def who(entry: dict[str, Any], t: Texts) -> str:
    """The user prognos was told, and the database role that wrote the event where that
    is another name (on PostgreSQL)."""
    role = entry.get("db_role")
    if role is None or role == entry["user"]:
        return str(entry["user"])
    return f"{entry['user']} ({t('history.role')} {role})"


def _decimal(amount: str) -> Any:
    from decimal import Decimal

    return Decimal(amount)


def bridge_table(b: Bridge, t: Texts) -> Table:
    """The steps from one forecast to the next: each with its month, line and kind, the
    forecast before and after, and who, when and why."""
    table = layout(t("why.title", code=b.code, year=b.year, from_month=b.from_month,
                     to_month=b.to_month, before=t.amount(b.from_forecast),
                     after=t.amount(b.to_forecast), change=t.amount(b.change)))
    table.add_column(t("why.month"), no_wrap=True)
    table.add_column(f"{t('why.line')} / {t('why.kind')}", overflow="fold")
    for key in ("why.before", "why.delta", "why.after"):
        _amount_column(table, t(key))
    table.add_column(f"{t('why.user')} / {t('why.reason')}", ratio=1, overflow="fold")
    for s in b.steps:
        table.add_row(
            str(s.month), text(f"{s.line}\n{t.kind(s.kind)}"), t.amount(s.before),
            t.amount(s.delta), t.amount(s.after),
            text(f"{s.user} {when(s.recorded_at)}" + (f"\n{s.reason}" if s.reason else "")),
        )
    return table


def notes_table(found: Sequence[Note], title: str, t: Texts) -> Table:
    table = layout(title)
    table.add_column(t("history.position"), justify="right", no_wrap=True)
    table.add_column(t("notes.month"), no_wrap=True)
    table.add_column(t("notes.line"), overflow="fold")
    table.add_column(t("notes.text"), ratio=1, overflow="fold")
    table.add_column(f"{t('notes.recorded_at')} / {t('notes.user')}", min_width=16,
                     overflow="fold")
    for note in found:
        table.add_row(f"#{note.position}", note.period, text(note.line), text(note.text),
                      text(f"{when(note.recorded_at)}\n{note.user}"))
    return table

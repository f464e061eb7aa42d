"""Reports, bridges and checks as JSON documents and as rich tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from prognos.domain.clock import format_instant
from prognos.domain.money import Unit, format_display, format_json
from prognos.projections.reports.figures import deviation
from prognos.projections.reports.rollup import Report

LINE_AMOUNTS = (
    "budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd", "actual_deviation",
)


def kr(ore: int) -> str:
    """Integer öre as a JSON amount in kronor with two decimals (what format_json gives).
    From 1 kr up the digits only need a point; called six times per report line."""
    if ore >= 100 or ore <= -100:
        digits = str(ore)
        return f"{digits[:-2]}.{digits[-2:]}"
    return f"-0.{-ore:02d}" if ore < 0 else f"0.{ore:02d}"


def _amounts(row: Any) -> dict[str, str]:
    return {
        "budget": kr(row.budget_ore),
        "forecast": kr(row.forecast_ore),
        "forecast_deviation": kr(row.forecast_deviation_ore),
        "budget_ytd": kr(row.budget_ytd_ore),
        "actual_ytd": kr(row.actual_ytd_ore),
        "actual_deviation": kr(row.actual_deviation_ore),
    }


def report_json(rep: Report) -> dict[str, Any]:
    """The report's JSON document as data (parsed from the text the CLI prints)."""
    return orjson.loads(report_json_text(rep))  # type: ignore[no-any-return]


def report_json_text(rep: Report) -> bytes:
    """The report as one JSON document, a report line per text line.

    Written row by row rather than through a list of dicts: at 50,000 lines the
    intermediate objects cost more than the figures themselves.
    """
    text = orjson.dumps
    head = {
        "year": rep.year,
        "as_of": str(rep.as_of),
        "known_at": format_instant(rep.known_at) if rep.known_at else None,
    }
    parts = [text(head)[:-1].decode(), ',\n"lines": [']
    lines = []
    quoted: dict[str | None, str] = {None: "null"}  # parent codes repeat: quote each once
    for row in rep.rows:
        b, f, by, a = row.budget_ore, row.forecast_ore, row.budget_ytd_ore, row.actual_ytd_ore
        parent = quoted.get(row.parent)
        if parent is None:
            parent = quoted[row.parent] = text(row.parent).decode()
        lines.append(
            f'\n{{"code": {text(row.code).decode()}, "name": {text(row.name).decode()}, '
            f'"parent": {parent}, "depth": {row.depth}, '
            f'"is_leaf": {"true" if row.is_leaf else "false"}, "budget": "{kr(b)}", '
            f'"forecast": "{kr(f)}", "forecast_deviation": "{kr(deviation(f, b))}", '
            f'"forecast_revised": {"true" if row.forecast_revised else "false"}, '
            f'"budget_ytd": "{kr(by)}", "actual_ytd": "{kr(a)}", '
            f'"actual_deviation": "{kr(deviation(a, by))}"}}'
        )
    parts.append(",".join(lines))
    parts.append('\n],\n"total": ')
    parts.append(text(_amounts(rep.total)).decode())
    parts.append("}\n")
    return "".join(parts).encode()


def text(value: Any, style: str = "") -> Any:
    """What a user wrote (a name, a reason, a label), shown exactly: as a rich `Text`,
    never read as markup or emoji codes ("Kostnader [/]" would be a markup error)."""
    from rich.text import Text

    return Text("" if value is None else str(value), style=style)


def report_table(rep: Report, unit: Unit) -> Any:
    from rich.table import Table

    known = f", as known at {format_instant(rep.known_at)}" if rep.known_at else ""
    table = Table(title=text(f"{rep.year} as of {rep.as_of}{known} ({unit})"))
    table.add_column("Line", overflow="fold", min_width=18)
    for header in ("Budget", "Forecast", "Dev.", "Budget YTD", "Actual YTD", "Dev. YTD"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Rev.", no_wrap=True)
    for row in rep.rows:
        label = "  " * row.depth + row.name
        table.add_row(
            text(label, "" if row.is_leaf else "bold"),
            *(format_display(getattr(row, f), unit) for f in LINE_AMOUNTS),
            "*" if row.forecast_revised else "",
        )
    table.add_section()
    table.add_row("Total", *(format_display(getattr(rep.total, f), unit) for f in LINE_AMOUNTS), "")
    return table


def bridge_json(b: Any) -> dict[str, Any]:
    return {
        "code": b.code,
        "year": b.year,
        "known_at": format_instant(b.known_at) if b.known_at else None,
        "from": {"as_of": str(b.from_month), "forecast": format_json(b.from_forecast)},
        "to": {"as_of": str(b.to_month), "forecast": format_json(b.to_forecast)},
        "change": format_json(b.change),
        "steps": [
            {
                "event_id": s.event_id,
                "kind": s.kind,
                "line": s.line,
                "month": str(s.month),
                "before": format_json(s.before),
                "after": format_json(s.after),
                "delta": format_json(s.delta),
                "user": s.user,
                "recorded_at": s.recorded_at,
                "reason": s.reason,
            }
            for s in b.steps
        ],
    }


def bridge_table(b: Any) -> Any:
    from rich.table import Table

    table = Table(title=text(
        f"Forecast of {b.code} {b.year}: {b.from_month} -> {b.to_month} "
        f"({format_display(b.from_forecast)} -> {format_display(b.to_forecast)}, "
        f"change {format_display(b.change)} kr)"
    ))
    for header in ("Month", "Line", "Kind", "Before", "Delta", "After", "User", "Recorded at",
                   "Reason"):
        amount = header in ("Before", "Delta", "After")
        table.add_column(header, justify="right" if amount else "left", no_wrap=amount)
    for s in b.steps:
        table.add_row(
            str(s.month), text(s.line), s.kind, format_display(s.before),
            format_display(s.delta), format_display(s.after), text(s.user), s.recorded_at,
            text(s.reason),
        )
    return table


def write_json_list(
    out: Any, head: dict[str, Any], key: str, *parts: Iterable[dict[str, Any]]
) -> None:
    """`{**head, key: [...]}` written item by item, so a list of any length fits in memory."""
    out.write(orjson.dumps(head)[:-1] + b", " + orjson.dumps(key) + b": [")
    first = True
    for items in parts:
        for item in items:
            out.write((b"\n" if first else b",\n") + orjson.dumps(item))
            first = False
    out.write(b"\n]}\n")
    out.flush()


def history_lines(*parts: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A long history as plain columns, one event a line."""
    yield f"{'position':>9}  {'recorded at':32}  {'user':12}  {'kind':18}  {'line':20}  " \
          f"{'month':7}  {'amount':>16}  {'ref':12}  {'event id':36}  reason / text\n"
    for events in parts:
        for e in events:
            note = e.get("text") or e.get("reason") or ""
            yield (f"{e['position']:>9}  {e['recorded_at']:32}  {e['user']:12}  {e['kind']:18}  "
                   f"{e['line'] or '':20}  {e['month'] or '':7}  {e['amount'] or '':>16}  "
                   f"{e.get('ref') or '':12}  {e['event_id']:36}  {note}\n")


def history_table(code: str, events: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=text(f"History of {code}"))
    for header in ("Pos", "Recorded at", "User", "Kind", "Line", "Month", "Amount", "Ref",
                   "Reason / text", "Event id"):
        number = header in ("Pos", "Amount")
        table.add_column(header, justify="right" if number else "left", no_wrap=number)
    for e in events:
        note = e.get("text") or e.get("reason") or ""
        if e.get("reversed_by"):
            note += f" (reversed by {e['reversed_by']})"
        if e.get("corrects"):
            note += f" (reverses {e['corrects']})"
        table.add_row(
            str(e["position"]), e["recorded_at"], text(e["user"]), e["kind"], text(e["line"]),
            e["month"] or "", e["amount"] or "", text(e.get("ref")), text(note), e["event_id"],
        )
    return table


def findings_table(findings: Any, title: str) -> Any:
    """A reconciliation: discrepancies first, then rounding, each with its figures."""
    from rich.table import Table

    table = Table(title=text(f"{title}: {len(findings.discrepancies)} discrepancies, "
                             f"{len(findings.rounding)} rounding differences"))
    for header in ("", "table", "row", "column", "printed", "computed", "difference", "rule"):
        figure = header in ("printed", "computed", "difference")
        table.add_column(header, justify="right" if figure else "left", no_wrap=figure)
    for kind, items in (("DISCREPANCY", findings.discrepancies), ("rounding", findings.rounding)):
        for f in items:
            j = f.as_json()
            table.add_row(
                kind, text(j["table"]), text(j["row"]), text(j["column"]), text(j["printed"]),
                _short(j["computed"]),
                _short(j["difference"]), j["rule"], style="red" if kind != "rounding" else "dim",
            )
    return table


def _short(figure: str) -> str:
    """A computed figure such as 1333.333333333333333333333333, to six decimals for reading
    (the JSON keeps every digit)."""
    whole, dot, decimals = figure.partition(".")
    return f"{whole}.{decimals[:6]}" if dot and len(decimals) > 6 else figure


def import_json(result: Any) -> dict[str, Any]:
    return {
        "sha256": result.sha256,
        "rows": result.rows,
        "events_recorded": result.events_recorded,
        "first_position": result.first_position,
        "last_position": result.last_position,
        "already_imported": result.already_imported,
    }


def import_text(name: str, result: Any) -> str:
    if result.already_imported:
        return f"{name} (sha256 {result.sha256}) was already imported: nothing added"
    text = (f"imported {name}: {result.rows} rows, {result.events_recorded} events at positions "
            f"{result.first_position}-{result.last_position} (sha256 {result.sha256})")
    if result.skipped:
        text += f"\n{result.skipped} rows with a zero amount booked nothing"
    return text

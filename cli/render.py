"""What the commands print besides the read commands' tables (`tables`) and a
reconciliation's findings (`findings`): JSON documents, a long history as plain lines, an
import's summary, what a write command recorded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from prognos.cli.tables import when, who
from prognos.domain.clock import format_instant
from prognos.domain.money import format_json
from prognos.events.kinds import Effect
from prognos.projections.reports.figures import deviation
from prognos.projections.reports.rollup import Report

if TYPE_CHECKING:
    from prognos.cli.texts import Texts

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


def report_json_text(rep: Report, with_notes: bool = False) -> bytes:
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
    if with_notes:  # asked for: a report's JSON is the same with or without a terminal
        parts.append(',\n"notes": ')
        parts.append(text([note.as_json() for note in rep.notes]).decode())
    parts.append("}\n")
    return "".join(parts).encode()


def bridge_json(b: Any, with_notes: bool = False) -> dict[str, Any]:
    document = {
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
    if with_notes:
        document["notes"] = [note.as_json() for note in b.notes]
    return document


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


def history_lines(t: Texts, *parts: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A long history as plain columns, one event a line (a table would hold it all)."""
    yield (f"{t('history.position'):>9}  {t('history.recorded_at'):19}  {t('history.user'):12}  "
           f"{t('history.kind'):18}  {t('history.line'):20}  {t('history.month'):7}  "
           f"{t('history.amount'):>16}  {t('history.ref'):12}  {t('history.reason')}\n")
    for events in parts:
        for e in events:
            note = e.get("text") or e.get("reason") or ""
            amount = e["amount"]
            shown = "" if amount is None else t.amount(Decimal(amount), "kr", decimals=2)
            yield (f"{'#' + str(e['position']):>9}  {when(e['recorded_at']):19}  {who(e, t):12}  "
                   f"{t.kind(e['kind']):18}  {e['line'] or '':20}  {e['month'] or '':7}  "
                   f"{shown:>16}  {e.get('ref') or '':12}  {note}\n")


def import_json(result: Any) -> dict[str, Any]:
    return {
        "sha256": result.sha256,
        "rows": result.rows,
        "events_recorded": result.events_recorded,
        "first_position": result.first_position,
        "last_position": result.last_position,
        "already_imported": result.already_imported,
        "skipped_booked": [
            {"row": r.row, "line": r.line, "month": str(r.month), "amount": format_json(r.amount),
             "ref": r.ref, "booked_in": {"file": r.earlier.file, "sha256": r.earlier.sha256,
                                         "row": r.earlier.row, "position": r.earlier.position}}
            for r in getattr(result, "skipped_booked", ())
        ],
    }


def import_text(name: str, result: Any, t: Texts) -> str:
    if result.already_imported:
        return t("imported.already", name=name, sha256=result.sha256)
    said = t("imported", name=name, rows=result.rows, events=result.events_recorded,
             first=result.first_position, last=result.last_position, sha256=result.sha256)
    if result.skipped:
        said += "\n" + t("imported.skipped", skipped=result.skipped)
    skipped = getattr(result, "skipped_booked", ())
    if skipped:
        said += "\n" + t("imported.skipped_booked", rows=len(skipped))
        for r in skipped:
            said += "\n  " + t("imported.skipped_row", row=r.row, line=r.line, month=r.month,
                               amount=t.amount(r.amount, "kr"), ref=r.ref or "–",
                               file=r.earlier.file, earlier=r.earlier.row,
                               position=r.earlier.position)
    return said


def recorded_lines(events: Any, t: Texts) -> list[str]:
    """What a write command says it recorded: in Swedish, one sentence of what it
    understood (the line, the amount in kronor, the month) and the positions (#N); in
    English, a line per event as before."""
    if not t.swedish:
        return [t("recorded", kind=e.kind, where=f" on {e.line}" if e.line else "",
                  position=e.position, event_id=e.event_id) for e in events]
    if not events:
        return []
    what = SAID[events[0].effect](events, t)
    return [t("recorded", what=what, position=", #".join(str(e.position) for e in events))]


def _line(events: Any, t: Texts) -> str:
    [e] = events
    return f"lagt till raden {e.code} ({e.name})" + (f" under {e.parent}" if e.parent else "")


def _budget(events: Any, t: Texts) -> str:
    [e] = events
    return f"satt budget {t.kronor(e.amount)} på {e.code} för {e.year} från {e.effective}"


def _transfer(events: Any, t: Texts) -> str:
    giver = next(e for e in events if e.amount < 0)
    receiver = next(e for e in events if e.amount > 0)
    return (f"överfört budget {t.kronor(receiver.amount)} från {giver.code} till "
            f"{receiver.code} för {giver.year} från {giver.effective}")


def _forecast(events: Any, t: Texts) -> str:
    [e] = events
    return f"satt prognos {t.kronor(e.amount)} på {e.code} för {e.year} per {e.as_of}"


def _booking(events: Any, t: Texts) -> str:
    [e] = events
    ref = f", ver. {e.ref}" if e.ref else ""
    return f"bokfört utfall {t.kronor(e.amount)} på {e.code} för {e.period}{ref}"


def _reversal(events: Any, t: Texts) -> str:
    [e] = events
    return f"återfört utfall {t.kronor(e.amount)} på {e.code} för {e.period}"


def _note(events: Any, t: Texts) -> str:
    [e] = events
    return f"skrivit kommentar på {e.code} för {e.period}"


def _closing(events: Any, t: Texts) -> str:
    [e] = events
    return f"stängt perioderna t.o.m. {e.through}"


def _source(events: Any, t: Texts) -> str:
    return f"importerat {events[0].name}"


# What each effect is said as (`tests/unit/test_texts.py`: every effect has a sentence).
SAID = {
    Effect.ADDS_LINE: _line, Effect.SETS_BUDGET: _budget, Effect.MOVES_BUDGET: _transfer,
    Effect.REVISES_FORECAST: _forecast, Effect.BOOKS_ACTUAL: _booking,
    Effect.REVERSES_ACTUAL: _reversal, Effect.ADDS_NOTE: _note, Effect.CLOSES_MONTHS: _closing,
    Effect.RECORDS_SOURCE: _source,
}

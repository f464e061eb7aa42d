"""The audit trail of a line: every event touching it (or its subtree), in recording order."""

from __future__ import annotations

from typing import Any

from prognos.domain.errors import UnknownLineError
from prognos.domain.money import format_json, from_ore
from prognos.domain.period import YearMonth
from prognos.projections.report import lines
from prognos.projections.rollup import subtree
from prognos.events.streams import stream_of_line
from prognos.projections.views import ENTRY_COLUMNS, MONTH_FIELD

CHUNK = 500


def history(store: Any, code: str, year: int | None = None) -> list[dict[str, Any]]:
    """Every event of the line's stream (and its subtree's), in recording order.

    A line's events are found through the event store's own index on streams
    (originator id), so the views need no index by line.
    """
    with store.read() as cursor:
        codes = [line.code for line in subtree(lines(cursor), code)]
        if not codes:
            raise UnknownLineError(f"unknown line {code!r}")
        streams = [stream_of_line(c).hex for c in codes]
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS)
        rows = []
        for i in range(0, len(streams), CHUNK):
            chunk = streams[i : i + CHUNK]
            sql = (
                f"SELECT {columns}, r.event_id FROM stored_events s "
                "JOIN prognos_entries e ON e.position = s.rowid "
                "LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
                f"WHERE s.originator_id IN ({', '.join('?' * len(chunk))})"
            )
            params: list[Any] = list(chunk)
            if year is not None:
                sql += " AND e.year = ?"
                params.append(year)
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    rows.sort(key=lambda row: row[0])
    return [entry_json(tuple(row)) for row in rows]


def entry_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """One event as the history shows it: audit fields first, then what happened."""
    e = dict(zip((*ENTRY_COLUMNS, "reversed_by"), row))
    month = YearMonth.from_index(e["month"]) if e["month"] is not None else None
    out: dict[str, Any] = {
        "position": e["position"],
        "event_id": e["event_id"],
        "command_id": e["command_id"],
        "kind": e["kind"],
        "line": e["line"],
        "recorded_at": e["recorded_at"],
        "user": e["user"],
        "reason": e["reason"],
        "year": e["year"],
        "month": str(month) if month else None,
        "amount": format_json(from_ore(e["amount"])) if e["amount"] is not None else None,
        "ref": e["ref"],
        "corrects": e["corrects"],
        "reversed_by": e["reversed_by"],
        "source": (
            {"sha256": e["source_sha256"], "row": e["source_row"]} if e["source_sha256"] else None
        ),
    }
    if e["kind"] in MONTH_FIELD:  # the month under its option's name: effective, as_of, ...
        out[MONTH_FIELD[e["kind"]]] = out["month"]
    if e["kind"] == "line_added":
        out.update(name=e["name"], parent=e["parent"])
    elif e["kind"] == "budget_transferred":
        out.update(counterpart=e["counterpart"], transfer_id=e["transfer_id"])
    elif e["kind"] == "note_added":
        out["text"] = e["text"]
    return out

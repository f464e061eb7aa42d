"""The audit trail of a line: every event touching it (or its subtree), in recording order."""

from __future__ import annotations

from collections.abc import Iterator
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
    """Every event of the line's stream (and its subtree's), in recording order."""
    return list(iter_history(store, code, year))


def iter_history(store: Any, code: str, year: int | None = None) -> Iterator[dict[str, Any]]:
    """The same, one event at a time: the history of a large roll-up is most of the log.

    A few lines' events are found through the event store's own index on streams
    (originator id), so the views need no index by line; a large subtree is read
    by one pass over the views in position order.
    """
    with store.read() as cursor:
        codes = [line.code for line in subtree(lines(cursor), code)]
        if not codes:
            raise UnknownLineError(f"unknown line {code!r}")
        yield from (_by_stream(cursor, codes, year) if len(codes) <= CHUNK else
                    _by_scan(cursor, set(codes), year))


_COLUMNS = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS)
_REVERSED_BY = "LEFT JOIN prognos_entries r ON r.corrects = e.event_id"


def _by_stream(cursor: Any, codes: list[str], year: int | None) -> Iterator[dict[str, Any]]:
    streams = [stream_of_line(c).hex for c in codes]
    sql = (
        f"SELECT {_COLUMNS}, r.event_id FROM stored_events s "
        f"JOIN prognos_entries e ON e.position = s.rowid {_REVERSED_BY} "
        f"WHERE s.originator_id IN ({', '.join('?' * len(streams))})"
    )
    params: list[Any] = list(streams)
    if year is not None:
        sql += " AND e.year = ?"
        params.append(year)
    cursor.execute(sql + " ORDER BY e.position", params)
    for row in cursor:
        yield entry_json(tuple(row))


def _by_scan(cursor: Any, codes: set[str], year: int | None) -> Iterator[dict[str, Any]]:
    sql = f"SELECT {_COLUMNS}, r.event_id FROM prognos_entries e {_REVERSED_BY}"
    params: list[Any] = []
    if year is not None:
        sql += " WHERE e.year = ?"
        params.append(year)
    cursor.execute(sql + " ORDER BY e.position", params)
    line = ENTRY_COLUMNS.index("line")
    for row in cursor:
        if row[line] in codes:
            yield entry_json(tuple(row))


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

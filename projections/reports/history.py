"""The audit trail of a line: every event touching it (or its subtree), in recording order."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from prognos.events.errors import UnknownLineError, UnreadableEventError
from prognos.domain.money import format_json
from prognos.projections.store.log import DAMAGED, states
from prognos.projections.reports.report import lines
from prognos.projections.reports.rollup import subtree
from prognos.projections.store.views import AMOUNT_KINDS, MONTH_FIELD

CHUNK = 500
YEAR_KINDS = (*AMOUNT_KINDS, "note_added")  # the kinds of a line's events that have a year


def history(store: Any, code: str, year: int | None = None) -> list[dict[str, Any]]:
    """Every event of the line's stream (and its subtree's), in recording order."""
    return list(iter_history(store, code, year))


def iter_history(store: Any, code: str, year: int | None = None) -> Iterator[dict[str, Any]]:
    """The same, one event at a time: the history of a large roll-up is most of the log.

    A few lines' events are found by seeking the views' (year, kind, line)
    index once per year, kind and line; a large subtree is read by one pass over
    the views in position order.
    """
    with store.read() as cursor:
        codes = [line.code for line in subtree(lines(cursor), code)]
        if not codes:
            raise UnknownLineError(f"unknown line {code!r}")
        yield from (_by_seek(cursor, codes, year) if len(codes) <= CHUNK else
                    _by_scan(cursor, set(codes), year))


_FROM = "FROM prognos_entries e LEFT JOIN prognos_entries r ON r.corrects = e.event_id "
_ENTRY = "SELECT e.position, e.kind, e.year, r.event_id " + _FROM


def _by_seek(cursor: Any, codes: list[str], year: int | None) -> Iterator[dict[str, Any]]:
    if year is None:
        cursor.execute("SELECT MIN(year), MAX(year) FROM prognos_entries")
        first, last = cursor.fetchone()
        years = [] if first is None else list(range(first, last + 1))
    else:
        years = [year]
    marks = ", ".join("?" * len(codes))
    parts, params = [], []
    if years:  # (PostgreSQL, unlike SQLite, refuses an empty IN list)
        parts.append(
            _ENTRY + f"WHERE e.year IN ({', '.join('?' * len(years))}) "
            f"AND e.kind IN ({', '.join('?' * len(YEAR_KINDS))}) AND e.line IN ({marks})"
        )
        params += [*years, *YEAR_KINDS, *codes]
    if year is None:  # a line's creation belongs to no year
        parts.append(_ENTRY + f"WHERE e.year IS NULL AND e.kind = 'line_added' AND e.line IN ({marks})")
        params += codes
    cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1", params)
    yield from _with_details(cursor, cursor.fetchall())


def _by_scan(cursor: Any, codes: set[str], year: int | None) -> Iterator[dict[str, Any]]:
    sql = "SELECT e.position, e.line, e.kind, e.year, r.event_id " + _FROM
    params: list[Any] = []
    if year is not None:
        sql += " WHERE e.year = ?"
        params.append(year)
    entries = cursor.connection.cursor()  # the log is read through `cursor` meanwhile
    entries.execute(sql + " ORDER BY e.position", params)
    while batch := entries.fetchmany(CHUNK):
        yield from _with_details(cursor, [(r[0], *r[2:]) for r in batch if r[1] in codes])


def _with_details(cursor: Any, rows: list[Any]) -> Iterator[dict[str, Any]]:
    """Entries (position, kind, year, reversed_by) completed from their events in the log."""
    found = states(cursor, [row[0] for row in rows])
    for (position, kind, year, reversed_by), (_, _, state) in zip(rows, found):
        try:
            entry = entry_json(position, kind, year, reversed_by, state)
        except DAMAGED as e:  # a field of the wrong shape in a damaged event row
            raise UnreadableEventError(position, e) from None
        yield entry


def entry_json(
    position: int, kind: str, year: int | None, reversed_by: str | None, e: dict[str, Any]
) -> dict[str, Any]:
    """One event as the history shows it: audit fields first, then what happened."""
    month = e.get(MONTH_FIELD[kind]) if kind in MONTH_FIELD else None
    amount = e.get("amount")
    out: dict[str, Any] = {
        "position": position,
        "event_id": e["event_id"],
        "command_id": e["command_id"],
        "kind": kind,
        "line": e.get("code"),
        "recorded_at": e["recorded_at"],
        "user": e["user"],
        "reason": e.get("reason"),
        "year": year,
        "month": month,
        "amount": format_json(Decimal(amount)) if amount is not None else None,
        "ref": e.get("ref"),
        "corrects": e.get("corrects"),
        "reversed_by": reversed_by,
        "source": e.get("source"),
    }
    if kind in MONTH_FIELD:  # the month under its option's name: effective, as_of, ...
        out[MONTH_FIELD[kind]] = month
    if kind == "line_added":
        out.update(name=e["name"], parent=e["parent"])
    elif kind == "budget_transferred":
        out.update(counterpart=e["counterpart"], transfer_id=e["transfer_id"])
    elif kind == "note_added":
        out["text"] = e["text"]
    return out

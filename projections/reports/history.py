"""The audit trail of a line: every event touching it (or its subtree), in recording order.

An entry shows the audit fields first, then what happened: the kind's month under its
own name (`effective`, `as_of`, ...) and its own fields (a line's name and parent, a
transfer's counterpart, a note's text), all read from the kind's declaration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from prognos.domain.money import format_json
from prognos.domain.state import NO_LIMIT
from prognos.events import kinds
from prognos.events.errors import DAMAGED, UnknownLineError, UnreadableEventError
from prognos.projections.reports.rollup import lines
from prognos.projections.reports.rollup import subtree
from prognos.projections.reports.source import LedgerSource, Snapshot

CHUNK = 500  # entries completed from the log at a time
# What every entry shows, before the kind's own fields.
SHOWN = {"event_id", "command_id", "recorded_at", "user", "request_id", "db_role", "reason",
         "source", "corrects", "code", "year", "amount", "ref"}
_EXTRA = {cls.kind: [f for f in kinds.fields(cls) if f not in SHOWN and f != cls.month_from]
          for cls in kinds.ALL}
_MONTH = {cls.kind: cls.month_from for cls in kinds.ALL}


def history(store: LedgerSource, code: str, year: int | None = None) -> list[dict[str, Any]]:
    """Every event of the line (and its subtree's), in recording order."""
    return list(iter_history(store, code, year))


def iter_history(
    store: LedgerSource, code: str, year: int | None = None
) -> Iterator[dict[str, Any]]:
    """The same, one event at a time: the history of a large roll-up is most of the log."""
    with store.snapshot() as snap:
        codes = [line.code for line in subtree(lines(snap), code)]
        if not codes:
            raise UnknownLineError(f"unknown line {code!r}")
        yield from entries_of(snap, codes, year)


def entries_of(
    snap: Snapshot, codes: Sequence[str], year: int | None, upto: int = NO_LIMIT
) -> Iterator[dict[str, Any]]:
    """The entries of these lines, in recording order, up to position `upto` (an export
    as known at a moment). With a cut-off, `reversed_by` is left out: the views know that
    a booking was reversed, not whether by then."""
    if not codes:
        return  # a ledger with no lines yet (PostgreSQL refuses an empty IN list)
    entries = snap.line_entries(codes, year)
    while chunk := list(islice(entries, CHUNK)):
        chunk = [entry for entry in chunk if entry[0] <= upto]
        if not chunk:
            return  # in position order: nothing later is wanted either
        found = snap.details([entry[0] for entry in chunk])
        for (position, kind, entry_year, reversed_by), (_, _, state) in zip(chunk, found):
            if reversed_by is not None and upto != NO_LIMIT:
                reversed_by = None  # whether it was reversed by then is not known here
            try:
                shown = entry_json(position, kind, entry_year, reversed_by, state)
            except DAMAGED as e:  # a field of the wrong shape in a damaged event row
                raise UnreadableEventError(position, e) from None
            yield shown


def entry_json(
    position: int, kind: str, year: int | None, reversed_by: str | None, e: dict[str, Any]
) -> dict[str, Any]:
    """One event as the history shows it: audit fields first, then what happened."""
    month_field = _MONTH[kind]
    month = e.get(month_field) if month_field is not None else None
    amount = e.get("amount")
    out: dict[str, Any] = {
        "position": position,
        "event_id": e["event_id"],
        "command_id": e["command_id"],
        "kind": kind,
        "line": e.get("code"),
        "recorded_at": e["recorded_at"],
        "user": e["user"],
        "request_id": e.get("request_id"),
        "db_role": e.get("db_role"),
        "reason": e.get("reason"),
        "year": year,
        "month": month,
        "amount": format_json(Decimal(amount)) if amount is not None else None,
        "ref": e.get("ref"),
        "corrects": e.get("corrects"),
        "reversed_by": reversed_by,
        "source": e.get("source"),
    }
    if month_field is not None:  # the month under its option's name: effective, as_of, ...
        out[month_field] = month
    for name in _EXTRA[kind]:
        out[name] = e[name]
    return out

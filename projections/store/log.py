"""The log: eventsourcing's event table, and the one way prognos reads it.

`batches` reads the stored rows in position order, a batch at a time, and `rows_at`
reads the rows at given positions; both are the same SELECT. Everything that reads
stored events goes through them: the views following the log and their rebuild (and its
helper process), the seals, `check`'s replay, and the details that history and the bridge
show, which the views do not keep (who, when, why, the source).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prognos.events.errors import DAMAGED, UnreadableEventError
from prognos.projections.store.dialect import Cursor, log_position

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent

EVENTS_TABLE = "stored_events"  # eventsourcing's
BATCH = 20_000  # rows read at a time in position order
CHUNK = 500  # positions asked for at a time
AUDIT_FIELDS = ("event_id", "command_id", "recorded_at", "user")

StoredRow = tuple[int, str, bytes]  # (position, topic, stored state)


def last_position(cursor: Cursor) -> int:
    """The position of the last event in the log."""
    cursor.execute(f"SELECT COALESCE(MAX({log_position(cursor)}), 0) FROM {EVENTS_TABLE}")
    return int(cursor.fetchone()[0])


def _select(cursor: Cursor, condition: str, params: Iterable[Any]) -> list[StoredRow]:
    """The one SELECT of the event table; `condition` names the position column `{p}`."""
    p = log_position(cursor)
    cursor.execute(
        f"SELECT {p}, topic, state FROM {EVENTS_TABLE} WHERE {condition.format(p=p)}", list(params)
    )
    return cursor.fetchall()


def batches(
    cursor: Cursor, after: int = 0, upto: int | None = None, size: int = BATCH
) -> Iterator[list[StoredRow]]:
    """The rows at positions after..upto (to the end if None), in order, `size` at a time."""
    bound = "" if upto is None else f" AND {{p}} <= {int(upto)}"
    while True:
        rows = _select(cursor, f"{{p}} > ?{bound} ORDER BY {{p}} LIMIT {int(size)}", (after,))
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][0]


def rows_at(cursor: Cursor, positions: Iterable[int]) -> Iterator[StoredRow]:
    """The rows at the given positions, in the order given."""
    wanted = list(positions)
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        found = {row[0]: row for row in
                 _select(cursor, f"{{p}} IN ({', '.join('?' * len(chunk))})", chunk)}
        for position in chunk:
            row = found.get(position)
            if row is None:  # deleted behind prognos's back: its view row outlived it
                raise UnreadableEventError(position, LookupError("it is missing from the log"))
            yield row


def events(cursor: Cursor, after: int = 0, upto: int | None = None) -> Iterator[LedgerEvent]:
    """The events after..upto, validated against their models, a batch at a time; a
    damaged row raises UnreadableEventError naming its position."""
    from prognos.projections.store.mapper import from_stored  # pydantic: only where events are

    for rows in batches(cursor, after, upto):
        for position, topic, state in rows:
            try:
                event = from_stored(topic, state, position)
            except DAMAGED as e:
                raise UnreadableEventError(position, e) from None
            yield event


def states_at(cursor: Cursor, positions: Iterable[int]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(position, kind, stored state) of the events at the given positions, in that order,
    each with its audit fields; a damaged row raises UnreadableEventError."""
    from prognos.projections.store.mapper import decode

    for position, topic, state in rows_at(cursor, positions):
        try:
            cls, data = decode(topic, state)
            missing = [f for f in AUDIT_FIELDS if not isinstance(data.get(f), str)]
            if missing:
                raise ValueError(f"no {missing[0]}")
        except DAMAGED as e:
            raise UnreadableEventError(position, e) from None
        yield position, cls.kind, data

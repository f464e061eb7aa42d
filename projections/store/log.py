"""Events read back from the log by position, for the few views that show every field.

The view tables keep only what is searched, summed or joined on; who, when, why
and the source of an event are read from the event itself, which the log
already stores. Reading goes through the mapper, so old versions are upcast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from prognos.events.errors import LedgerError, UnreadableEventError
from prognos.projections.store.dialect import log_position

EVENTS_TABLE = "stored_events"  # eventsourcing's
CHUNK = 500
# What reading a damaged or foreign event row raises: bad JSON or fields (ValueError,
# pydantic's ValidationError among them), an unknown topic (LookupError), a field or a
# whole state of the wrong type, or a month or amount the domain refuses.
DAMAGED = (ValueError, LookupError, TypeError, AttributeError, ArithmeticError, LedgerError)
AUDIT_FIELDS = ("event_id", "command_id", "recorded_at", "user")


def last_position(cursor: Any) -> int:
    """The position of the last event in the log."""
    cursor.execute(f"SELECT COALESCE(MAX({log_position(cursor)}), 0) FROM {EVENTS_TABLE}")
    return int(cursor.fetchone()[0])


def states(cursor: Any, positions: Iterable[int]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(position, kind, state) of each event at the given positions, in the order given."""
    from prognos.projections.store.mapper import decode  # pydantic models: only when details are shown

    wanted = list(positions)
    column = log_position(cursor)
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        cursor.execute(
            f"SELECT {column}, topic, state FROM {EVENTS_TABLE} "
            f"WHERE {column} IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found = {}
        for position, topic, state in cursor.fetchall():
            try:
                cls, data = decode(topic, state)
                missing = [f for f in AUDIT_FIELDS if not isinstance(data.get(f), str)]
                if missing:
                    raise ValueError(f"no {missing[0]}")
            except DAMAGED as e:
                raise UnreadableEventError(position, e) from None
            found[position] = (cls.kind, data)
        for position in chunk:
            yield (position, *found[position])

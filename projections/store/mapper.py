"""Events in eventsourcing's stored format, and back.

eventsourcing 9.5 has no pydantic mapper, so this is ours: the topic names the event
class, the state is the event's JSON with `class_version`, and the notification id is
the event's global position. Decoding a stored row into its kind and state needs only
the declarations (`events.kinds`), so a rebuild and the history never load pydantic;
`from_stored` validates against the model.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from prognos.events import kinds
from prognos.events.period import YearMonth
from prognos.events.upcasting import upcast
from prognos.projections.store.streams import LEDGER_STREAM

if TYPE_CHECKING:
    from eventsourcing.persistence import StoredEvent

    from prognos.events.ledger import LedgerEvent

# The class path every event was stored under since prognos began: `events.ledger` is
# where the models live, and a topic names a class, never a module that moved.
TOPIC_PREFIX = "prognos.events.ledger:"
_BY_TOPIC: dict[str, type[kinds.Event]] = {TOPIC_PREFIX + c.__name__: c for c in kinds.ALL}
TOPIC_OF_KIND: dict[str, str] = {c.kind: TOPIC_PREFIX + c.__name__ for c in kinds.ALL}


def register_topic(topic: str, cls: type[kinds.Event]) -> None:
    """Keep reading events stored under an old class path after a rename."""
    _BY_TOPIC[topic] = cls


def topic_of(cls: type[kinds.Event]) -> str:
    return TOPIC_PREFIX + cls.__name__


def stream_of(event: LedgerEvent) -> UUID:
    """Every event is in the ledger's one stream (see `store.streams`)."""
    return LEDGER_STREAM


def _plain(value: Any) -> Any:
    """JSON for a field value: the same text pydantic's serialisers produce."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (UUID, Decimal, YearMonth)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if hasattr(type(value), "model_fields"):  # a model in a field (the source of a file row)
        return {k: _plain(v) for k, v in value.__dict__.items()}
    raise TypeError(f"cannot store {type(value).__name__}")


def state_of(event: LedgerEvent) -> dict[str, Any]:
    """The stored form of an event: its fields as JSON values and class_version, never its position.

    This dict is also what the views are fed from, so an event written by a
    command and a row written by a bulk import reach the views the same way.
    Built by hand rather than with `model_dump`, which is several times slower
    for these custom types; a test pins it to pydantic's own serialisation.
    """
    state = {k: _plain(v) for k, v in event.__dict__.items() if k != "position"}
    state["class_version"] = type(event).class_version
    return state


def encode(state: dict[str, Any]) -> bytes:
    # orjson: compact UTF-8 JSON, the same bytes as json.dumps(separators=(",", ":"),
    # ensure_ascii=False), many times faster for a million-event import. Its bytes keep
    # the buffer they were written in (4 to 8 KB for a 450-byte state, measured with
    # orjson 3.13): an import holds a chunk of 20,000 at once, so each is copied to its
    # own size (0.2 µs), which took an M import's peak from 294 MB to ~140 MB.
    return memoryview(orjson.dumps(state)).tobytes()


def stored_state(event: LedgerEvent) -> bytes:
    return encode(state_of(event))


def to_stored(event: LedgerEvent, version: int) -> StoredEvent:
    """The event as eventsourcing stores it; the store uses its position as the version."""
    from eventsourcing.persistence import StoredEvent

    return StoredEvent(
        originator_id=stream_of(event),
        originator_version=version,
        topic=topic_of(type(event)),
        state=stored_state(event),
    )


def decode(topic: str, state: bytes) -> tuple[type[kinds.Event], dict[str, Any]]:
    """The kind and state dict of a stored event, upcast to its kind's current version
    (without `class_version`, and not yet validated)."""
    cls = _BY_TOPIC.get(topic)
    if cls is None:
        raise LookupError(f"unknown event topic {topic!r}")
    data: dict[str, Any] = orjson.loads(state)
    if not isinstance(data, dict):
        raise ValueError(f"a stored state must be a JSON object, not {type(data).__name__}")
    version = data.pop("class_version", 1)
    if version != cls.class_version:
        if not isinstance(version, int) or version > cls.class_version:
            raise LookupError(f"{cls.kind} v{version} was written by a newer prognos")
        data = upcast(cls.kind, version, cls.class_version, data)
    return cls, data


def decode_rows(rows: list[tuple[int, str, bytes]]) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, kind, state) of many stored rows: `decode` in one tight loop, for rebuilds."""
    out = []
    loads, by_topic = orjson.loads, _BY_TOPIC
    for position, topic, state in rows:
        cls = by_topic.get(topic)
        data = loads(state)
        if cls is None or data.pop("class_version", 1) != cls.class_version:
            cls, data = decode(topic, state)  # unknown topics raise, old versions are upcast
        out.append((position, cls.kind, data))
    return out


def from_stored(topic: str, state: bytes, position: int | None) -> LedgerEvent:
    """The event, validated against its model (this loads pydantic)."""
    from prognos.events.ledger import model_of

    cls, data = decode(topic, state)
    data["position"] = position
    return model_of(cls).model_validate(data)

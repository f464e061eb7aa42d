"""The mapping between pydantic events and eventsourcing's stored format.

eventsourcing 9.5 has no pydantic mapper, so this is ours: the topic names the
event class, the state is the event's JSON with `class_version`, and the
notification id becomes the event's global position.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import Notification, StoredEvent

from prognos.events.base import LedgerEvent
from prognos.events.ledger import EVENT_CLASSES
from prognos.events.upcasting import upcast

TOPIC_PREFIX = "prognos.events.ledger:"
_BY_TOPIC: dict[str, type[LedgerEvent]] = {TOPIC_PREFIX + c.__name__: c for c in EVENT_CLASSES}
BY_KIND: dict[str, type[LedgerEvent]] = {c.kind: c for c in EVENT_CLASSES}

LEDGER_STREAM = uuid5(NAMESPACE_URL, "prognos:ledger")


def register_topic(topic: str, cls: type[LedgerEvent]) -> None:
    """Keep reading events stored under an old class path after a rename."""
    _BY_TOPIC[topic] = cls


def topic_of(cls: type[LedgerEvent]) -> str:
    return TOPIC_PREFIX + cls.__name__


def stream_of(event: LedgerEvent) -> UUID:
    """Each line is a stream of its own; ledger-wide events share one stream."""
    line = event.line
    return LEDGER_STREAM if line is None else uuid5(NAMESPACE_URL, "prognos:line:" + line)


def to_stored(event: LedgerEvent, version: int) -> StoredEvent:
    state = event.model_dump(mode="json", exclude={"position"})
    state["class_version"] = type(event).class_version
    return StoredEvent(
        originator_id=stream_of(event),
        originator_version=version,
        topic=topic_of(type(event)),
        state=json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode(),
    )


def from_stored(topic: str, state: bytes, position: int | None) -> LedgerEvent:
    cls = _BY_TOPIC.get(topic)
    if cls is None:
        raise LookupError(f"unknown event topic {topic!r}")
    data: dict[str, Any] = json.loads(state)
    version = data.pop("class_version", 1)
    data = upcast(cls.kind, version, cls.class_version, data)
    data["position"] = position
    return cls.model_validate(data)


def from_notification(n: Notification) -> LedgerEvent:
    return from_stored(n.topic, n.state, n.id)

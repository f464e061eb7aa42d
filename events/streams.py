"""Which stream (eventsourcing originator id) an event belongs to.

Each line is a stream of its own, named by its code, so a line's whole history
is one aggregate sequence in the event store; ledger-wide events (closings,
imported files) share one stream.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

LEDGER_STREAM = uuid5(NAMESPACE_URL, "prognos:ledger")


def stream_of_line(line: str | None) -> UUID:
    return LEDGER_STREAM if line is None else uuid5(NAMESPACE_URL, "prognos:line:" + line)

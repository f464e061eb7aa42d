"""Which stream (eventsourcing originator id) an event belongs to: the ledger's one stream.

The ledger is the consistency boundary of every rule (a transfer moves money
between two lines, an import checks a whole file against the whole tree, a
closing covers every line), and each command takes the store's write lock, so
one aggregate holds every event and its version is the event's position.

Streams per line were tried and measured: a monthly import touches every line,
so it dirtied a page of the event table's (stream, version) index for nearly
every event, about half the write volume of an import at 50,000 lines. One
stream appends at the end of that index instead.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

LEDGER_STREAM = uuid5(NAMESPACE_URL, "prognos:ledger")
LEDGER_STREAM_ID = LEDGER_STREAM.hex  # as stored in the event table's originator_id

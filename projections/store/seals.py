"""Seals: a hash chain over the log, so that an event changed after it was recorded shows.

eventsourcing keeps events in a plain table: whoever can write the database could
change an event's user, reason or amount, and views folded from that log would agree
with it. So every write also records a seal: the SHA-256 of the previous seal and of
each new event's topic and stored state, in position order. A seal is written in the
same transaction as its events and is never made again from the log (`rebuild` leaves
seals alone), so `check` can fold the log anew and name the first write whose events
no longer match. Whoever keeps the head seal `check` prints can later show that nothing
before it changed, even against someone able to recompute the whole chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from itertools import chain

from prognos.domain.state import Check, Kept
from prognos.events.errors import StoreError
from prognos.projections.store import log
from prognos.projections.store.dialect import Cursor

SEALS_TABLE = "prognos_seals"
SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {SEALS_TABLE} "
    "(position INTEGER PRIMARY KEY, digest TEXT NOT NULL)"
)
START = bytes(32)  # what the first seal follows


def fold(digest: bytes, events: Iterable[tuple[str, bytes]]) -> bytes:
    """The seal after `digest` of these events' (topic, stored state), in order. A topic
    holds no '{' and a state is one JSON object, so their concatenation is unambiguous."""
    h = hashlib.sha256(digest)
    update = h.update
    for topic, state in events:
        update(topic.encode())
        update(state)
    return h.digest()


def seal(cursor: Cursor, first: int, events: list[tuple[str, bytes]]) -> None:
    """Seal the events at positions first.. (their topics and states), in the write
    transaction that records them. A log with no seal yet (written before sealing
    began) is folded in first, from the log; events after the last seal of a sealed
    log were put there behind prognos's back, and are refused, never sealed in."""
    sealed, digest = _last(cursor)
    if sealed >= first:
        raise _removed(first - 1, sealed)
    if sealed and sealed < first - 1:
        raise StoreError(
            f"the log holds {first - 1 - sealed} events after its last seal (position "
            f"{sealed}), added behind prognos's back: nothing is recorded; run prognos check"
        )
    before: Iterable[tuple[str, bytes]] = ()
    if sealed < first - 1:  # one seal covers them and the new events, as `verify` folds
        before = ((t, s) for _, t, s in _log(cursor, sealed, first - 1))  # a batch at a time
    digest = fold(digest, chain(before, events))
    cursor.execute(
        f"INSERT INTO {SEALS_TABLE} (position, digest) VALUES (?, ?)",
        (first + len(events) - 1, digest.hex()),
    )


def check_tail(cursor: Cursor, first: int) -> None:
    """Refuse to write events from position `first` on after a log whose tail no longer
    matches its last seal (events removed, or the last write's events changed): the new
    seal would vouch for them. Folds only the last write's events (a command's, or one
    chunk of an import), so it costs a write little."""
    cursor.execute(f"SELECT position, digest FROM {SEALS_TABLE} ORDER BY position DESC LIMIT 2")
    found = [(int(position), digest) for position, digest in cursor.fetchall()]
    if not found:
        return
    last, digest = found[0]
    if last >= first:
        raise _removed(first - 1, last)
    after, before = (found[1][0], bytes.fromhex(found[1][1])) if len(found) > 1 else (0, START)
    if fold(before, ((t, s) for _, t, s in _log(cursor, after, last))).hex() != digest:
        raise StoreError(
            f"the events at positions {after + 1}-{last} no longer match their seal: changed "
            "behind prognos's back; nothing is recorded; run prognos check"
        )


def kept(cursor: Cursor, log_cursor: Cursor, digest: str, position: int) -> Kept:
    """Whether the log still extends a kept head: the chain recomputed from the events up
    to `position` (sealed where the store's seals before it say, and at `position`) gives
    `digest`. The seals stored at or after `position` are never trusted: whoever rewrote
    the log could have recomputed them all, but not a digest kept somewhere else."""
    last = log.last_position(cursor)
    if last < position:
        return Kept("truncated", position, last)
    cursor.execute(f"SELECT position FROM {SEALS_TABLE} WHERE position < ? ORDER BY position",
                   (position,))
    bounds = {int(row[0]) for row in cursor.fetchall()}
    h = hashlib.sha256(START)
    for at, topic, state in _log(log_cursor, 0, position):
        h.update(topic.encode())
        h.update(state)
        if at in bounds:
            h = hashlib.sha256(h.digest())
    if h.digest().hex() != digest.lower():
        return Kept("differs", position, last)
    return Kept("same" if last == position else "grown", position, last)


def verify(cursor: Cursor, log_cursor: Cursor) -> Check:
    """Fold the whole log again, one pass, and compare each seal: `log_sealed`."""
    cursor.execute(f"SELECT position, digest FROM {SEALS_TABLE} ORDER BY position")
    seals = [(int(position), digest) for position, digest in cursor.fetchall()]
    h, i, after, last = hashlib.sha256(START), 0, 0, 0
    for position, topic, state in _log(log_cursor, 0, None):
        if i < len(seals) and position > seals[i][0]:  # the sealed last event is gone
            return _changed(after, seals[i][0])
        h.update(topic.encode())
        h.update(state)
        if i < len(seals) and position == seals[i][0]:
            digest = h.digest()
            if digest.hex() != seals[i][1]:
                return _changed(after, position)
            h, after, i = hashlib.sha256(digest), position, i + 1
        last = position
    if i < len(seals):
        return _changed(after, seals[i][0])
    if not seals and not last:
        return Check(NAME, True, "no events yet", "no_events")
    if not seals:  # a store from before sealing, or one whose seals were all removed
        return Check(NAME, True, f"no seal yet: the {last} events are not protected until the "
                     "next write seals them", "not_sealed_yet", (("events", last),))
    if last > after:  # every write seals its events: these came another way
        return Check(NAME, False, f"the {last - after} events after position {after} have no "
                     "seal: added after the last write, behind prognos's back", "unsealed",
                     (("events", last - after), ("after", after)))
    return Check(NAME, True, f"{after} events sealed, head seal {seals[-1][1]} at position "
                 f"{after}", "sealed", (("events", after), ("head", seals[-1][1])))


NAME = "log_sealed"


def _removed(end: int, sealed: int) -> StoreError:
    return StoreError(
        f"the log ends at position {end} but its last seal is at position {sealed}: events "
        "were removed behind prognos's back; nothing is recorded; run prognos check"
    )


def _changed(after: int, position: int) -> Check:
    return Check(NAME, False, f"the events at positions {after + 1}-{position} differ from "
                 "their seal: changed, added or removed after they were recorded", "changed",
                 (("first", after + 1), ("last", position)))


def _last(cursor: Cursor) -> tuple[int, bytes]:
    cursor.execute(f"SELECT position, digest FROM {SEALS_TABLE} ORDER BY position DESC LIMIT 1")
    row = cursor.fetchone()
    return (0, START) if row is None else (int(row[0]), bytes.fromhex(row[1]))


def _log(cursor: Cursor, after: int, upto: int | None) -> Iterator[tuple[int, str, bytes]]:
    """(position, topic, state) of the events after..upto (to the end if None)."""
    for rows in log.batches(cursor, after, upto):
        for position, topic, state in rows:
            # A damaged row may lack either, or hold them as the other type (SQLite keeps
            # what it is given): it then differs from its seal, and no more.
            if isinstance(topic, (bytes, memoryview)):
                topic = bytes(topic).decode("utf-8", "replace")
            if isinstance(state, str):
                state = state.encode("utf-8", "surrogatepass")
            yield int(position), topic or "", bytes(state or b"")

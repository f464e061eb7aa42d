"""Event ids: UUIDs that sort by creation time (the layout of UUID version 7).

Time-ordered ids keep the event-id index append-mostly, which matters when a
bulk import writes a million of them, and an id alone tells roughly when it
was made.
"""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

_lock = threading.Lock()
_last = 0


def _fresh() -> int:
    """48 bits of Unix milliseconds, then 74 bits from a random start (counted up from there)."""
    return ((time.time_ns() // 1_000_000) << 74) | int.from_bytes(os.urandom(8), "big") >> 2


def _take(count: int) -> int:
    """Reserve `count` consecutive values after every value handed out so far."""
    global _last
    with _lock:
        start = max(_fresh(), _last + 1)
        _last = start + count - 1
    return start


def _layout(value: int) -> int:
    ms, rand_a, rand_b = value >> 74, (value >> 62) & 0xFFF, value & ((1 << 62) - 1)
    return (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b


def new_event_id() -> UUID:
    return UUID(int=_layout(_take(1)))


_LOW = (1 << 62) - 1


def new_event_ids(count: int) -> list[str]:
    """`count` consecutive time-ordered ids as text, cheaply, for bulk writes.

    Consecutive values share their upper 60 bits (time and rand_a), so the text
    of the first three groups is made once and only the last 64 bits per id.
    """
    start = _take(count)
    out = []
    high = prefix = None
    for value in range(start, start + count):
        if value >> 62 != high:
            high = value >> 62
            h = f"{_layout(value):032x}"
            prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-"
        low = f"{(0b10 << 62) | (value & _LOW):016x}"
        out.append(f"{prefix}{low[:4]}-{low[4:]}")
    return out

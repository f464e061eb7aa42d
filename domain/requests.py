"""Requests: a write command sent with a request id (`--request-id`) is answered once.

A retry after a lost reply or a killed terminal sends the same command with the same id:
it records nothing and gets the first answer. The same id with other content is refused.
What a command was asked is kept as a fingerprint (SHA-256 of its name, the user and its
normalised arguments), so "the same content" means the same command in effect: 1000 and
'1 000,00' are the same amount.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import orjson


class Request(NamedTuple):
    """A command as sent: its request id, its name, and the fingerprint of what it asked."""

    request_id: str
    command: str
    fingerprint: str


class Answered(NamedTuple):
    """A request as answered: the events it recorded (positions first..last, None when it
    recorded none) and, for an import, its summary."""

    request_id: str
    command: str
    fingerprint: str
    first: int | None
    last: int | None
    result: dict[str, Any] | None


def fingerprint(user: str, asked: tuple[Any, ...]) -> str:
    """The SHA-256 of what a command was asked, in one canonical JSON form."""
    return hashlib.sha256(orjson.dumps([user, *map(_plain, asked)])).hexdigest()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, Decimal):
        return str(value.normalize())  # 1000, 1000.00 and 1E+3 are one amount
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return str(value)  # a month, an id

"""Upcasters: how a stored event of an older class version is read as the current one.

Stored state carries `class_version`. When a class changes shape, bump its
`class_version` and register a function taking the old dict to the next version;
old events are upcast on read and never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(kind: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def decorate(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(kind, from_version)] = fn
        return fn

    return decorate


def upcast(kind: str, version: int, target: int, data: dict[str, Any]) -> dict[str, Any]:
    while version < target:
        step = _UPCASTERS.get((kind, version))
        if step is None:
            raise LookupError(f"no upcaster for {kind} v{version} -> v{version + 1}")
        data = step(data)
        version += 1
    return data


def _with_request_and_role(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 of every kind records the request a command answered (`--request-id`) and
    the database role that wrote it; an event from before had neither."""
    return {**data, "request_id": None, "db_role": None}


def _register_version_2() -> None:
    from prognos.events.kinds import ALL

    for cls in ALL:
        register_upcaster(cls.kind, 1)(_with_request_and_role)


_register_version_2()

"""What every command shares: the store, the user, and how results are printed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from prognos.domain.application import Ledger
    from prognos.projections.store.base import BaseStore
    from prognos.projections.store.reader import SQLiteReader

DEFAULT_STORE = "prognos.db"


@dataclass
class Settings:
    store: str
    user: str | None
    wait: float | None = None  # --wait (or PROGNOS_WAIT) before the command


def settings(ctx: typer.Context) -> Settings:
    found: Settings = ctx.find_root().obj
    if not found.store.strip():
        from prognos.events.errors import InvalidInputError

        raise InvalidInputError("--store is empty: give a file name or a PostgreSQL URL")
    return found


def open_store(
    ctx: typer.Context, catch_up: bool = True, create: bool = True, wait: float | None = None
) -> BaseStore:
    """The store named by --store: a SQLite file, or a PostgreSQL URL; closed with the
    command. Only `init` and the commands that record create it. Its writes wait for
    another writer up to `wait` seconds (the command's --wait), else the --wait given
    before the command (or PROGNOS_WAIT), else a minute."""
    from prognos.projections import store
    from prognos.projections.store.guards import Waiting

    given = settings(ctx)
    seconds = wait if wait is not None else given.wait if given.wait is not None else WAIT
    opened = store.open_store(given.store, catch_up=catch_up, create=create,
                              waiting=Waiting(seconds, _say_waiting))
    return _closed_with(ctx, opened)


WAIT = 60.0  # seconds a write waits for another, unless told


def _say_waiting() -> None:
    typer.echo("waiting for another write to the ledger…", err=True)


def open_reader(ctx: typer.Context) -> BaseStore | SQLiteReader:
    """The store for a read command (see `store.open_reader`)."""
    from prognos.projections import store

    return _closed_with(ctx, store.open_reader(settings(ctx).store))


Closable = TypeVar("Closable", bound="BaseStore | SQLiteReader")


def _closed_with(ctx: typer.Context, store: Closable) -> Closable:
    # In one process that runs many commands (tests, a notebook), connections are
    # not left to the garbage collector: a PostgreSQL server counts them.
    ctx.find_root().call_on_close(store.close)
    return store


def open_ledger(
    ctx: typer.Context, store: BaseStore | None = None, wait: float | None = None,
    request_id: str | None = None,
) -> Ledger:
    """The ledger's commands on the store named by --store (or on `store`, opened already),
    answering the request `request_id` (--request-id) once."""
    from prognos.domain.application import Ledger
    from prognos.domain.identity import login_name

    user = settings(ctx).user or login_name("unknown")  # --user, or PROGNOS_USER through typer
    return Ledger(open_store(ctx, wait=wait) if store is None else store, user,
                  request_id=request_id)


def print_json(document: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def print_recorded(
    events: list[Any], as_json: bool, lang: str = "sv", head: tuple[int, str] | None = None
) -> None:
    """What every write command prints: the events it recorded (and, after a month's close,
    the head it leaves, for the auditor to keep)."""
    from prognos.domain.clock import format_instant

    shown = None if head is None else f"{head[1]}@{head[0]}"
    if as_json:
        document: dict[str, Any] = {
            "events": [
                {
                    "event_id": str(e.event_id),
                    "position": e.position,
                    "recorded_at": format_instant(e.recorded_at),
                    "line": e.line,
                    "kind": e.kind,
                }
                for e in events
            ]
        }
        if shown is not None:
            document["head"] = shown
        print_json(document)
        return
    from prognos.cli.render import recorded_lines
    from prognos.cli.texts import texts

    t = texts(lang)
    for line in recorded_lines(events, t):
        typer.echo(line)
    if shown is not None:
        typer.echo(t("check.head", head=shown))

"""What every command shares: the store, the user, and how results are printed."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from typing import Any

import typer

DEFAULT_STORE = "prognos.db"


@dataclass
class Settings:
    store: str
    user: str | None


def settings(ctx: typer.Context) -> Settings:
    found: Settings = ctx.find_root().obj
    if not found.store.strip():
        from prognos.events.errors import InvalidInputError

        raise InvalidInputError("--store is empty: give a file name or a PostgreSQL URL")
    return found


def open_store(ctx: typer.Context, catch_up: bool = True) -> Any:
    """The store named by --store: a SQLite file, or a PostgreSQL URL; closed with the command."""
    from prognos.projections.store.dialect import is_postgres_url

    location = settings(ctx).store
    if is_postgres_url(location):
        from prognos.projections.store.postgres import PostgresStore

        store = PostgresStore(location, catch_up=catch_up)
    else:
        from prognos.projections.store.sqlite import SQLiteStore

        store = SQLiteStore(location, catch_up=catch_up)
    return _closed_with(ctx, store)


def open_reader(ctx: typer.Context) -> Any:
    """The store for a read command: read-only and light when it is a SQLite file that
    exists already."""
    from prognos.projections.store.dialect import is_postgres_url

    path = settings(ctx).store
    if is_postgres_url(path) or not os.path.exists(path):
        return open_store(ctx)  # created on first use, as by any command
    from prognos.projections.store.reader import OutdatedViews, SQLiteReader

    try:
        return _closed_with(ctx, SQLiteReader(path))
    except OutdatedViews:
        return open_store(ctx)  # which rebuilds the views once


def _closed_with(ctx: typer.Context, store: Any) -> Any:
    # In one process that runs many commands (tests, a notebook), connections are
    # not left to the garbage collector: a PostgreSQL server counts them.
    ctx.find_root().call_on_close(store.close)
    return store


def open_ledger(ctx: typer.Context) -> Any:
    from prognos.domain.application import Ledger

    user = settings(ctx).user or _login_name()  # --user, or PROGNOS_USER through typer
    return Ledger(open_store(ctx), user)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: still record someone
        return "unknown"


def print_json(document: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def print_recorded(events: list[Any], as_json: bool) -> None:
    """What every write command prints: the events it recorded."""
    from prognos.domain.clock import format_instant

    if as_json:
        print_json(
            {
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
        )
        return
    for e in events:
        where = f" on {e.line}" if e.line else ""
        typer.echo(f"recorded {e.kind}{where} at position {e.position} (event {e.event_id})")

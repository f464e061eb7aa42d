"""Where events are stored: the log, its seals, and the views written beside it.

- `log`: eventsourcing's event table and the one reader of it; `mapper` and `streams`:
  events in eventsourcing's stored format.
- `views`: the indexed tables folded from the log, written in the same transaction as
  the events (`unit_of_work`, the write path); `seals`: the hash chain over the log;
  `guards`: the triggers that keep the log append-only, and how a write waits its turn.
- `queries`: the reports' questions answered from the views; `integrity`: the store's
  checks of itself for `prognos check`.
- `sqlite`, `reader` (read-only), `postgres` (with `pg_cursor`), sharing `base`; the few
  differences between the two databases are in `dialect`; `rebuild_worker` is the
  helper process of a long rebuild. `memory`: the same in memory, with no database.

May import `domain` and `events`; never `reports` or `cli`. `open_store` is how the
rest of prognos gets a store from what the user named.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prognos.projections.store.base import BaseStore
    from prognos.projections.store.guards import Waiting
    from prognos.projections.store.reader import SQLiteReader


def open_store(
    location: str, catch_up: bool = True, create: bool = True, waiting: Waiting | None = None
) -> BaseStore:
    """The store at a SQLite file or a PostgreSQL URL, created on first use unless `create`
    is False (a command that only reads: `MissingStoreError`). With `catch_up` False the
    views are left as they are (for `check` and `rebuild`). `waiting`: how its writes wait
    for another writer."""
    from prognos.projections.store.dialect import is_postgres_url

    if is_postgres_url(location):
        from prognos.projections.store.postgres import PostgresStore

        store: BaseStore = PostgresStore(location, catch_up=catch_up, create=create)
    else:
        from prognos.projections.store.sqlite import SQLiteStore

        store = SQLiteStore(location, catch_up=catch_up, create=create)
    if waiting is not None:
        store.waiting = waiting
    return store


def open_reader(location: str) -> BaseStore | SQLiteReader:
    """A store to read from, never created: read-only and light when it is a SQLite file
    with views of this layout (no eventsourcing, no event models), else `open_store`."""
    from prognos.projections.store.dialect import is_postgres_url

    if is_postgres_url(location) or not os.path.exists(location):
        return open_store(location, create=False)
    from prognos.projections.store.reader import OutdatedViews, SQLiteReader

    try:
        return SQLiteReader(location)
    except OutdatedViews:
        return open_store(location, create=False)  # which rebuilds the views once


def shown_location(location: str) -> str:
    """The store as named to a person, in a file they may forward: a file's full path, or
    a PostgreSQL URL without its password."""
    from prognos.projections.store.dialect import is_postgres_url

    if is_postgres_url(location):
        from prognos.projections.store.postgres import parse_url, shown

        return shown(parse_url(location))
    return os.path.abspath(location)

"""Batches of the log as view rows, made here or by a helper process during a long rebuild.

A rebuild's work per event is more than half Python (decode the stored JSON,
build the view row) and the rest the database (insert it). On a machine with two
cores, a helper process prepares three of every five batches, reading the log
through its own read-only connection, while the rebuilding process prepares
the other two and writes them all in order (writing takes about half as long
as preparing, so each process is busy about as long). Both sides use `prepared_range`, so a
rebuild with or without the helper writes the same views.

The helper sees every event the rebuild must fold: the rebuild holds the
store's write lock, so nothing is appended meanwhile, and it has not touched
the event table. A pipe blocks once full, so the helper runs at most a batch
ahead and memory stays bounded.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any
from urllib.parse import quote

from prognos.domain.errors import StoreError
from prognos.events.mapper import decode_rows
from prognos.projections import views
from prognos.projections.dialect import log_position


def prepared_range(
    cursor: Any, table: str, after: int, upto: int, with_amounts: set[str]
) -> tuple[int, views.Prepared | None]:
    """The events at positions after..upto as rows for the views (None when there are none)."""
    column = log_position(cursor)
    cursor.execute(
        f"SELECT {column}, topic, state FROM {table} "
        f"WHERE {column} > ? AND {column} <= ? ORDER BY {column}",
        (after, upto),
    )
    rows = cursor.fetchall()
    if not rows:
        return 0, None
    try:
        records = decode_rows(rows)
    except (LookupError, ValueError) as e:  # a damaged or foreign event row
        raise StoreError(f"the views cannot follow the log: {e}") from None
    return len(rows), views.prepare(records, with_amounts)


def produce(source: tuple[str, Any], table: str, ranges: list[tuple[int, int]], out: Any) -> None:
    """Send (count, Prepared) for each range in order, or ("failed", error) and stop."""
    try:
        cursor = _open(source)
        with_amounts: set[str] = set()
        for after, upto in ranges:
            out.send(prepared_range(cursor, table, after, upto, with_amounts))
    except KeyboardInterrupt:  # the user stopped the rebuild; it says so itself
        pass
    except Exception as e:  # handed to the rebuilding process, which fails with it
        _send_failure(out, e)
    finally:
        out.close()


def _open(source: tuple[str, Any]) -> Any:
    """A read-only cursor on the store: ("sqlite", path) or ("postgres", connection settings)."""
    kind, where = source
    if kind == "sqlite":
        uri = f"file:{quote(os.path.abspath(where))}?mode=ro"
        return sqlite3.connect(uri, uri=True).cursor()
    import psycopg

    from prognos.projections.pg_cursor import PgCursor

    settings = {k: v for k, v in where.items() if k != "schema"}
    conn = psycopg.connect(**settings, autocommit=True, options=f"-c search_path={where['schema']}")
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    return PgCursor(conn.cursor())


def _send_failure(out: Any, error: Exception) -> None:
    for item in (error, RuntimeError(str(error))):
        try:
            out.send(("failed", item))
            return
        except OSError:  # the rebuilding process has gone: nobody to tell
            return
        except Exception:  # the error itself could not be pickled: send its text
            continue


class Helper:
    """A helper process preparing the given ranges of the log, in order."""

    def __init__(self, source: tuple[str, Any], table: str, ranges: list[tuple[int, int]]):
        import multiprocessing

        # spawn, not fork: this process holds open connections.
        context = multiprocessing.get_context("spawn")
        self.receiving, sending = context.Pipe(duplex=False)
        mine = [r for i, r in enumerate(ranges) if _helped(i)]
        self.process = context.Process(
            target=produce, args=(source, table, mine, sending), daemon=True
        )
        self.process.start()
        sending.close()

    @staticmethod
    def helps(batch: int) -> bool:
        return _helped(batch)

    def next(self) -> tuple[int, views.Prepared | None]:
        try:
            item = self.receiving.recv()
        except EOFError:
            raise StoreError("the rebuild's helper process stopped unexpectedly") from None
        if item[0] == "failed":
            error = item[1]
            raise error if isinstance(error, StoreError) else StoreError(
                f"the views cannot follow the log: {error}"
            )
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        self.receiving.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def _helped(batch: int) -> bool:
    """Whether the helper prepares this batch: three of every five, which keeps both
    processes about equally busy (measured at 1.3 M events on SQLite)."""
    return batch % 5 in (1, 2, 4)

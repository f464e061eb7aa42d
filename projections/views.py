"""The read model: indexed tables beside the event store, fed one event at a time.

`apply` is the only code that writes these tables. The write path calls it in
the same transaction as the events it records; `catch_up` and `rebuild` call it
for batches of notifications read back from the log. Following and rebuilding are thus the
same code, and the tracking record makes each event count exactly once.

Amounts are stored as integer öre so that SQL sums stay exact; months as
`YearMonth.index` so that they order and compare as integers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from prognos.domain.clock import format_instant
from prognos.domain.money import to_ore
from prognos.events.base import LedgerEvent
from prognos.events.ledger import (
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
    NoteAdded,
    PeriodClosed,
    SourceImported,
)

VIEWS = "prognos.views"
AMOUNT_KINDS = ("budget_set", "budget_transferred", "forecast_revised", "actual_booked", "actual_reversed")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS prognos_lines (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        parent TEXT,
        position INTEGER NOT NULL,
        depth INTEGER NOT NULL,
        children INTEGER NOT NULL DEFAULT 0,
        has_amounts INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS prognos_entries (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        command_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        line TEXT,
        year INTEGER,
        month INTEGER,
        amount INTEGER,
        recorded_at TEXT NOT NULL,
        user TEXT NOT NULL,
        reason TEXT,
        ref TEXT,
        corrects TEXT,
        counterpart TEXT,
        transfer_id TEXT,
        text TEXT,
        name TEXT,
        parent TEXT,
        source_sha256 TEXT,
        source_row INTEGER
    )""",
    # Covers the report's three grouped queries: no table lookups per row.
    "CREATE INDEX IF NOT EXISTS prognos_entries_year "
    "ON prognos_entries (year, kind, line, month, position, amount)",
    "CREATE INDEX IF NOT EXISTS prognos_entries_line ON prognos_entries (line, position)",
    "CREATE INDEX IF NOT EXISTS prognos_entries_recorded ON prognos_entries (recorded_at)",
    "CREATE INDEX IF NOT EXISTS prognos_entries_source ON prognos_entries (source_sha256)",
    # A booking can be reversed once: the database enforces it as well as the rules.
    "CREATE UNIQUE INDEX IF NOT EXISTS prognos_entries_corrects "
    "ON prognos_entries (corrects) WHERE corrects IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS prognos_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]
DROP = ["DROP TABLE IF EXISTS prognos_lines", "DROP TABLE IF EXISTS prognos_entries",
        "DROP TABLE IF EXISTS prognos_meta"]

ENTRY_COLUMNS = (
    "position", "event_id", "command_id", "kind", "line", "year", "month", "amount",
    "recorded_at", "user", "reason", "ref", "corrects", "counterpart", "transfer_id",
    "text", "name", "parent", "source_sha256", "source_row",
)
INSERT_ENTRY = (
    f"INSERT INTO prognos_entries ({', '.join(ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
)


def entry_row(event: LedgerEvent) -> tuple[Any, ...]:
    """The flat, indexed row that stands for one event in `prognos_entries`."""
    row: dict[str, Any] = dict.fromkeys(ENTRY_COLUMNS)
    row.update(
        position=event.position,
        event_id=str(event.event_id),
        command_id=str(event.command_id),
        kind=event.kind,
        line=event.line,
        recorded_at=format_instant(event.recorded_at),
        user=event.user,
        reason=event.reason,
        corrects=str(event.corrects) if event.corrects else None,
    )
    if event.source is not None:
        row.update(source_sha256=event.source.sha256, source_row=event.source.row)
    if isinstance(event, LineAdded):
        row.update(name=event.name, parent=event.parent)
    elif isinstance(event, (BudgetSet, BudgetTransferred)):
        row.update(year=event.year, month=event.effective.index, amount=to_ore(event.amount))
        if isinstance(event, BudgetTransferred):
            row.update(counterpart=event.counterpart, transfer_id=str(event.transfer_id))
    elif isinstance(event, ForecastRevised):
        row.update(year=event.year, month=event.as_of.index, amount=to_ore(event.amount))
    elif isinstance(event, (ActualBooked, ActualReversed)):
        row.update(
            year=event.period.year, month=event.period.index, amount=to_ore(event.amount),
            ref=event.ref,
        )
    elif isinstance(event, NoteAdded):
        row.update(year=event.year, month=event.period.index, text=event.text)
    elif isinstance(event, PeriodClosed):
        row.update(month=event.through.index)
    elif isinstance(event, SourceImported):
        row.update(source_sha256=event.sha256, text=event.name, source_row=event.rows)
    return tuple(row[c] for c in ENTRY_COLUMNS)


def create(cursor: Any) -> None:
    for statement in SCHEMA:
        cursor.execute(statement)


def drop(cursor: Any) -> None:
    for statement in DROP:
        cursor.execute(statement)


def apply(cursor: Any, events: Sequence[LedgerEvent]) -> None:
    """Fold a batch of recorded events, in position order, into the view tables.

    Set-wise: one `executemany` per table, so a batch of N events costs O(N)
    statements' worth of work in a handful of calls.
    """
    if not events:
        return
    cursor.executemany(INSERT_ENTRY, [entry_row(e) for e in events])
    depths: dict[str, int] = {}
    new_lines = []
    children: Counter[str] = Counter()
    touched: Counter[str] = Counter()
    with_amounts: set[str] = set()
    ledger_events = 0
    closed = None
    for event in events:
        if isinstance(event, LineAdded):
            depth = 0
            if event.parent is not None:
                depth = depths.get(event.parent, -1)
                if depth < 0:
                    cursor.execute("SELECT depth FROM prognos_lines WHERE code = ?", (event.parent,))
                    depth = cursor.fetchone()[0]
                    depths[event.parent] = depth
                depth += 1
                children[event.parent] += 1
            depths[event.code] = depth
            new_lines.append((event.code, event.name, event.parent, event.position, depth))
        elif event.line is not None:
            touched[event.line] += 1
            if event.kind in AMOUNT_KINDS:
                with_amounts.add(event.line)
        else:
            ledger_events += 1
            if isinstance(event, PeriodClosed):
                closed = event.through
    cursor.executemany(
        "INSERT INTO prognos_lines (code, name, parent, position, depth, version) "
        "VALUES (?, ?, ?, ?, ?, 1)",
        new_lines,
    )
    cursor.executemany(
        "UPDATE prognos_lines SET children = children + ? WHERE code = ?",
        [(n, code) for code, n in children.items()],
    )
    cursor.executemany(
        "UPDATE prognos_lines SET version = version + ?, has_amounts = MAX(has_amounts, ?) "
        "WHERE code = ?",
        [(n, int(code in with_amounts), code) for code, n in touched.items()],
    )
    if ledger_events:
        _bump_meta(cursor, "ledger_version", ledger_events)
    if closed is not None:
        _set_meta(cursor, "closed_through", str(closed))
    _set_meta(cursor, "last_recorded_at", events[-1].recorded_at.isoformat())


def _set_meta(cursor: Any, key: str, value: str) -> None:
    cursor.execute(
        "INSERT INTO prognos_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _bump_meta(cursor: Any, key: str, by: int) -> None:
    cursor.execute(
        "INSERT INTO prognos_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?",
        (key, str(by), by),
    )


def get_meta(cursor: Any, key: str) -> str | None:
    cursor.execute("SELECT value FROM prognos_meta WHERE key = ?", (key,))
    row = cursor.fetchone()
    return None if row is None else row[0]

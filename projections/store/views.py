"""The read model: indexed tables beside the event store, fed a batch of events at a time.

`apply` is the only code that writes these tables. The write path calls it in
the same transaction as the events it records; `catch_up` and `rebuild` call it
for batches of notifications read back from the log. Following and rebuilding are thus the
same code, and the tracking record makes each event count exactly once.

What each kind of event becomes here (its line, year, month and amount) is read from
its declaration in `events.kinds`. Amounts are stored as integer öre so that SQL sums
stay exact; months as `YearMonth.index` so that they order and compare as integers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from prognos.domain.money import to_ore
from prognos.events import kinds
from prognos.events.errors import StoreError
from prognos.events.kinds import Effect
from prognos.events.period import YearMonth
from prognos.projections.store.dialect import Cursor, ddl, insert_rows

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent

VIEWS = "prognos.views"  # their name in eventsourcing's tracking table
TRACKING_TABLE = "tracking"
# The layout of these tables. A store whose views were built by another layout
# gets them rebuilt from the log when it is opened for writing (`BaseStore`).
VERSION = "4"
# The kinds whose amount goes into a figure: a line that has one cannot get children.
AMOUNT_KINDS = tuple(cls.kind for cls in kinds.ALL if cls.effect.figure is not None)
ADDS_LINE = kinds.with_effect(Effect.ADDS_LINE)
CLOSES_MONTHS = kinds.with_effect(Effect.CLOSES_MONTHS)

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS prognos_lines (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        parent TEXT,
        position INTEGER NOT NULL,
        depth INTEGER NOT NULL,
        children INTEGER NOT NULL DEFAULT 0,
        has_amounts INTEGER NOT NULL DEFAULT 0
    )""",
    # What is searched, summed or joined on, and nothing else: who, when, why
    # and the source stay in the event itself (`log.states_at`), so an import writes
    # them once.
    """CREATE TABLE IF NOT EXISTS prognos_entries (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        line TEXT,
        year INTEGER,
        month INTEGER,
        amount INTEGER,
        ref TEXT,
        corrects TEXT,
        transfer_id TEXT
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS prognos_entries_event ON prognos_entries (event_id)",
    # Covers the report's per-kind queries (and the bridge's): no table lookups per row.
    "CREATE INDEX IF NOT EXISTS prognos_entries_year "
    "ON prognos_entries (year, kind, line, month, position, amount)",
    # No index by line first: a monthly import touches every line, and such an
    # index would get a dirty page per event. A line's history seeks the index
    # above once per (year, kind) instead.
    # One row per command (per batch it spans): "as known at T" is a lookup here,
    # not an index over every event's recording time.
    """CREATE TABLE IF NOT EXISTS prognos_commands (
        position INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS prognos_commands_recorded ON prognos_commands (recorded_at)",
    # The rule that a booking is reversed once is decided in `domain.rules.reversible`;
    # this is the database's own guard under it, kept so that every store written since
    # this layout (version 4) reads without a rebuild.
    "CREATE UNIQUE INDEX IF NOT EXISTS prognos_entries_corrects "
    "ON prognos_entries (corrects) WHERE corrects IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS prognos_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]
DROP = [
    f"DROP TABLE IF EXISTS {table}"
    for table in ("prognos_lines", "prognos_entries", "prognos_commands", "prognos_meta")
]

ENTRY_COLUMNS = (
    "position", "event_id", "kind", "line", "year", "month", "amount", "ref", "corrects",
    "transfer_id",
)


Folded = tuple[int, str, dict[str, Any]]  # an event as the views take it: position, kind, state


def _ore(text: str) -> int:
    """A stored amount (str of a Decimal, at most öre) as integer öre.

    Plain decimal strings are read by `int` without the point, several times
    faster than going through Decimal for each of a million rows; anything
    else (an exponent, say) takes the exact Decimal route.
    """
    dot = text.find(".")
    try:
        if dot < 0:
            return int(text) * 100
        places = len(text) - dot - 1
        if places == 2:
            return int(text[:dot] + text[dot + 1 :])
        if places == 1:
            return int(text[:dot] + text[dot + 1 :]) * 10
    except ValueError:
        pass
    return to_ore(Decimal(text))


_MONTHS: dict[str, tuple[int, int]] = {}  # "2024-05" -> (year, month index): few distinct


def _month(text: str) -> tuple[int, int]:
    found = _MONTHS.get(text)
    if found is None:
        year = int(text[:4])
        found = (year, year * 12 + int(text[5:7]) - 1)
        if len(_MONTHS) < 10_000:
            _MONTHS[text] = found
    return found


def entry_from_state(position: int, kind: str, state: dict[str, Any]) -> tuple[Any, ...]:
    """The flat, indexed row that stands for one event in `prognos_entries`."""
    fast = _BY_KIND.get(kind)
    return fast(position, kind, state) if fast else entry_in_general(position, kind, state)


def entry_in_general(position: int, kind: str, state: dict[str, Any]) -> tuple[Any, ...]:
    """The row as each kind's declaration says: its month from `month_from`, its year from
    `year_from` (a month's year, when that is the month)."""
    declared = kinds.BY_KIND[kind]
    get = state.get
    year = month = None
    if declared.month_from is not None:
        month_year, month = _month(state[declared.month_from])
        if declared.year_from == declared.month_from:
            year = month_year
    if declared.year_from is not None and declared.year_from != declared.month_from:
        year = state[declared.year_from]
    amount = get("amount")
    return (
        position,
        state["event_id"],
        kind,
        get("code"),
        year,
        month,
        _ore(amount) if amount is not None else None,
        get("ref"),
        get("corrects"),
        get("transfer_id"),
    )


# The same rows for the kinds a large log is made of, without the general case's
# lookups (a rebuild builds a million of them). Which builder a kind gets follows from
# its declaration; a test pins each to the general one.
Row = Callable[[int, str, dict[str, Any]], tuple[Any, ...]]


def _annual(month_field: str, year_field: str) -> Row:
    """A kind with an amount, a month, and a year field of its own (budgets, forecasts)."""

    def row(position: int, kind: str, s: dict[str, Any]) -> tuple[Any, ...]:
        return (position, s["event_id"], kind, s["code"], s[year_field], _month(s[month_field])[1],
                _ore(s["amount"]), s.get("ref"), s.get("corrects"), s.get("transfer_id"))
    return row


def _monthly(month_field: str) -> Row:
    """A kind with an amount whose year is its month's (actuals)."""

    def row(position: int, kind: str, s: dict[str, Any]) -> tuple[Any, ...]:
        year, month = _month(s[month_field])
        return (position, s["event_id"], kind, s["code"], year, month, _ore(s["amount"]),
                s.get("ref"), s.get("corrects"), s.get("transfer_id"))
    return row


def _fast_row(cls: type[kinds.Event]) -> Row | None:
    if cls.effect.figure is None or cls.month_from is None or cls.year_from is None:
        return None
    if cls.year_from == cls.month_from:
        return _monthly(cls.month_from)
    return _annual(cls.month_from, cls.year_from)


_BY_KIND = {cls.kind: row for cls in kinds.ALL if (row := _fast_row(cls)) is not None}


def entry_row(event: LedgerEvent) -> tuple[Any, ...]:
    from prognos.projections.store.mapper import state_of  # pydantic: kept off the read path

    assert event.position is not None
    return entry_from_state(event.position, event.kind, state_of(event))


def create(cursor: Cursor, indexes: bool = True) -> None:
    """Create the view tables; a rebuild adds the indexes after loading (`create_indexes`)."""
    for statement in SCHEMA:
        if indexes or " INDEX " not in statement:
            cursor.execute(ddl(cursor, statement))
    _set_meta(cursor, "views_version", VERSION)


def create_indexes(cursor: Cursor) -> None:
    for statement in SCHEMA:
        if " INDEX " in statement:
            cursor.execute(statement)


def drop(cursor: Cursor) -> None:
    for statement in DROP:
        cursor.execute(statement)


class Prepared(NamedTuple):
    """A batch of events as rows for the view tables; plain data, so another process can
    make it (see `rebuild_worker`)."""

    entries: list[tuple[Any, ...]]
    command_ends: list[tuple[int, str]]  # (position, recorded_at) of each command's last event
    new_lines: list[tuple[str, str, str | None, int]]  # (code, name, parent, position)
    with_amounts: set[str]  # lines that may get their first amount
    closed: int | None  # month index of the last closing in the batch
    last_recorded_at: str


def apply(
    cursor: Cursor, records: Sequence[Folded], with_amounts_known: set[str] | None = None
) -> None:
    """Fold a batch of recorded events, in position order, into the view tables.

    Events arrive as their stored state, whether a command just made them, a
    bulk import wrote them or `catch_up` read them back. Set-wise: one
    `executemany` per table, so N events cost a handful of calls. A caller
    applying many batches passes one `with_amounts_known` set to all of them,
    so that a line's first amount is looked up once, not once per batch.
    """
    if records:
        write(cursor, prepare(records, with_amounts_known))


def prepare(records: Sequence[Folded], with_amounts_known: set[str] | None = None) -> Prepared:
    """The rows a batch adds, computed from the events alone (no database)."""
    entries = [entry_from_state(position, kind, state) for position, kind, state in records]
    # Positions ascend, so each command's last event in the batch wins.
    last_of_command = {s["command_id"]: (p, s["recorded_at"]) for p, _, s in records}
    with_amounts = {e[3] for e in entries if e[2] in AMOUNT_KINDS}
    if with_amounts_known is not None:  # lines the caller saw get amounts already
        with_amounts -= with_amounts_known
        with_amounts_known |= with_amounts
    closed = None
    new_lines = []
    for position, kind, state in [r for r in records if r[1] in ADDS_LINE or r[1] in CLOSES_MONTHS]:
        if kind in ADDS_LINE:
            new_lines.append((state["code"], state["name"], state["parent"], position))
        else:
            closed = _month(state["through"])[1]
    return Prepared(entries, list(last_of_command.values()), new_lines, with_amounts, closed,
                    records[-1][2]["recorded_at"])


def write(cursor: Cursor, batch: Prepared) -> None:
    """Write a prepared batch; a new line's depth comes from its parent's row."""
    insert_rows(cursor, "prognos_entries", ENTRY_COLUMNS, batch.entries)
    depths: dict[str, int] = {}
    lines = []
    children: Counter[str] = Counter()
    for code, name, parent, position in batch.new_lines:
        depth = 0
        if parent is not None:
            depth = depths.get(parent, -1)
            if depth < 0:
                cursor.execute("SELECT depth FROM prognos_lines WHERE code = ?", (parent,))
                row = cursor.fetchone()
                # A parent the log never added (a damaged log): placed as a root, so the
                # views still follow the log; `check` names the line.
                depth = row[0] if row is not None else -1
                depths[parent] = depth
            depth += 1
            children[parent] += 1
        depths[code] = depth
        lines.append((code, name, parent, position, depth))
    insert_rows(cursor, "prognos_commands", ("position", "recorded_at"), batch.command_ends)
    insert_rows(cursor, "prognos_lines", ("code", "name", "parent", "position", "depth"), lines)
    cursor.executemany(
        "UPDATE prognos_lines SET children = children + ? WHERE code = ?",
        [(n, code) for code, n in children.items()],
    )
    # Only a line's first amount changes its row: the others leave its page clean.
    cursor.executemany(
        "UPDATE prognos_lines SET has_amounts = 1 WHERE code = ? AND has_amounts = 0",
        [(code,) for code in batch.with_amounts],
    )
    if batch.closed is not None:
        _set_meta(cursor, "closed_through", str(YearMonth.from_index(batch.closed)))
    _set_meta(cursor, "last_recorded_at", batch.last_recorded_at)


def _set_meta(cursor: Cursor, key: str, value: str) -> None:
    cursor.execute(
        "INSERT INTO prognos_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def track(cursor: Cursor, position: int) -> None:
    """Record that the views have folded in the log up to `position` (eventsourcing's
    single-row tracking table, which only moves forward)."""
    cursor.execute(
        f"INSERT INTO {TRACKING_TABLE} (application_name, notification_id) VALUES (?, ?) "
        "ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id "
        f"WHERE {TRACKING_TABLE}.notification_id < excluded.notification_id "
        "RETURNING notification_id",
        (VIEWS, position),
    )
    if cursor.fetchone() is None:  # not moved forward: refused, as eventsourcing's own insert does
        raise StoreError(
            f"the views are tracked beyond position {position} of the log: run prognos rebuild"
        )


def tracked_position(cursor: Cursor) -> int:
    """The position of the last event the views have folded in."""
    cursor.execute(
        f"SELECT MAX(notification_id) FROM {TRACKING_TABLE} WHERE application_name = ?", (VIEWS,)
    )
    row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def get_meta(cursor: Cursor, key: str) -> str | None:
    cursor.execute("SELECT value FROM prognos_meta WHERE key = ?", (key,))
    row = cursor.fetchone()
    return None if row is None else row[0]

"""What keeps a store's log as it was written, below prognos: triggers that refuse any
UPDATE or DELETE of an event or a seal, and how a write waits for the writers' lock.

The triggers stop an edit by mistake or by a tool that does not know the ledger (a
spreadsheet's ODBC link, a hand-typed UPDATE); whoever owns the database can drop them,
and that is what the seals and a kept head (`check --expect-head`) are for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from prognos.events.errors import BusyError

APPEND_ONLY = "the prognos ledger is append-only: its {what} are never changed or deleted"
GUARDED = (("stored_events", "events"), ("prognos_seals", "seals"))
SAY_AFTER = 1.0  # seconds a write waits before it says that it waits


def sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY.format(what=what)}'); END"
        for table, what in GUARDED for verb in ("UPDATE", "DELETE")
    ]


def sqlite_trigger_names() -> list[str]:
    return [f"{table}_no_{verb}" for table, _ in GUARDED for verb in ("update", "delete")]


# PostgreSQL: one function, and a row trigger (UPDATE, DELETE) and a statement trigger
# (TRUNCATE) on each table. (In a function body, '' is a quote.)
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION prognos_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the prognos ledger is append-only: % on % is refused "
    "(its events and seals are never changed or deleted)', TG_OP, TG_TABLE_NAME; END $$"
)


POSTGRES_TRIGGERS = tuple(f"{table}_{name}" for table, _ in GUARDED
                          for name in ("append_only", "no_truncate"))


def postgres_triggers() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table, _ in GUARDED:
        statements += [
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION prognos_append_only()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION prognos_append_only()",
        ]
    return statements


@dataclass
class Waiting:
    """How long a write waits for another to finish (`--wait`, `PROGNOS_WAIT`), and what it
    says once it has waited `SAY_AFTER` seconds (on stderr, from the command line)."""

    seconds: float = 60.0
    say: Callable[[], None] | None = None

    def take(self, attempt: Callable[[float], bool]) -> None:
        """Take the lock by `attempt(timeout)` (True once taken): first for up to a second,
        then, having said so, for the rest of the wait; `BusyError` when it is over."""
        started = time.monotonic()
        if attempt(min(SAY_AFTER, self.seconds)):
            return
        if self.seconds > SAY_AFTER:
            if self.say is not None:
                self.say()
            left = self.seconds - (time.monotonic() - started)
            if left > 0 and attempt(left):
                return
        raise BusyError(self.seconds)

"""`prognos demo` as one function: the seed report as a ledger in a store of its own, its
tables reproduced from the ledger, and its published figures reconciled."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from prognos.domain.application import Ledger
from prognos.domain.reconcile.printed import Reconciliation, reconcile
from prognos.domain.reconcile.spec import load_spec
from prognos.events.errors import DAMAGED, InvalidInputError, RefusedError
from prognos.projections.demo.seed_ledger import REPORT, build, reproduce
from prognos.projections.store import log
from prognos.projections.store.mapper import decode
from prognos.projections.store.sqlite import SQLiteStore

DEMO_USER = "demo"


@dataclass(frozen=True)
class Demo:
    store: Path
    events: int
    notes: int
    tables: dict[str, dict[str, Any]]  # the reproduced tables 1.1-1.4
    findings: Reconciliation  # the published report reconciled against itself


def run_demo(out: Path, seed: Path) -> Demo:
    """Build the demo ledger at `out` (replacing only an earlier demo store) from the
    transcribed report in `seed`, and audit the report."""
    make_room(out)
    store = SQLiteStore(out)
    try:
        built = build(Ledger(store, DEMO_USER), seed)
        tables = reproduce(store, built)
        events = store.max_position()
    finally:
        store.close()
    printed, cross = load_spec(seed / "reconcile.toml")
    return Demo(out, events, built.notes, tables, reconcile(printed, cross))


def make_room(out: Path) -> None:
    """Remove the previous demo store, and refuse to remove anything else."""
    if out.parts and out.parts[0] in ("postgresql:", "postgres:"):
        raise InvalidInputError(
            "--out names a file, not a PostgreSQL URL: the demo store is a SQLite file"
        )
    if out.is_dir():
        raise RefusedError(f"--out {out} is a folder: give a file name")
    if out.exists() and not _is_demo_store(out):
        raise RefusedError(f"--out {out} exists and is not a demo store: not replacing it")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)


def _is_demo_store(path: Path) -> bool:
    """A prognos store with events, all by the demo's user, some citing the report. (An
    empty store, or one whose user happens to be called "demo", is not.)"""
    cited = REPORT.encode("utf-8")  # as the stored JSON holds it
    events = others = citing = 0
    try:
        uri = f"file:{quote(os.fsencode(os.path.abspath(path)))}?mode=ro"  # ? and # too
        with closing(sqlite3.connect(uri, uri=True)) as con:
            cursor = con.cursor()
            cursor.execute("SELECT 1 FROM prognos_entries LIMIT 1")  # a prognos store
            for rows in log.batches(cursor):
                for _, topic, state in rows:
                    _, data = decode(topic, state)
                    events += 1
                    others += data.get("user") != DEMO_USER
                    citing += cited in bytes(state)
    except (sqlite3.Error, *DAMAGED):
        return False
    return events > 0 and others == 0 and citing > 0

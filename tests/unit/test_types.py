"""The type checker holds the boundaries: mypy passes on the whole package, and every store
answers the protocols its readers are written against (`reports.source`, the
application's `Store`, `domain.state.UnitOfWork`).

mypy cannot follow setuptools' editable install (an import hook), so it reads the source
through a `prognos` folder of links to the repository's four packages.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = '''
from prognos.domain.application import Store
from prognos.domain.state import UnitOfWork
from prognos.projections.reports.source import (
    AuditedSnapshot, AuditedSource, LedgerSource, Snapshot,
)
from prognos.projections.store.memory import MemorySnapshot, MemoryStore, MemoryUnitOfWork
from prognos.projections.store.postgres import PostgresStore
from prognos.projections.store.queries import ViewQueries
from prognos.projections.store.reader import SQLiteReader
from prognos.projections.store.sqlite import SQLiteStore
from prognos.projections.store.unit_of_work import SqlUnitOfWork


def the_stores_answer_their_readers(
    views: ViewQueries, memory: MemorySnapshot, sqlite: SQLiteStore, postgres: PostgresStore,
    reader: SQLiteReader, in_memory: MemoryStore, sql_uow: SqlUnitOfWork,
    memory_uow: MemoryUnitOfWork,
) -> None:
    audited: AuditedSnapshot = views
    snapshot: Snapshot = memory
    checked: list[AuditedSource] = [sqlite, postgres]
    read: list[LedgerSource] = [sqlite, postgres, reader, in_memory]
    written: list[Store] = [sqlite, postgres, in_memory]
    units: list[UnitOfWork] = [sql_uow, memory_uow]
'''


def mypy(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    package = folder / "prognos"
    package.mkdir()
    for name in ("events", "domain", "projections", "cli"):
        (package / name).symlink_to(ROOT / name, target_is_directory=True)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--namespace-packages", "--explicit-package-bases",
         "--ignore-missing-imports", "--cache-dir", str(folder / ".mypy_cache"), *files],
        cwd=folder, capture_output=True, text=True,
    )


def test_the_package_type_checks_and_every_store_holds_its_protocols(tmp_path: Path) -> None:
    (tmp_path / "contract.py").write_text(CONTRACT)
    done = mypy(tmp_path, "prognos", "contract.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_store_that_breaks_a_protocol_fails_the_check(tmp_path: Path) -> None:
    (tmp_path / "contract.py").write_text(
        "from prognos.projections.reports.source import Snapshot\n"
        "from prognos.projections.store.memory import MemoryStore\n\n"
        "def broken(store: MemoryStore) -> None:\n"
        "    snapshot: Snapshot = store  # a store is not a snapshot\n"
    )
    done = mypy(tmp_path, "contract.py")
    assert done.returncode == 1 and "contract.py:5" in done.stdout, done.stdout

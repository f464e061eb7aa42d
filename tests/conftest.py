"""Builders shared by every test layer.

The `store` and `cli` fixtures run each test once per storage backend: a SQLite
file and a PostgreSQL schema of its own (see `backends.PostgresSchemas`; all are
dropped when the session ends) on the server named by PROGNOS_TEST_POSTGRES
(default: the local one, trust auth). Without a reachable server those tests
fail, they are not skipped; set PROGNOS_TEST_BACKENDS=sqlite to leave
PostgreSQL out on a machine without one. Tests about SQLite files as such are
marked `sqlite_only`, tests of PostgreSQL itself `postgres_only`. Tests of the
rules, the application and the reports marked `memory` run on the in-memory
store as well, which needs no database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from prognos.cli.main import app
from prognos.domain.application import Ledger
from prognos.projections.store.base import BaseStore
from prognos.projections.store.memory import MemoryStore

from backends import BACKENDS, drop_test_schemas, dump_store, open_store, postgres_schemas

MEMORY = "memory"


class FakeClock:
    """A clock the test moves by hand: no sleeps, exact known-at boundaries."""

    def __init__(self, start: datetime = datetime(2024, 1, 10, 8, 0, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output laid out as for a file or a pipe, whatever terminal runs the tests; a test of
    a width sets COLUMNS itself."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.delenv("PROGNOS_LANG", raising=False)


@pytest.fixture(autouse=True, scope="module")
def _build_the_click_command_once() -> Any:
    """Typer rebuilds the click command from the app on every `invoke`, which costs more
    than the command itself. The app never changes, so build it once per module."""
    import typer.testing

    from prognos.cli.main import app

    original = getattr(typer.testing, "_get_command", None)
    if original is None:  # a typer without this seam: run uncached
        yield
        return
    command = original(app)

    def cached(candidate: Any) -> Any:
        return command if candidate is app else original(candidate)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", cached)
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test about SQLite files as such has no PostgreSQL twin: not collected, not skipped.
    Tests of PostgreSQL itself are left out only where PROGNOS_TEST_BACKENDS says so."""
    items[:] = [
        item for item in items
        if not (item.get_closest_marker("sqlite_only") and _backend_of(item) == "postgres")
        and not (item.get_closest_marker("postgres_only")
                 and ("postgres" not in BACKENDS or _backend_of(item) == "sqlite"))
        and not (_backend_of(item) == MEMORY and not item.get_closest_marker("memory"))
    ]


def pytest_sessionfinish(session: pytest.Session) -> None:
    drop_test_schemas()
    if os.environ.get("PROGNOS_REQUIRE_POSTGRES") == "1":  # set by .ci/run
        _fail_unless_postgres_ran(session)


def _fail_unless_postgres_ran(session: pytest.Session) -> None:
    """In CI a skipped test is not a passing one, and PostgreSQL is not optional: the run
    fails if any test was skipped or no PostgreSQL test passed."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter is not None else {}
    skipped = len(stats.get("skipped", []))
    on_postgres = sum(
        1 for report in stats.get("passed", [])
        if report.when == "call" and "postgres" in report.nodeid.lower()
    )
    problem = None
    if skipped:
        problem = f"{skipped} test(s) skipped"
    elif on_postgres == 0 and session.testscollected:
        problem = "no PostgreSQL test passed"
    if problem:
        if reporter is not None:
            reporter.write_line(f"CI: {problem}; PostgreSQL tests must run here", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend") if callspec else None


@pytest.fixture(params=[*BACKENDS, MEMORY])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(backend: str, tmp_path: Path) -> Iterator[Any]:
    """Where a test's store lives: a SQLite file, or a PostgreSQL URL naming an empty schema
    that no other test uses meanwhile (none for the in-memory store)."""
    if backend == MEMORY:
        yield None
        return
    if backend == "sqlite":
        yield tmp_path / "ledger.db"
        return
    url = postgres_schemas().new()
    yield url
    postgres_schemas().drop(url)


@pytest.fixture
def store(backend: str, location: Any) -> Iterator[BaseStore | MemoryStore]:
    s = MemoryStore() if backend == MEMORY else open_store(location)
    yield s
    s.close()


@pytest.fixture
def ledger(store: BaseStore, clock: FakeClock) -> Ledger:
    return Ledger(store, "anna", clock=clock)


class Cli:
    """Runs `prognos` in-process against one store (a file or a PostgreSQL URL), as a user
    would type it."""

    def __init__(self, store_path: Any):
        self.store_path = store_path
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str = "anna", env: dict[str, str] | None = None) -> Any:
        env = {"PROGNOS_STORE": str(self.store_path), "PROGNOS_USER": user, **(env or {})}
        return self.runner.invoke(app, list(args), env=env)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(backend: str, location: Any, tmp_path: Path) -> Cli:
    return Cli(tmp_path / "cli.db" if backend == "sqlite" else location)


@pytest.fixture
def snapshot() -> Callable[[Path], list[Any]]:
    return dump_store

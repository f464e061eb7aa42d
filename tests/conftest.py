"""Builders shared by every test layer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from prognos.cli.main import app
from prognos.domain.application import Ledger
from prognos.projections.store import SQLiteStore


class FakeClock:
    """A clock the test moves by hand: no sleeps, exact known-at boundaries."""

    def __init__(self, start: datetime = datetime(2024, 1, 10, 8, 0, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "ledger.db")
    yield s
    s.close()


@pytest.fixture
def ledger(store: SQLiteStore, clock: FakeClock) -> Ledger:
    return Ledger(store, "anna", clock=clock)


class Cli:
    """Runs `prognos` in-process against one store file, as a user would type it."""

    def __init__(self, store_path: Path):
        self.store_path = store_path
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str = "anna") -> Any:
        env = {"PROGNOS_STORE": str(self.store_path), "PROGNOS_USER": user}
        return self.runner.invoke(app, list(args), env=env)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "cli.db")


def dump_store(path: Path) -> list[Any]:
    """Every row of every table: proof that a refused command changed nothing."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(t, sorted(map(repr, con.execute(f"SELECT * FROM {t}")))) for t in sorted(tables)]
    finally:
        con.close()


@pytest.fixture
def snapshot() -> Callable[[Path], list[Any]]:
    return dump_store

"""Fixtures for the command-line tests: a small line tree, and the two ways a command fails.

Every failing command is held to the contract of issue 2: the exit code (1 for a
refusal, 2 for a usage error), exactly one line on stderr naming the problem,
nothing on stdout, no traceback, and not a single row of the store changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

TREE = [
    ("it", "--name", "IT"),
    ("it-sak", "--name", "Informationssäkerhet", "--parent", "it"),
    ("it-drift", "--name", "Drift", "--parent", "it"),
    ("skola", "--name", "Skola"),
]


SHM = "/dev/shm"


@pytest.fixture
def cli(cli: Any) -> Iterator[Any]:
    """The shared `cli` fixture, with its store moved to memory-backed /dev/shm when there is
    one: these tests are about the command line, and SQLite's fsyncs on a busy disk would
    otherwise dominate their run time. tests/integration uses real files on disk."""
    if not isinstance(cli.store_path, Path) or not (os.path.isdir(SHM) and os.access(SHM, os.W_OK)):
        yield cli
        return
    with tempfile.TemporaryDirectory(dir=SHM, prefix="prognos-cli-") as folder:
        yield type(cli)(Path(folder) / "cli.db")


def _first_line_only(result: Any) -> str:
    stderr = result.stderr
    assert "Traceback" not in stderr, stderr
    assert "Traceback" not in result.stdout, result.stdout
    # An exception other than SystemExit would be a crash, not a user error.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = stderr.splitlines()
    assert len(lines) == 1, f"want exactly one line on stderr, got {stderr!r}"
    assert lines[0].strip(), "the error line is blank"
    assert result.stdout == "", f"a failing command printed on stdout: {result.stdout!r}"
    return lines[0]


def _failing(cli: Any, snapshot: Callable[[Any], Any], exit_code: int) -> Callable[..., str]:
    def run(*args: str, names: str | Sequence[str] = (), user: str = "anna") -> str:
        before = snapshot(cli.store_path)
        result = cli(*args, user=user)
        assert result.exit_code == exit_code, (
            f"exit {result.exit_code}, want {exit_code}: {result.stdout!r} {result.stderr!r}"
        )
        line = _first_line_only(result)
        for name in [names] if isinstance(names, str) else names:
            assert name in line, f"{name!r} not named in {line!r}"
        assert snapshot(cli.store_path) == before, "the failing command changed the store"
        return line

    return run


@pytest.fixture
def refused(cli: Any, snapshot: Callable[[Any], Any], tree: None) -> Callable[..., str]:
    """Run a command that the ledger's rules must refuse: exit 1, one line, store unchanged."""
    return _failing(cli, snapshot, 1)


@pytest.fixture
def usage_error(cli: Any, snapshot: Callable[[Any], Any], tree: None) -> Callable[..., str]:
    """Run a command whose text cannot be read: exit 2, one line, store unchanged."""
    return _failing(cli, snapshot, 2)


@pytest.fixture
def ok(cli: Any) -> Callable[..., Any]:
    """Run a command that must succeed; return its result."""

    def run(*args: str, user: str = "anna") -> Any:
        result = cli(*args, user=user)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        assert result.exception is None, repr(result.exception)
        return result

    return run


@pytest.fixture
def write(cli: Any) -> Callable[..., list[dict[str, Any]]]:
    """Run a write command with --json (placed before any `--`); return its events."""

    def run(*args: str, user: str = "anna") -> list[dict[str, Any]]:
        args_list = list(args)
        if "--" in args_list:
            i = args_list.index("--")
            args_list[i:i] = ["--json"]
        else:
            args_list.append("--json")
        result = cli(*args_list, user=user)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return json.loads(result.stdout)["events"]

    return run


@pytest.fixture
def tree(ok: Callable[..., Any]) -> None:
    """The lines most tests use (the store file exists afterwards)::

        it          roll-up
          it-sak    leaf
          it-drift  leaf
        skola       leaf
    """
    for args in TREE:
        ok("line", "add", *args)


@pytest.fixture
def report(cli: Any) -> Callable[..., dict[str, Any]]:
    """`report --json` for 2024 as of a month (extra options allowed)."""

    def run(as_of: str, *extra: str, year: str = "2024") -> dict[str, Any]:
        return cli.json("report", "--year", year, "--as-of", as_of, *extra)

    return run


@pytest.fixture
def line_of(report: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """One line of `report --json`, by code."""

    def run(code: str, as_of: str, *extra: str, year: str = "2024") -> dict[str, Any]:
        doc = report(as_of, *extra, year=year)
        [line] = [ln for ln in doc["lines"] if ln["code"] == code]
        return line

    return run

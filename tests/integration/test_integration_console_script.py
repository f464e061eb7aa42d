"""The installed `prognos` console script, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

from backends import console_script


def run(
    *args: str, store: Path | None, cwd: Path, user: str = "anna"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROGNOS_")}
    env["PROGNOS_USER"] = user
    if store is not None:
        env["PROGNOS_STORE"] = str(store)
    return subprocess.run(
        [console_script(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_prognos_help_exits_zero(tmp_path):
    result = run("--help", store=None, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    for command in ("line", "budget", "forecast", "actual", "report", "history", "why", "check"):
        assert command in result.stdout
    assert not (tmp_path / "prognos.db").exists()


def test_the_console_script_writes_and_reports(tmp_path):
    store = tmp_path / "ledger.db"
    script = (
        ("line", "add", "it", "--name", "IT"),
        ("line", "add", "it-sak", "--name", "Säkerhet", "--parent", "it"),
    )
    for args in script:
        result = run(*args, store=store, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    result = run("actual", "book", "it-sak", "--period", "2024-03", "--json", "--", "-1 500,50",
                 store=store, cwd=tmp_path, user="bertil")
    assert result.returncode == 0, result.stderr
    [event] = json.loads(result.stdout)["events"]
    assert event["line"] == "it-sak"
    assert datetime.fromisoformat(event["recorded_at"]).utcoffset().total_seconds() == 0

    result = run("report", "--year", "2024", "--as-of", "2024-03", "--json",
                 "--known-at", event["recorded_at"], store=store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(ln["code"], ln["actual_ytd"]) for ln in doc["lines"]] == [
        ("it", "-1500.50"), ("it-sak", "-1500.50"),
    ]
    assert doc["total"]["actual_ytd"] == "-1500.50"


def test_the_console_script_refuses_with_one_line_and_exit_1(tmp_path):
    store = tmp_path / "ledger.db"
    assert run("line", "add", "it", "--name", "IT", store=store, cwd=tmp_path).returncode == 0
    refused = run("line", "add", "it", "--name", "IT", store=store, cwd=tmp_path)
    assert refused.returncode == 1
    assert len(refused.stderr.splitlines()) == 1 and "it" in refused.stderr
    assert "Traceback" not in refused.stderr
    usage = run("budget", "set", "it", "12,3.4", "--year", "2024", "--reason", "r",
                store=store, cwd=tmp_path)
    assert usage.returncode == 2
    assert len(usage.stderr.splitlines()) == 1 and "Traceback" not in usage.stderr


def test_the_default_store_is_prognos_db_in_the_working_directory(tmp_path):
    result = run("line", "add", "it", "--name", "IT", store=None, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "prognos.db").exists()

"""The README's shell blocks, run as written: an example in the README is a promise.

Each block runs in bash with the installed `prognos` first on PATH, in a folder laid
out like the repository root (the seed report and the example files copied in), so
relative paths mean what they mean to a reader at the root. What cannot run here is
said for each block: `pip install` and `pytest` (this run is both), and the PostgreSQL
block's host, replaced by the test server.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from backends import console_script, postgres_schemas

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)


def _block(heading: str) -> str:
    """The shell block of the README section with this heading."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)[0]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A folder laid out like the repository root, for the README's relative paths."""
    shutil.copytree(ROOT / "cli" / "seed", tmp_path / "cli" / "seed")
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    (tmp_path / "docs" / "images").mkdir()
    shutil.copy(ROOT / "docs" / "screenshot.py", tmp_path / "docs")
    return tmp_path


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROGNOS_")}
    env["PATH"] = f"{Path(console_script()).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def commands(block: str) -> list[str]:
    """A block's commands, continuation lines joined and comments left out."""
    joined = block.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def test_every_shell_block_of_the_readme_is_run_here() -> None:
    run_here = [_block(h) for h in ("Quickstart", "Walkthrough", "Importing files",
                                    "A ledger an auditor can rely on",
                                    "Auditing a published report", "Sharing the report",
                                    "PostgreSQL", "Tests")]
    assert sorted(run_here) == sorted(BLOCKS), "a new README block needs its test here"


def test_the_quickstart_demo_runs(root: Path) -> None:
    install, tests = _block("Quickstart").splitlines()
    assert install == 'pip install -e ".[test]" && prognos demo' and tests == "pytest"
    done = bash("prognos demo", root)  # the install is what this run stands on
    assert done.returncode == 0, done.stderr
    assert "prognos demo" in done.stdout and "Traceback" not in done.stderr


def test_the_walkthrough_and_the_imports_run_as_written(root: Path) -> None:
    script = ("set -e\n" + _block("Walkthrough") + _block("Importing files")
              + _block("A ledger an auditor can rely on") + "prognos check\n")
    done = bash(script, root)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.count("importerade ") == 6  # every example file, none already imported
    # the booking sent twice is recorded once; both copies are verified
    assert done.stdout.count("bokfört utfall 200 000,00 kr på it-drift") == 2
    assert len(set(re.findall(r"bokfört utfall 200 000,00 kr på it-drift för 2024-03, ver\. "
                              r"V1002 \(#\d+\)", done.stdout))) == 1
    assert done.stdout.count("kopian är kontrollerad") == 2
    assert (root / "it-kopia.db").exists() and (root / "it-arkiv.db").exists()
    assert "code;name;parent" in done.stdout  # `source` gave the tree file back
    assert not [line for line in done.stdout.splitlines() if line.startswith(("FEL", "FAIL"))]


def test_the_reconcile_examples_find_the_published_discrepancies(root: Path) -> None:
    examples = commands(_block("Auditing a published report"))
    assert len(examples) == 2
    for example in examples:
        done = bash(example, root)
        assert done.returncode == 1, done.stderr  # the seed report has discrepancies
        assert "Traceback" not in done.stderr
        # The seed report's typo in Summa bastjänster's forecast, as its cause.
        assert "Summa bastjänster, prognos" in done.stdout
        assert "(skillnad −2 999 kr). Trolig orsak" in " ".join(done.stdout.split())


def test_the_pictures_are_made_by_the_commands_shown(root: Path) -> None:
    block = _block("Sharing the report")
    done = bash("set -e\n" + block, root)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    shown = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)",
                       README.split("\n## Sharing the report\n", 1)[1].split("\n## ", 1)[0])
    assert len(shown) == 3
    for picture in shown:  # each picture the README shows is made here, and committed
        assert (root / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert (ROOT / picture).exists(), picture
    assert (root / "prognos-demo.html").stat().st_size > 100_000
    assert (root / "prognos-demo.xlsx").exists()


@pytest.mark.postgres_only
def test_the_postgresql_example_runs_on_the_test_server(root: Path) -> None:
    block = _block("PostgreSQL")
    shown = re.search(r'PROGNOS_STORE="([^"]+)"', block)
    assert shown is not None
    location = postgres_schemas().new()
    try:
        done = bash(block.replace(shown[1], location), root)
        assert done.returncode == 0, done.stderr
        assert "lagt till raden it" in done.stdout
    finally:
        postgres_schemas().drop(location)


def test_the_tests_block_is_this_run() -> None:
    assert _block("Tests").strip() == "pytest"

"""Crashes and retries as real processes (issue 13), on both stores.

- An import is killed (SIGKILL) at a different point each time, from early in its
  transaction to after it ends: nothing of it is ever half there, `check` passes, and
  running it again records it once.
- Writers run at once, each request sent, its process sometimes killed, and sent again
  with the same --request-id: every request is recorded exactly once.

Sized to keep the suite fast; PROGNOS_LONG_TESTS=N runs N times as many by hand. Nothing
here sleeps: a kill waits for the import's own progress (its write-ahead log growing),
and the test waits for processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from backends import console_script, is_postgres, query_sql

LONG = max(1, int(os.environ.get("PROGNOS_LONG_TESTS", "1")))
KILLS = 3 * LONG  # per store
WRITERS, REQUESTS = 3, 4 * LONG  # processes at once, requests each
LINES, ROWS = 50, 10_000  # an import killed


def prognos(store: Any, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROGNOS_")}
    env.update(PROGNOS_STORE=str(store), PROGNOS_USER="anna")
    return subprocess.Popen([console_script(), *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def ran(store: Any, *args: str) -> subprocess.CompletedProcess[str]:
    proc = prognos(store, *args)
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def events(store: Any) -> int:
    column = "notification_id" if is_postgres(store) else "rowid"
    return int(query_sql(store, f"SELECT COALESCE(MAX({column}), 0) FROM stored_events")[0][0])


def progress(store: Any) -> int:
    """Bytes the database has written ahead so far (SQLite's WAL file; PostgreSQL's WAL)."""
    if is_postgres(store):
        return int(query_sql(store, "SELECT pg_current_wal_lsn() - '0/0'")[0][0])
    wal = Path(f"{store}-wal")
    return wal.stat().st_size if wal.exists() else 0


@pytest.fixture
def lines(location: Any, tmp_path: Path) -> None:
    """A store with the lines the bookings go on."""
    tree = tmp_path / "tree.csv"
    tree.write_text("code;name;parent\nit;IT;\n" + "".join(
        f"l{i};Line {i};it\n" for i in range(LINES)), encoding="utf-8")
    done = ran(location, "import", "lines", str(tree))
    assert done.returncode == 0, done.stderr


def bookings(tmp_path: Path, n: int) -> Path:
    """The n-th month's file of bookings (its own references: not the same bookings)."""
    path = tmp_path / f"bookings-{n}.csv"
    path.write_text("code;amount;ref\n" + "".join(
        f"l{i % LINES};{i % 997 + 1};V{n}-{i}\n" for i in range(ROWS)), encoding="utf-8")
    return path


def test_an_import_killed_anywhere_leaves_all_or_nothing_and_runs_again_once(
    location: Any, lines: None, tmp_path: Path
):
    whole = ROWS + 1  # a booking a row, and the file's record
    landed = {"before": 0, "after": 0}
    for kill in range(KILLS):
        path, before, start = bookings(tmp_path, kill), events(location), progress(location)
        proc = prognos(location, "import", "actual", str(path), "--period", "2024-03")
        # Kill once the import has written (kill mod 5) × 3 MB ahead: from as it starts to
        # after it ends, where the file went in whole.
        threshold = start + (kill % 5) * 3_000_000
        while proc.poll() is None and progress(location) < threshold:
            try:
                proc.wait(timeout=0.002)
            except subprocess.TimeoutExpired:
                pass
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        now = events(location)
        assert now in (before, before + whole), (kill, now - before)
        landed["after" if now == before + whole else "before"] += 1
        check = ran(location, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        again = ran(location, "import", "actual", str(path), "--period", "2024-03", "--json")
        assert again.returncode == 0, again.stderr
        assert events(location) == before + whole  # recorded once, by whichever run
    assert ran(location, "check").returncode == 0
    print(f"kills: {KILLS} ({landed['before']} before the commit, {landed['after']} after); "
          "each file recorded once")


WRITER = """
import os, signal, subprocess, sys
exe, store, me, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env = {**{k: v for k, v in os.environ.items() if not k.startswith("PROGNOS_")},
       "PROGNOS_STORE": store, "PROGNOS_USER": me}
attempts = answered = refused = killed = 0
for i in range(requests):
    args = [exe, "actual", "book", "skola", "1", "--period", "2024-03",
            "--ref", f"{me}-{i}", "--request-id", f"{me}-{i}", "--json"]
    if i % 2:  # a terminal killed while it waited for the answer
        attempts += 1
        first = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            first.wait(timeout=0.05 * (i % 5))
        except subprocess.TimeoutExpired:
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed += 1
    for send in range(2):  # sent, and sent again as a retry after a lost reply
        attempts += 1
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            refused += 1
            print(done.stderr, file=sys.stderr)
        else:
            answered += 1
print(attempts, answered, refused, killed)
"""


def test_writers_at_once_with_retries_record_every_request_exactly_once(location: Any,
                                                                         tmp_path: Path):
    assert ran(location, "line", "add", "skola", "--name", "Skola").returncode == 0
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), console_script(), str(location),
                               f"w{n}", str(REQUESTS)], text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for n in range(WRITERS)]
    totals = [0] * 4
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        for k, value in enumerate(map(int, out.split())):
            totals[k] += value
    attempts, answered, refused, killed = totals
    assert refused == 0 and answered == 2 * WRITERS * REQUESTS
    refs = [r for (r,) in query_sql(location, "SELECT ref FROM prognos_entries "
                                              "WHERE kind = 'actual_booked'")]
    wanted = {f"w{n}-{i}" for n in range(WRITERS) for i in range(REQUESTS)}
    assert sorted(refs) == sorted(wanted)  # 0 lost, 0 recorded twice
    assert ran(location, "check").returncode == 0
    print(f"{attempts} attempts ({killed} killed), {answered} answered, {refused} refused; "
          f"{len(refs)} bookings for {len(wanted)} requests")

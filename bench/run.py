"""The prognos benchmark: build a ledger through `prognos import`, time the read commands as
whole processes, and compare with a hand-written SQLite floor and (where installed) hledger.

    python bench/run.py --scale M [--runs 3] [--workdir /tmp/prognos-bench] [--no-hledger]

Prints one JSON document. Every time is the median of --runs runs (at least 3).
Run by hand, on an otherwise idle machine; not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from generate import YEAR, Dataset, generate  # noqa: E402


def run(cmd: list[str], stdout: int | None = subprocess.DEVNULL, timeout: float | None = None,
        env: dict[str, str] | None = None) -> tuple[float, float, bytes]:
    """Wall seconds, peak RSS (MB) and stdout of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise TimeoutError(" ".join(cmd))
        time.sleep(0.002)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024, out


def median_of(runs: int, cmd: list[str], **kw: object) -> tuple[float, float]:
    results = [run(cmd, **kw) for _ in range(runs)]  # type: ignore[arg-type]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def build(data: Dataset, prognos: list[str]) -> tuple[float, int, str, float]:
    """Import the dataset file by file, a month at a time; return import wall time, events,
    a mid-year known-at and the largest peak RSS of one import."""
    folder = data.folder
    imports: list[list[str]] = [
        ["import", "lines", str(folder / "tree.csv")],
        ["import", "budget", str(folder / "budget.csv"), "--year", str(YEAR)],
    ]
    for month in range(1, 13):
        m = f"{YEAR}-{month:02d}"
        imports.append(["import", "actual", str(folder / f"actuals-{m}.csv"), "--period", m])
        imports.append(["import", "forecast", str(folder / f"forecasts-{m}.csv"),
                        "--year", str(YEAR), "--as-of", m])
    return _imports(prognos, imports, after=f"forecasts-{YEAR}-06.csv")


def build_year(data: Dataset, prognos: list[str]) -> tuple[float, int, str, float]:
    """The same events from one file per kind for the whole year (four imports)."""
    folder = data.folder
    return _imports(prognos, [
        ["import", "lines", str(folder / "tree.csv")],
        ["import", "budget", str(folder / "budget.csv"), "--year", str(YEAR)],
        ["import", "actual", str(folder / f"actuals-{YEAR}.csv")],
        ["import", "forecast", str(folder / f"forecasts-{YEAR}.csv"), "--year", str(YEAR)],
    ])


def _imports(prognos: list[str], imports: list[list[str]], after: str = "") -> tuple[float, int, str, float]:
    run([*prognos, "line", "add", "root", "--name", "Root"])
    total, events, known_at, rss = 0.0, 0, "", 0.0
    for args in imports:
        wall, peak, out = run([*prognos, *args, "--json"], stdout=subprocess.PIPE)
        total += wall
        rss = max(rss, peak)
        events += json.loads(out)["events_recorded"]
        if after and args[2].endswith(after):
            known_at = datetime.now(timezone.utc).isoformat()  # e.g. after June, before July
    return total, events, known_at, rss


def median_build(runs: int, how: Any, data: Dataset, store: Path,
                 prognos: list[str]) -> tuple[float, int, str, float]:
    """Build the store `runs` times from nothing; the median wall time, the last store kept."""
    results = []
    for _ in range(runs):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        results.append(how(data, prognos))
    wall = statistics.median(r[0] for r in results)
    _, events, known_at, _ = results[-1]
    return wall, events, known_at, max(r[3] for r in results)


def header(scale: str, events: int, lines: int) -> dict[str, Any]:
    """What every result document starts with: which run, where, when, how large."""
    return {
        "scale": scale,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": datetime.now(timezone.utc).date().isoformat(),
        "events": events,
        "lines": lines,
    }


def read_commands(runs: int, prognos: list[str], known_at: str, events: int) -> dict[str, float]:
    """The read commands as whole processes (medians, peak RSS): the report as of May, the
    same as known at `known_at`, `why` for the top roll-up over the year, and rebuild."""
    year = ["--year", str(YEAR)]
    may = [*prognos, "report", *year, "--as-of", f"{YEAR}-05", "--json"]
    figures: dict[str, float] = {}
    for name, cmd in (
        ("report", may),
        ("known_at_report", [*may, "--known-at", known_at]),
        ("why", [*prognos, "why", "root", *year, "--from", f"{YEAR}-01", "--to", f"{YEAR}-12", "--json"]),
    ):
        figures[f"{name}_wall_s"], figures[f"{name}_peak_rss_mb"] = median_of(runs, cmd)
    rebuild_wall, figures["rebuild_peak_rss_mb"] = median_of(runs, [*prognos, "rebuild", "--json"])
    figures["rebuild_events_per_s"] = events / rebuild_wall
    return figures


def floor(data: Dataset, workdir: Path, runs: int) -> dict[str, float]:
    """The same events in one flat SQLite table: raw inserts, and two hand-written queries:
    the same report as prognos prints, with its tree, roll-ups and deviations
    (`sql_report_wall_s`, the issue's floor), and the leaves' figures only
    (`sql_leaf_figures_wall_s`, a query that does less than the report)."""
    # The tree's line events come first (positions 1..lines); they are inserted after the
    # timed part, which is the amount events in the five columns the first floor used.
    lines: list[tuple[object, ...]] = [("root", "line", 1, "Root", None)]
    with open(data.folder / "tree.csv", encoding="utf-8") as f:
        next(f)
        for line in f:
            code, name, parent = line.rstrip("\n").split(";")[:3]
            lines.append((code, "line", len(lines) + 1, name, parent))
    rows = []
    position = len(lines)
    for code, amount in _read(data.folder / "budget.csv"):
        position += 1
        rows.append((code, "budget", 1, _ore(amount), position))
    for month in range(1, 13):
        for kind, name in (("actual", "actuals"), ("forecast", "forecasts")):
            for code, amount in _read(data.folder / f"{name}-{YEAR}-{month:02d}.csv"):
                position += 1
                rows.append((code, kind, month, _ore(amount), position))
    db = workdir / "floor.db"
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE ev (line TEXT, kind TEXT, month INTEGER, amount INTEGER, "
                "position INTEGER PRIMARY KEY)")
    start = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO ev (line, kind, month, amount, position) VALUES (?,?,?,?,?)", rows)
    con.execute("COMMIT")
    insert = time.perf_counter() - start
    con.execute("ALTER TABLE ev ADD COLUMN name TEXT")
    con.execute("ALTER TABLE ev ADD COLUMN parent TEXT")
    con.executemany("INSERT INTO ev (line, kind, position, name, parent) VALUES (?,?,?,?,?)", lines)
    con.execute("CREATE INDEX ev_kind ON ev (kind, line, month, position, amount)")
    con.execute("CREATE INDEX ev_tree ON ev (kind, parent, position)")
    con.close()
    query = textwrap.dedent(f"""
        import sqlite3, sys
        con = sqlite3.connect({str(db)!r})
        out = sys.stdout
        for row in con.execute('''
            WITH b AS (SELECT line, amount FROM ev WHERE kind = 'budget'),
            f AS (SELECT line, amount, MAX(month * 4294967296 + position) FROM ev
                  WHERE kind = 'forecast' AND month <= 5 GROUP BY line),
            a AS (SELECT line, SUM(amount) AS s FROM ev
                  WHERE kind = 'actual' AND month <= 5 GROUP BY line)
            SELECT b.line, b.amount, f.amount, a.s FROM b
            LEFT JOIN f ON f.line = b.line LEFT JOIN a ON a.line = b.line'''):
            out.write('%s\\t%s\\t%s\\t%s\\n' % row)
    """)
    leaves, _ = median_of(runs, [sys.executable, "-c", query])
    report, _ = median_of(runs, [sys.executable, "-c", SQL_REPORT.format(db=str(db))])
    return {"sql_report_wall_s": report, "sql_leaf_figures_wall_s": leaves,
            "executemany_events_per_s": len(rows) / insert}


def stored_rows_floor(store: Path, workdir: Path, runs: int) -> float:
    """Events/s of writing prognos's own rows raw: every event as eventsourcing stores it
    and its view rows, `executemany` into the same tables and indexes of a new file, in one
    transaction, with the page cache prognos's writes use; the median of `runs`. The rows
    are read into memory first, so only the writing is timed. What any import of these
    events into this format costs before one line of a file is read."""
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    schema = [sql for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
    # The event table's rowid is its notification id (the position): kept as it was.
    columns = {"stored_events": "rowid, originator_id, originator_version, topic, state",
               "prognos_entries": "*", "prognos_commands": "*"}
    tables = {name: source.execute(f"SELECT {cols} FROM {name} ORDER BY rowid").fetchall()
              for name, cols in columns.items()}
    lines = source.execute("SELECT * FROM prognos_lines").fetchall()
    source.close()
    events, batch = len(tables["stored_events"]), 20_000
    walls = []
    for _ in range(runs):
        db = workdir / "stored-rows.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA cache_size = -65536")  # as prognos's writes (CACHE_KIB)
        for sql in schema:
            con.execute(sql)
        start = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        for i in range(0, events, batch):  # a batch of each table in turn, as prognos writes
            for name, rows in tables.items():
                chunk = rows[i:i + batch]
                if chunk:
                    into = name if columns[name] == "*" else f"{name} ({columns[name]})"
                    marks = ",".join("?" * len(chunk[0]))
                    con.executemany(f"INSERT INTO {into} VALUES ({marks})", chunk)
        con.executemany(f"INSERT INTO prognos_lines VALUES ({','.join('?' * len(lines[0]))})",
                        lines)
        con.execute("COMMIT")
        walls.append(time.perf_counter() - start)
        con.close()
    return events / statistics.median(walls)


# The same report as prognos prints, in one hand-written query over the same flat
# table (the tree is its `line` events): every line in depth-first order with name,
# parent and depth, budget, forecast (the budget where not revised), budget to date
# rounded half-even, actual to date, both deviations, and every roll-up summed from
# its leaves; amounts in öre. Checked row for row against `prognos report` at M and L.
# The leaf-figures query above prints the leaves' three figures only.
SQL_REPORT = r"""
import sqlite3, sys
con = sqlite3.connect({db!r})
out = sys.stdout
for row in con.execute('''
    WITH RECURSIVE
    b AS (SELECT line, amount FROM ev WHERE kind = 'budget'),
    f AS (SELECT line, amount, MAX(month * 4294967296 + position) FROM ev
          WHERE kind = 'forecast' AND month <= 5 GROUP BY line),
    a AS (SELECT line, SUM(amount) AS s FROM ev WHERE kind = 'actual' AND month <= 5 GROUP BY line),
    leaf AS (
        SELECT b.line, b.amount AS bud, COALESCE(f.amount, b.amount) AS fc,
               f.amount IS NOT NULL AS rev, COALESCE(a.s, 0) AS act,
               (b.amount * 5 - (((b.amount * 5) % 12) + 12) % 12) / 12 AS q,
               (((b.amount * 5) % 12) + 12) % 12 AS r
        FROM b LEFT JOIN f ON f.line = b.line LEFT JOIN a ON a.line = b.line),
    figures AS MATERIALIZED (
        SELECT line, bud, fc, rev, act,
               q + (r * 2 > 12 OR (r * 2 = 12 AND q % 2 != 0)) AS ytd FROM leaf),
    tree(code, name, parent, depth, path) AS (
        SELECT line, name, parent, 0, printf('%010d', position) FROM ev
        WHERE kind = 'line' AND parent IS NULL
        UNION ALL
        SELECT l.line, l.name, l.parent, t.depth + 1, t.path || printf('%010d', l.position)
        FROM ev l JOIN tree t ON l.kind = 'line' AND l.parent = t.code),
    up(code, anc) AS (
        SELECT line, line FROM figures
        UNION ALL
        SELECT up.code, l.parent FROM up JOIN ev l ON l.kind = 'line' AND l.line = up.anc
        WHERE +l.parent IS NOT NULL),
    sums AS (
        SELECT up.anc AS code, SUM(bud) AS bud, SUM(fc) AS fc, MAX(rev) AS rev,
               SUM(ytd) AS ytd, SUM(act) AS act
        FROM up JOIN figures ON figures.line = up.code GROUP BY up.anc)
    SELECT t.code, t.name, t.parent, t.depth, s.bud, s.fc, s.fc - s.bud, s.rev, s.ytd, s.act,
           s.act - s.ytd
    FROM tree t LEFT JOIN sums s ON s.code = t.code ORDER BY t.path'''):
    out.write('%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' % row)
"""


def sql_report_matches(prognos: list[str], db: Path) -> bool:
    """Whether the SQL floor prints exactly prognos's report: every line, in order,
    with the same six amounts (so the two really compute the same report)."""
    # Both outputs are megabytes: read them as they come (`run` reads after the exit).
    out = subprocess.run([sys.executable, "-c", SQL_REPORT.format(db=str(db))],
                         capture_output=True, check=True).stdout
    floor_rows = [line.split("\t") for line in out.decode().splitlines()]
    doc = subprocess.run([*prognos, "report", "--year", str(YEAR), "--as-of", f"{YEAR}-05",
                          "--json"], capture_output=True, check=True).stdout
    lines = json.loads(doc)["lines"]

    def ore(text: str) -> int:
        return int(text.replace(".", ""))

    return len(floor_rows) == len(lines) and all(
        (r[0], *map(int, (r[4], r[5], r[6], r[8], r[9], r[10]))) == (
            ln["code"], *(ore(ln[k]) for k in ("budget", "forecast", "forecast_deviation",
                                              "budget_ytd", "actual_ytd", "actual_deviation")))
        for r, ln in zip(floor_rows, lines)
    )


def _read(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        next(f)
        return [tuple(line.rstrip("\n").split(";")[:2]) for line in f]  # type: ignore[misc]


def _ore(text: str) -> int:
    kr, _, ore = text.partition(",")
    sign = -1 if kr.startswith("-") else 1
    return sign * (abs(int(kr)) * 100 + int(ore or 0))


def hledger(data: Dataset, workdir: Path, runs: int, timeout: float) -> dict[str, float] | None:
    """The same data as an hledger journal; time its budget report (and the May forecast tree)."""
    exe = shutil.which("hledger")
    if exe is None:
        return None
    journal = workdir / "ledger.journal"
    with open(journal, "w", encoding="utf-8") as j:
        j.write(f"~ yearly from {YEAR}-01-01  budget\n")
        for code, amount in _read(data.folder / "budget.csv"):
            j.write(f"    expenses:{code}  {amount.replace(',', '.')} SEK\n")
        j.write("    assets:budget\n\n")
        for month in range(1, 13):
            day = f"{YEAR}-{month:02d}-28"
            for code, amount in _read(data.folder / f"actuals-{YEAR}-{month:02d}.csv"):
                j.write(f"{day} V{month:02d}\n    expenses:{code}  {amount.replace(',', '.')} SEK\n"
                        "    assets:bank\n\n")
        j.write(f"{YEAR}-05-31 forecast as of May\n")
        for code, amount in _read(data.folder / f"forecasts-{YEAR}-05.csv"):
            j.write(f"    forecast:{code}  {amount.replace(',', '.')} SEK\n")
        j.write("    equity:forecast\n\n")
    base = [exe, "-f", str(journal)]
    try:
        budget, budget_rss = median_of(
            runs, [*base, "balance", "--budget", "-b", f"{YEAR}-01-01", "-e", f"{YEAR}-06-01",
                   "expenses"], timeout=timeout)
        tree, _ = median_of(runs, [*base, "balance", "forecast", "-e", f"{YEAR}-06-01"],
                            timeout=timeout)
    except TimeoutError:
        return {"timed_out_after_s": timeout}
    return {"budget_report_wall_s": budget, "budget_report_peak_rss_mb": budget_rss,
            "forecast_tree_wall_s": tree}


def arguments(doc: str | None, workdir: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes: scale, runs and a work folder."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--scale", choices=("S", "M", "L"), default="S")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(workdir))
    return parser


def prepare(args: argparse.Namespace) -> tuple[int, Path, Dataset]:
    """The runs (at least 3), a new work folder for the scale, and its generated data."""
    workdir = args.workdir / args.scale
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    return max(3, args.runs), workdir, generate(args.scale, workdir / "data")


def main() -> None:
    parser = arguments(__doc__, "/tmp/prognos-bench")
    parser.add_argument("--no-hledger", action="store_true")
    parser.add_argument("--hledger-timeout", type=float, default=900)
    args = parser.parse_args()
    runs, workdir, data = prepare(args)
    store = workdir / "prognos.db"
    exe = shutil.which("prognos") or "prognos"
    prognos = [exe, "--store", str(store), "--user", "bench"]

    bulk_store = workdir / "prognos-year.db"
    bulk = [exe, "--store", str(bulk_store), "--user", "bench"]
    year_wall, year_imported, _, year_rss = median_build(runs, build_year, data, bulk_store, bulk)
    bulk_store.unlink()
    import_wall, imported, known_at, import_rss = median_build(runs, build, data, store, prognos)
    events = imported + 1  # and the root line
    reads = read_commands(runs, prognos, known_at, events)
    help_wall, _ = median_of(runs, [exe, "--help"])
    floor_figures = floor(data, workdir, runs)
    floor_figures["sql_report_matches_prognos"] = sql_report_matches(prognos, workdir / "floor.db")
    floor_figures["stored_rows_executemany_events_per_s"] = stored_rows_floor(store, workdir, runs)
    ledger = None if args.no_hledger else hledger(data, workdir, runs, args.hledger_timeout)
    result = {
        **header(args.scale, events, data.lines),
        # The headline: the year in one file per kind (4 processes, 1.25 M events at L).
        "import_events_per_s": year_imported / year_wall,
        "import_wall_s": year_wall,
        "import_peak_rss_mb": year_rss,
        # The monthly follow-up: 26 files of up to 50,000 rows, one process each.
        "monthly_import_events_per_s": imported / import_wall,
        "monthly_import_wall_s": import_wall,
        "monthly_import_peak_rss_mb": import_rss,
        **reads,
        "help_wall_s": help_wall,
        "store_mb": store.stat().st_size / 2**20,
        "floor": floor_figures,
        "ratios": {
            "report_over_floor": reads["report_wall_s"] / floor_figures["sql_report_wall_s"],
            "report_over_leaf_figures_floor": reads["report_wall_s"]
            / floor_figures["sql_leaf_figures_wall_s"],
            "floor_import_over_import": floor_figures["executemany_events_per_s"]
            / (year_imported / year_wall),
            "stored_rows_floor_over_import": floor_figures["stored_rows_executemany_events_per_s"]
            / (year_imported / year_wall),
        },
        "hledger": None,
    }
    if ledger is not None and "budget_report_wall_s" in ledger:
        ledger["ratio_prognos_over_hledger"] = reads["report_wall_s"] / ledger["budget_report_wall_s"]
    result["hledger"] = ledger
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""The prognos benchmark on a PostgreSQL store: the same data, imports and read commands as
`run.py`, each a whole process, against a schema of its own (dropped and made again for
every build).

    python bench/postgres.py --scale M [--runs 3] [--url postgresql://postgres@127.0.0.1/test]

Prints one JSON document; every time is the median of --runs runs (at least 3).
The floor and hledger are storage-independent: see `run.py`.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import arguments, build, build_year, header, prepare, read_commands  # noqa: E402


def drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def size_mb(url: str, schema: str) -> float:
    import psycopg

    with psycopg.connect(url.split("?")[0]) as conn:
        row = conn.execute(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchone()
    return float(row[0] or 0) / 2**20


def main() -> None:
    parser = arguments(__doc__, "/tmp/prognos-bench-pg")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    runs, _, data = prepare(args)
    schema = f"bench_{args.scale.lower()}"
    store = f"{args.url}?schema={schema}"
    exe = shutil.which("prognos") or "prognos"
    prognos = [exe, "--store", store, "--user", "bench"]

    builds = []
    for _ in range(runs):
        drop(args.url, schema)
        builds.append(build_year(data, prognos))
    year_wall = statistics.median(b[0] for b in builds)
    year_imported, year_rss = builds[-1][1], max(b[3] for b in builds)
    drop(args.url, schema)
    monthly_wall, imported, known_at, monthly_rss = build(data, prognos)
    events = imported + 1  # and the root line
    reads = read_commands(runs, prognos, known_at, events)
    result = {
        **header(args.scale, events, data.lines),
        "store": "postgresql",
        "import_events_per_s": year_imported / year_wall,
        "import_wall_s": year_wall,
        "import_peak_rss_mb": year_rss,
        "monthly_import_events_per_s": imported / monthly_wall,  # one build, not a median
        "monthly_import_peak_rss_mb": monthly_rss,
        **reads,
        "store_mb": size_mb(args.url, schema),
    }
    drop(args.url, schema)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

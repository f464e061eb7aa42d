"""The files prognos writes for people, measured: `export` (xlsx, csv) beside `report`, each
a whole process on the same store, with its peak RSS (issue 12: an L ledger of 50,000
lines exports within the memory bound of `report`, 400 MB).

    python bench/exports.py --scale L [--runs 3] [--workdir /tmp/prognos-bench-exports]

Also `chart` of the top roll-up, and (S and M) `html`.

Builds the ledger once (the year in four imports), then times each command --runs times.
Prints one JSON document: medians, peak RSS, and each command's time over `report`'s
(`report --json` on the same store in the same run: the floor).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import YEAR  # noqa: E402
from run import arguments, build_year, header, median_of, prepare  # noqa: E402

RSS_BOUND_MB = 400


def main() -> None:
    args = arguments(__doc__, "/tmp/prognos-bench-exports").parse_args()
    runs, workdir, data = prepare(args)
    store = workdir / "prognos.db"
    exe = shutil.which("prognos") or "prognos"
    prognos = [exe, "--store", str(store), "--user", "bench"]
    _, imported, _, _ = build_year(data, prognos)
    when = ["--year", str(YEAR), "--as-of", f"{YEAR}-05"]
    commands = {
        "report": [*prognos, "report", *when, "--json"],
        "export_xlsx": [*prognos, "export", *when, "-o", str(workdir / "r.xlsx")],
        "export_csv": [*prognos, "export", *when, "-o", str(workdir / "r.csv")],
        "chart": [*prognos, "chart", "root", "--year", str(YEAR), "-o", str(workdir / "c.svg")],
    }
    if args.scale != "L":  # the HTML report is made for M (5,000 lines); L is not its size
        commands["html"] = [*prognos, "html", *when, "-o", str(workdir / "r.html")]
    figures: dict[str, float] = {}
    for name, cmd in commands.items():
        figures[f"{name}_wall_s"], figures[f"{name}_peak_rss_mb"] = median_of(runs, cmd)
    result = {
        **header(args.scale, imported + 1, data.lines),
        **figures,
        "xlsx_mb": (workdir / "r.xlsx").stat().st_size / 2**20,
        "html_mb": (workdir / "r.html").stat().st_size / 2**20 if "html" in commands else None,
        "ratios": {f"{name}_over_report": figures[f"{name}_wall_s"] / figures["report_wall_s"]
                   for name in commands if name != "report"},
        "within_rss_bound": all(figures[f"{name}_peak_rss_mb"] <= RSS_BOUND_MB
                                for name in commands),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

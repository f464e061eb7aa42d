"""Deterministic ledgers for the benchmark: S, M and L scales of areas -> services.

Each service (leaf) gets one annual budget, 12 monthly actual bookings and 12
monthly forecast revisions: about 25 events per line. Files are written in the
shapes finance staff export (semicolon CSV, Swedish decimal comma), so the
benchmark goes through prognos's own import path: a file per month (the
monthly follow-up), and the same rows as one file per kind for the year.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

SCALES = {"S": 50, "M": 5_000, "L": 50_000}
YEAR = 2024


@dataclass(frozen=True)
class Dataset:
    scale: str
    leaves: int
    areas: int
    folder: Path

    @property
    def lines(self) -> int:
        return self.leaves + self.areas + 1

    @property
    def events(self) -> int:
        # line_added per line but the root, budget + 12 actuals + 12 forecasts
        # per leaf, one source_imported per file (tree, budget, 24 monthly files).
        return self.lines - 1 + self.leaves * 25 + 26


def ore_text(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    kr, rest = divmod(abs(ore), 100)
    return f"{sign}{kr},{rest:02d}"


def generate(scale: str, folder: Path, seed: int = 2024) -> Dataset:
    leaves = SCALES[scale]
    areas = max(1, leaves // 50)
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"s{i:06d}" for i in range(leaves)]
    area_of = [f"a{i % areas:04d}" for i in range(leaves)]
    with open(folder / "tree.csv", "w", encoding="utf-8") as f:
        f.write("code;name;parent\n")
        for a in range(areas):
            f.write(f"a{a:04d};Område {a};root\n")
        for code, area in zip(codes, area_of):
            f.write(f"{code};Tjänst {code[1:]};{area}\n")
    budgets = [rng.randrange(100_000_00, 50_000_000_00) for _ in codes]
    with open(folder / "budget.csv", "w", encoding="utf-8") as f:
        f.write("code;amount\n")
        for code, ore in zip(codes, budgets):
            f.write(f"{code};{ore_text(ore)}\n")
    # One file a month, as the ledger is fed in practice: actuals and the
    # month's forecast revision, imported with --period / --as-of.
    for month in range(1, 13):
        with open(folder / f"actuals-{YEAR}-{month:02d}.csv", "w", encoding="utf-8") as f:
            f.write("code;amount;ref\n")
            for code, ore in zip(codes, budgets):
                booked = ore // 12 + rng.randrange(-ore // 50, ore // 50 + 1)
                f.write(f"{code};{ore_text(booked or 1)};V{month:02d}\n")
        with open(folder / f"forecasts-{YEAR}-{month:02d}.csv", "w", encoding="utf-8") as f:
            f.write("code;amount\n")
            for code, ore in zip(codes, budgets):
                f.write(f"{code};{ore_text(ore + rng.randrange(-ore // 10, ore // 10))}\n")
    _year_files(folder)
    return Dataset(scale, leaves, areas, folder)


def _year_files(folder: Path) -> None:
    """The same actuals and forecasts as one file each for the whole year, with a month
    column: how a year is loaded at once (a migration, a national roll-up)."""
    for name, month_column in (("actuals", "period"), ("forecasts", "as_of")):
        with open(folder / f"{name}-{YEAR}.csv", "w", encoding="utf-8") as out:
            for month in range(1, 13):
                with open(folder / f"{name}-{YEAR}-{month:02d}.csv", encoding="utf-8") as f:
                    header = next(f).rstrip("\n")
                    if month == 1:
                        out.write(f"{header};{month_column}\n")
                    for line in f:
                        out.write(f"{line.rstrip()};{YEAR}-{month:02d}\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=SCALES, default="S")
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    args = parser.parse_args()
    data = generate(args.scale, args.out / args.scale)
    print(f"{data.lines} lines, about {data.events} events in {data.folder}")

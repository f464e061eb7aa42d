"""The city's August 2024 interim report as a ledger, and its tables reproduced from that ledger.

The line tree: Bastjänster -> the four service areas (inferred mapping) -> services;
Digital infrastruktur -> services; Förändringsinsatser -> Gemensamma tjänster /
Digital infrastruktur -> initiatives. Budgets are 2024's; the services' forecast
is the one made in May; the initiatives' full-year forecast is recorded as of
May too, and their Jan-Aug outcome (the report has no monthly split) as one
booking in August that cites the report.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from prognos.domain.application import Ledger
from prognos.domain.money import UNIT_SCALE
from prognos.domain.reconcile.printed import plain
from prognos.events.period import YearMonth
from prognos.projections.reports.figures import Sign, deviation
from prognos.projections.reports.report import report
from prognos.projections.reports.rollup import Row
from prognos.projections.reports.source import LedgerSource

YEAR = 2024
MAY, AUGUST = YearMonth(YEAR, 5), YearMonth(YEAR, 8)
REPORT = "Delårsrapport augusti 2024"
AREAS = ("Ekonomi", "HR", "Kommunikation", "Ledning och styrning")


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def tkr(text: str) -> Decimal:
    return Decimal(text) * 1000


@dataclass
class SeedLedger:
    """Codes of the lines built, by the labels the printed tables use."""

    services: dict[str, str] = field(default_factory=dict)  # 1.2 label -> code
    initiatives: dict[str, str] = field(default_factory=dict)  # 1.4 label -> code
    areas: dict[str, str] = field(default_factory=dict)  # 1.1 area -> code
    initiative_area: dict[str, str] = field(default_factory=dict)  # 1.4 label -> 1.3 area
    groups: dict[str, str] = field(default_factory=dict)  # group/section -> roll-up code
    notes: int = 0


def build(ledger: Ledger, folder: Path) -> SeedLedger:
    """The ledger of the report whose tables are transcribed in `folder`."""
    seed = SeedLedger()
    mapping = {(r["table"], r["row"]): r["inferred_area"]
               for r in _csv(folder, "inferred_area_mapping.csv")}

    def add(code: str, name: str, parent: str | None) -> str:
        ledger.add_line(code, name, parent)
        return code

    add("bastjanster", "Bastjänster", None)
    for area in AREAS:
        seed.areas[area] = add(f"bas-{slug(area)}", area, "bastjanster")
    seed.groups["bastjänster"] = "bastjanster"
    seed.groups["digital infrastruktur"] = add("digital-infrastruktur", "Digital infrastruktur", None)
    seed.areas["Digital infrastruktur"] = "digital-infrastruktur"
    for row in _csv(folder, "table_1_2_services.csv"):
        name = row["tjänst"]
        parent = (
            seed.areas[mapping[("1.2", name)]]
            if row["section"] == "bastjänster"
            else "digital-infrastruktur"
        )
        code = seed.services[name] = add(slug(name), name, parent)
        why = f"{REPORT}, tabell 1.2"
        ledger.set_budget(code, Decimal(row["budget_kr"]), YEAR, f"Budget 2024 ({why})")
        ledger.revise_forecast(code, Decimal(row["prognos_maj_kr"]), YEAR, MAY, f"Prognos per maj ({why})")

    add("forandringsinsatser", "Förändringsinsatser", None)
    seed.groups["gemensamma tjänster"] = add("fi-gemensamma-tjanster", "Gemensamma tjänster", "forandringsinsatser")
    seed.groups["digital infrastruktur/fi"] = add(
        "fi-digital-infrastruktur", "Digital infrastruktur", "forandringsinsatser"
    )
    for row in _csv(folder, "table_1_4_initiatives.csv"):
        name = row["insats"]
        group = row["group"]
        parent = "fi-gemensamma-tjanster" if group == "gemensamma tjänster" else "fi-digital-infrastruktur"
        code = seed.initiatives[name] = add(f"fi-{slug(name)}", name, parent)
        seed.initiative_area[name] = mapping.get(("1.4", name), "Digital infrastruktur")
        why = f"{REPORT}, tabell 1.4"
        ledger.set_budget(code, tkr(row["budget_tkr"]), YEAR, f"Budget 2024 ({why})")
        ledger.revise_forecast(code, tkr(row["helar_prognos_tkr"]), YEAR, MAY, f"Helårsprognos ({why})")
        if Decimal(row["utfall_jan_aug_tkr"]) != 0:
            ledger.book_actual(
                code, tkr(row["utfall_jan_aug_tkr"]), AUGUST, ref=f"{REPORT}, tabell 1.4",
                reason="Utfall januari-augusti; rapporten saknar månadsfördelning",
            )
    _notes(ledger, seed, folder)
    return seed


def _notes(ledger: Ledger, seed: SeedLedger, folder: Path) -> None:
    portfolio_rollup = {
        "Digital infrastruktur": "fi-digital-infrastruktur",
        "Gemensamma tjänster": "fi-gemensamma-tjanster",
        "Ledning och styrning": "fi-gemensamma-tjanster",
    }
    for row in _csv(folder, "commentary.csv"):
        matched = re.sub(r"\s*\(.*\)\s*$", "", row["matched_table_row"]).strip()
        code = seed.initiatives.get(matched) or seed.initiatives.get(row["insats"])
        text = row["explanation"]
        if code is None and matched == "Summa digital infrastruktur":
            code = "fi-digital-infrastruktur"
        if code is None:
            code = portfolio_rollup[row["portfolio"]]
            if row["insats"]:
                text = f"{row['insats']}: {text}"
        ledger.add_note(code, text, YEAR, AUGUST)
        seed.notes += 1


# -- the printed tables, reproduced from the ledger ---------------------------------

@dataclass(frozen=True)
class TableLayout:
    id: str
    title: str
    unit: str
    precision: Decimal
    columns: tuple[str, ...]
    as_of: YearMonth
    budget_minus: bool  # 1.3/1.4 print deviations as budget minus actual/forecast


LAYOUTS = {
    "1.1": TableLayout("1.1", "Kostnad per tjänsteområde 2024", "mkr", Decimal("0.1"),
                       ("budget", "forecast", "forecast_deviation"), MAY, False),
    "1.2": TableLayout("1.2", "Kostnad per tjänst 2024", "kr", Decimal(1),
                       ("budget", "forecast", "forecast_deviation"), MAY, False),
    "1.3": TableLayout("1.3", "Förändringsinsatser per tjänsteområde", "mkr", Decimal("0.1"),
                       ("actual_ytd", "budget_ytd", "actual_deviation", "budget", "forecast",
                        "forecast_deviation"), AUGUST, True),
    "1.4": TableLayout("1.4", "Förändringsinsatser", "tkr", Decimal(1),
                       ("actual_ytd", "budget_ytd", "actual_deviation", "forecast", "budget",
                        "forecast_deviation"), AUGUST, True),
}


def _sum(rows: list[Row]) -> dict[str, Decimal]:
    return {
        f: sum((getattr(r, f) for r in rows), Decimal(0))
        for f in ("budget", "forecast", "budget_ytd", "actual_ytd")
    }


def _cells(layout: TableLayout, figures: dict[str, Decimal]) -> dict[str, str]:
    figures = dict(figures)
    sign = Sign.BUDGET_MINUS_FIGURE if layout.budget_minus else Sign.FIGURE_MINUS_BUDGET
    figures["forecast_deviation"] = deviation(figures["forecast"], figures["budget"], sign)
    figures["actual_deviation"] = deviation(figures["actual_ytd"], figures["budget_ytd"], sign)
    scale = UNIT_SCALE[layout.unit]
    return {
        c: plain((figures[c] / scale).quantize(layout.precision, rounding=ROUND_HALF_UP))
        for c in layout.columns
    }


def reproduce(store: LedgerSource, seed: SeedLedger) -> dict[str, dict[str, Any]]:
    """Tables 1.1-1.4 in the report's units and sign conventions, from the ledger."""
    by_month = {m: {r.code: r for r in report(store, YEAR, m).rows} for m in (MAY, AUGUST)}
    area_rows = {
        "1.1": [(area, [code]) for area, code in seed.areas.items()]
        + [("Summa", ["bastjanster", "digital-infrastruktur"])],
        "1.2": [(name, [code]) for name, code in seed.services.items()]
        + [
            ("Summa bastjänster", ["bastjanster"]),
            ("Summa digital infrastruktur", ["digital-infrastruktur"]),
            ("Summa bastjänster och digital infrastruktur", ["bastjanster", "digital-infrastruktur"]),
        ],
        "1.3": [
            (area, [c for n, c in seed.initiatives.items() if seed.initiative_area[n] == area])
            for area in (*AREAS, "Digital infrastruktur")
        ]
        + [("Summa", ["forandringsinsatser"])],
        "1.4": [(name, [code]) for name, code in seed.initiatives.items()]
        + [
            ("Summa gemensamma tjänster", ["fi-gemensamma-tjanster"]),
            ("Summa digital infrastruktur", ["fi-digital-infrastruktur"]),
            ("Summa förändringsinsatser/utveckling", ["forandringsinsatser"]),
        ],
    }
    tables = {}
    for table_id, layout in LAYOUTS.items():
        rows = by_month[layout.as_of]
        tables[table_id] = {
            "title": f"{table_id} {layout.title}",
            "unit": layout.unit,
            "as_of": str(layout.as_of),
            "columns": list(layout.columns),
            "rows": [
                {"row": label, **_cells(layout, _sum([rows[c] for c in codes]))}
                for label, codes in area_rows[table_id]
            ],
        }
    return tables

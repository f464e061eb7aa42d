"""The report as CSV, as Swedish Excel opens it by default: UTF-8 with a byte-order mark,
`;` between fields, a decimal comma, amounts with an ASCII minus and no thousands
separator (so Excel reads them as numbers), exactly in the chosen unit. Names are not
indented (a parent-code column holds the tree); every text is neutralised."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import TYPE_CHECKING

from prognos.cli.files.sheet import headers, neutral, sheet_rows
from prognos.domain.money import UNIT_SCALE

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.projections.reports.rollup import Report


def write_csv(path: str, rep: Report, unit: str, t: Texts, delimiter: str = ";",
              decimal: str = ",") -> int:
    """Write the report; the number of lines written (the total row not counted)."""
    count = -1
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([neutral(h) for h in headers(t, unit)])
        for row in sheet_rows(rep, t):
            writer.writerow([neutral(row.code), neutral(row.name), neutral(row.parent),
                             *(plain(f, unit, decimal) for f in row.figures)])
            count += 1
    return count


def plain(kronor: Decimal | None, unit: str, decimal: str = ",") -> str:
    """An amount in `unit`, exactly: `-1236897,50` kr, `-1236,8975` tkr; "" for no data."""
    if kronor is None:
        return ""
    value = kronor / UNIT_SCALE[unit]
    if unit == "kr":
        value = value.quantize(Decimal("0.01"))
    else:
        value = value.normalize()
    text = f"{value:f}"
    if value == 0:
        text = text.lstrip("-")
    return text.replace(".", decimal)

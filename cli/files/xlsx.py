"""The report as an Excel workbook, written as it is read (openpyxl's write-only mode:
rows go to disk as they come, so a ledger of 50,000 lines and its whole history fit in
the memory `report` needs).

Four sheets: the report (its tree by the name cell's indent, a parent-code column, the
figures as numbers in kronor shown in the chosen unit by their number format, roll-ups
bold, the header frozen); the history of its lines; the notes up to its month; what it
was made from. Every text goes through `text_cell`: never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from prognos.cli.files.sheet import Made, formula_like, headers, sheet_rows

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.projections.reports.export import Export

# Excel shows kronor in the chosen unit by the format alone: each trailing comma divides
# by a thousand. The cell keeps the kronor (a locale's own separators are shown).
NUMBER_FORMATS = {"kr": "#,##0", "tkr": "#,##0.0,", "mkr": "#,##0.0,,"}
KRONOR = "#,##0.00"
WHEN = "yyyy-mm-dd hh:mm:ss"
# What XML 1.0 cannot hold (control characters but tab, newline, carriage return).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(path: str, found: Export, made: Made, t: Texts,
               progress: Callable[[int], None] = lambda done: None) -> int:
    """Write the workbook; the number of report lines written."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    report = book.create_sheet(t("export.sheet.report"))
    history = book.create_sheet(t("export.sheet.history"))
    notes = book.create_sheet(t("export.sheet.notes"))
    about = book.create_sheet(t("export.sheet.about"))
    lines = _report_sheet(report, found, made.unit, t, progress)

    def more(n: int) -> Any:  # a history longer than a sheet goes on at the end
        return book.create_sheet(f"{t('export.sheet.history')} ({n})")

    events = _history_sheet(history, found.history, t, progress, more)
    _notes_sheet(notes, found, t)
    _about_sheet(about, found, made, lines, events, t)
    book.save(path)
    return lines


def text_cell(sheet: Any, value: str | None, **style: Any) -> Any:
    """A text cell that is never a formula: one starting with `=`, `+`, `-`, `@`, a tab or
    a carriage return is stored as text with Excel's quote prefix (as if typed `'=...`)."""
    from openpyxl.cell import WriteOnlyCell

    text = ILLEGAL.sub("\ufffd", value or "")
    cell = WriteOnlyCell(sheet, value=text or None)
    if text:
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        if formula_like(text):
            cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def text(sheet: Any, value: str | None) -> Any:
    """A text as a plain value where nothing in it needs a cell of its own (most do not:
    a plain value is written several times faster), else `text_cell`."""
    if not value:
        return None
    if formula_like(value) or ILLEGAL.search(value):
        return text_cell(sheet, value)
    return value


def number_cell(sheet: Any, value: Decimal | int | datetime | None, number_format: str,
                **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _report_sheet(sheet: Any, found: Export, unit: str, t: Texts,
                  progress: Callable[[int], None]) -> int:
    from openpyxl.styles import Alignment, Font

    rows = list(sheet_rows(found.report, t))
    titles = headers(t, unit)
    bold = Font(bold=True)
    # Widths first: write-only mode writes them ahead of the rows.
    code = max([len(titles[0]), *(len(r.code) for r in rows)])
    name = max([len(titles[1]), *(len(r.name) + 3 * r.depth for r in rows)])
    parent = max([len(titles[2]), *(len(r.parent) for r in rows)])
    for letter, width in zip("ABC", (code, name, parent)):
        sheet.column_dimensions[letter].width = min(width, 80) + 2
    for letter, title in zip("DEFGHI", titles[3:]):
        sheet.column_dimensions[letter].width = max(len(title), 14) + 2
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, title, font=bold) for title in titles])
    number_format = NUMBER_FORMATS[unit]
    for i, row in enumerate(rows, start=1):
        style = {"font": bold} if row.is_total else {}
        sheet.append([
            text_cell(sheet, row.code, **style),
            text_cell(sheet, row.name, alignment=Alignment(indent=row.depth), **style),
            text_cell(sheet, row.parent, **style),
            *(number_cell(sheet, figure, number_format, **style) for figure in row.figures),
        ])
        if i % 1000 == 0:
            progress(1000)
    progress(len(rows) % 1000)
    return len(rows) - 1  # the total is not a line


HISTORY = ("export.position", "export.recorded_at", "export.user", "export.kind",
           "export.line", "export.month", "export.amount", "export.ref", "export.reason",
           "export.corrects", "export.event_id")
HISTORY_WIDTHS = (10, 20, 14, 14, 24, 9, 16, 16, 50, 38, 38)
SHEET_ROWS = 1_048_576  # Excel's most rows in a sheet, the header's included


def _history_sheet(sheet: Any, entries: Iterable[dict[str, Any]], t: Texts,
                   progress: Callable[[int], None], more: Callable[[int], Any]) -> int:
    from openpyxl.styles import Font

    def start(sheet: Any) -> Any:
        _columns(sheet, HISTORY_WIDTHS)
        sheet.freeze_panes = "A2"
        sheet.append([text_cell(sheet, t(key), font=Font(bold=True)) for key in HISTORY])
        return sheet

    start(sheet)
    count, room, sheets = 0, SHEET_ROWS - 1, 1
    kind_names: dict[str, str] = {}
    for e in entries:
        if not room:
            sheets += 1
            sheet, room = start(more(sheets)), SHEET_ROWS - 1
        room -= 1
        amount = e["amount"]
        kind = kind_names.get(e["kind"]) or kind_names.setdefault(e["kind"], t.kind(e["kind"]))
        sheet.append([
            e["position"],
            _when(e["recorded_at"]),  # openpyxl gives a time its date format
            text(sheet, e["user"]),
            kind,
            text(sheet, e["line"]),
            e["month"],
            None if amount is None else number_cell(sheet, Decimal(amount), KRONOR),
            text(sheet, e.get("ref")),
            text(sheet, e.get("text") or e.get("reason")),
            e.get("corrects"),
            e["event_id"],
        ])
        count += 1
        if count % 1000 == 0:
            progress(1000)
    progress(count % 1000)
    return count


NOTES = ("export.position", "export.month", "export.line", "export.note", "export.user",
         "export.recorded_at")


def _notes_sheet(sheet: Any, found: Export, t: Texts) -> None:
    from openpyxl.styles import Alignment, Font

    _columns(sheet, (10, 9, 24, 80, 14, 20))
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, t(key), font=Font(bold=True)) for key in NOTES])
    wrap = Alignment(wrap_text=True, vertical="top")
    for note in found.report.notes:
        sheet.append([
            number_cell(sheet, note.position, "0"), text_cell(sheet, note.period),
            text_cell(sheet, note.line), text_cell(sheet, note.text, alignment=wrap),
            text_cell(sheet, note.user), number_cell(sheet, _when(note.recorded_at), WHEN),
        ])


def _about_sheet(sheet: Any, found: Export, made: Made, lines: int, events: int,
                 t: Texts) -> None:
    from openpyxl.styles import Font

    _columns(sheet, (30, 70))
    seal = found.head_seal
    rows: list[tuple[str, Any]] = [
        ("export.year", made.year),
        ("export.as_of", made.as_of),
        ("export.known_at", made.known_at or t("export.known_now")),
        ("export.store", made.store),
        ("export.head_seal", f"{seal[1]}@{seal[0]}" if seal else t("export.no_seal")),
        ("export.head_position", seal[0] if seal else None),
        ("export.version", made.version),
        ("export.exported_at", made.exported_at.replace(tzinfo=None, microsecond=0)),
        ("export.unit", made.unit),
        ("export.sign", t("report.sign.own")),
        ("export.lines", lines),
        ("export.events", events),
    ]
    sheet.append([text_cell(sheet, t(key), font=Font(bold=True))
                  for key in ("export.what", "export.value")])
    for key, value in rows:
        if isinstance(value, str) or value is None:
            shown = text_cell(sheet, value)
        else:
            shown = number_cell(sheet, value, WHEN if isinstance(value, datetime) else "0")
        sheet.append([text_cell(sheet, t(key)), shown])


def _columns(sheet: Any, widths: Iterable[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _when(recorded_at: str) -> datetime:
    """A recording time as Excel holds one: UTC, without a zone (the header says UTC)."""
    return datetime.fromisoformat(recorded_at.replace("Z", "+00:00")).replace(tzinfo=None)

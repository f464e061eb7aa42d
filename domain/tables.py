"""Reading the files finance staff export: CSV in any of their encodings and delimiters, and xlsx.

The result is text cells only, with the file's own row numbers (the header is
row 1), so that every later error can name the row and column it is about.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

from prognos.events.errors import InvalidInputError, RefusedError

DELIMITERS = (";", "\t", ",")
EXCEL_DIGITS = 15  # the most significant digits Excel shows of a number


Row = tuple[int, list[str]]  # (row number in the file, cells)


class Rows(Protocol):
    """What a table's body offers: its length and its rows in file order, as often as asked."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Row]: ...


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: Rows  # the body: blank rows left out


def read_table(
    data: bytes, name: str, delimiter: str | None = None, sheet: str | None = None
) -> Table:
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, name, sheet)
    return _read_csv(data, name, delimiter)


def encoding_of(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as Swedish exports come."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            str(data, "utf-8")  # to check it: the text is read later, row by row
            return "utf-8-sig"
        except UnicodeDecodeError as e:
            # Marked as UTF-8: reading it as Windows-1252 would only garble it.
            row = data[: e.start].count(b"\n") + 1
            raise InvalidInputError(
                f"{name}: row {row}: marked UTF-8 but byte {e.start} is not valid UTF-8"
            ) from None
    for encoding in ("utf-8", "cp1252"):
        try:
            str(data, encoding)
            return encoding
        except UnicodeDecodeError as e:
            error = e
    raise InvalidInputError(f"{name}: neither UTF-8 nor Windows-1252 (byte {error.start})") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of cells, most often."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        if not counts or counts[0] < 2:
            continue
        score = sum(1 for c in counts if c == counts[0]) * 100 + counts[0]
        if score > best_score:
            best, best_score = delimiter, score
    if best is None:
        raise InvalidInputError("cannot tell the delimiter: give --delimiter")
    return best


def _read_csv(data: bytes, name: str, delimiter: str | None) -> Table:
    encoding = encoding_of(data, name)
    if b"\x00" in data:
        raise InvalidInputError(f"{name}: contains NUL bytes, not a text file")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise InvalidInputError(f"--delimiter must be one character, got {delimiter!r}")
    else:
        try:
            delimiter = sniff_delimiter(str(data[:65536], encoding, errors="ignore"))
        except InvalidInputError as e:
            raise InvalidInputError(f"{name}: {e}") from None
    rows = CsvRows(name, data, encoding, delimiter)
    return Table(name, rows.header, rows)


class CsvRows:
    """The body rows of a CSV file, decoded and parsed again on each pass instead of held.

    Held as lists of cells (or even as one decoded text, which `io.StringIO`
    widens to 4 bytes a character), a year of bookings for 50,000 lines
    (600,000 rows) took more memory than all the rest of an import. The first
    pass, here, parses and counts every row; a row with cells beyond the header
    is refused when it is reached, inside the import's all-or-nothing
    transaction.
    """

    def __init__(self, name: str, data: bytes, encoding: str, delimiter: str):
        self.name, self.data, self.encoding, self.delimiter = name, data, encoding, delimiter
        rows = self._rows()
        first = next(rows, None)
        if first is None:
            raise InvalidInputError(f"{name}: no header row")
        self.header = _header(first[1])
        self.count = sum(1 for _ in rows)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Row]:
        rows = self._rows()
        next(rows)  # the header
        header, name = self.header, self.name
        for row in rows:
            if len(row[1]) > len(header):
                _check_width(name, header, row)
            yield row

    def _rows(self) -> Iterator[Row]:
        """Every non-blank row, the header first."""
        text = io.TextIOWrapper(io.BytesIO(self.data), encoding=self.encoding, newline="")
        reader = csv.reader(text, delimiter=self.delimiter, strict=True)
        try:
            for cells in reader:
                if "".join(cells).strip():
                    yield reader.line_num, cells
        except csv.Error as e:
            raise InvalidInputError(f"{self.name}: row {reader.line_num}: {e}") from None


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise InvalidInputError(f"{name}: not a readable xlsx file ({type(e).__name__})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InvalidInputError(f"{name}: no sheet {sheet!r} (has {', '.join(book.sheetnames)})")
    ws = book[sheet] if sheet else book.worksheets[0]
    # The size a sheet declares is not trusted: some writers get it wrong, and
    # openpyxl would then stop reading early, dropping rows without a word.
    ws.reset_dimensions()
    rows = [
        (number, [_cell_text(v) for v in values])
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
    ]
    book.close()
    # Rows now end at their last cell with a value: the empty cells after it are empty.
    width = max((len(cells) for _, cells in rows), default=0)
    return _table(name, [(n, cells + [""] * (width - len(cells))) for n, cells in rows])


def _cell_text(value: object) -> str:
    """A cell as the text a person sees. Numbers are stored by Excel as binary
    floats, which Excel shows to at most 15 significant digits: that is the
    decimal we read (0.1 stays 0.1, and a formula's 1100.5500000000002 is 1100.55)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text or text in ("nan", "inf", "-inf"):
            return text  # refused later as an amount, naming the cell
        exact = Decimal(text)
        if len(exact.as_tuple().digits) > EXCEL_DIGITS:
            shown = exact.quantize(Decimal(1).scaleb(exact.adjusted() - EXCEL_DIGITS + 1),
                                   rounding=ROUND_HALF_EVEN)
            return format(shown.normalize(), "f")
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _table(name: str, rows: list[Row]) -> Table:
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise RefusedError(f"{name}: the sheet is empty: nothing is imported")
    (_, header), *body = rows
    header = _header(header)
    for row in body:
        _check_width(name, header, row)
    return Table(name, header, body)


def _header(cells: list[str]) -> list[str]:
    header = [h.strip().lstrip("\ufeff") for h in cells]
    while header and not header[-1]:
        header.pop()
    return header


def _check_width(name: str, header: list[str], row: Row) -> None:
    number, cells = row
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        raise InvalidInputError(
            f"{name}: row {number}: {len(cells)} cells but the header has {len(header)} columns"
        )

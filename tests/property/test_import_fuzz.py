"""`prognos import` fuzzed: every file is imported exactly, or refused whole with a row error.

Hypothesis builds a file the way finance staff export one (random delimiter,
encoding, BOM, line ends, header names, column order, Swedish and plain number
notation, units in the cell or on the command line), against a ledger whose
lines were created first. The file may then be corrupted: truncated at a random
byte, a row with a cell dropped or added, an impossible month, a month outside
`--year`, NaN, more than öre precision, both `,` and `.`, an empty amount, or an
unknown line code.

The property (issue 3): `prognos import ... --json` either exits 0 and the ledger's
history and report hold exactly the rows the file holds, or exits 1/2 with one
line on stderr naming the file and the row (and the column where a cell is at
fault), no traceback, and the store not changed by a single row.

The oracle never parses the file the way prognos does: it knows what it wrote,
row by row and byte by byte. For a truncated file, the rows before the cut are
intact and must be imported exactly; the row the cut falls in may be refused, or
imported as what is left of it (its amount is then the reading of a prefix of
the amount as written, its reference a prefix of the reference). A cut that
splits a character of a file marked UTF-8 by its BOM is refused naming the cut
row (and the byte, which must lie in that row).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from prognos.cli.main import app
from prognos.domain.application import Ledger
from prognos.events.errors import LedgerError
from prognos.domain.money import UNIT_SCALE, parse_amount
from prognos.projections.store.sqlite import SQLiteStore


def _root_conftest() -> Any:
    """tests/conftest.py by path: `import conftest` may find another folder's conftest."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_prognos_root_conftest_fuzz", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dump_store = _root_conftest().dump_store

ROOT = "itroot"
# No code is a prefix of another (or of the root), so a code cut short by a
# truncation can never name a real line.
LEAVES = ("drift", "lon", "sak", "natverk")
UNKNOWN = "okand-rad"
YEAR = 2024
KIND_EVENT = {"budget": "budget_set", "forecast": "forecast_revised", "actual": "actual_booked"}
REPORT_FIELD = {"budget": "budget", "forecast": "forecast", "actual": "actual_ytd"}
KIND_WORDS = {"budget": ("budget", "budgets"), "forecast": ("forecast", "prognos"),
              "actual": ("actual", "utfall", "outcome")}

# Header names: guessed by prognos, or custom and given with --X-col.
GUESSED = {
    "line": ("code", "Kod", "konto", "Linje"),
    "amount": ("amount", "Belopp", "kr"),
    "month": ("month", "Period", "månad"),
    "ref": ("ref", "Verifikation", "referens"),
    "name": ("name", "Benämning", "namn"),
}
CUSTOM = {
    "line": ("Ansvar", "Kostnadsställe"),
    "amount": ("Summa (kr)", "Värde"),
    "month": ("Bokf. mån", "Datum"),
    "ref": ("Vernr", "Underlag"),
    "name": ("Text", "Beskrivning"),
}
NAMES = (
    "Drift", "Löner", "Informationssäkerhet", "Nätverk & WAN", "Övrigt; diverse", 'Ärenden, "x"'
)

ENCODABLE = {
    "utf-8": lambda ch: True,
    "utf-8-sig": lambda ch: True,
    "cp1252": lambda ch: _cp1252(ch),
}


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


@dataclass
class Row:
    code: str
    kronor: Decimal  # what the row means, in kronor
    amount_text: str  # the amount as written in the cell
    amount_unit: str  # the unit the amount is read in (cell suffix, else --unit)
    month: str  # YYYY-MM the row is about
    month_text: str  # as written (YYYY-MM or YYYY-MM-DD); "" when there is no month column
    ref: str | None
    name: str
    comment: str


@dataclass
class Case:
    kind: str
    kind_form: str  # "option", "before", "after"
    kind_word: str
    encoding: str
    delimiter: str
    give_delimiter: bool
    newline: str
    unit: str | None  # --unit
    roles: list[str]  # column order, roles incl. "comment" (unused by prognos)
    headers: dict[str, str]
    col_options: dict[str, str]  # role -> header given with --X-col
    default_month: str | None  # --effective / --as-of / --period
    give_year: bool
    rows: list[Row]
    blank_before: list[int]  # blank lines before each data row
    corruption: str | None
    target: int  # index of the corrupted row
    corrupt_value: str = ""
    cut_at: int = 0  # bytes of the target row left by a truncation
    file_name: str = "fuzz.csv"
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Writing amounts the way people do
# ---------------------------------------------------------------------------


@st.composite
def written_amount(draw: Any, encoding: str, unit: str | None) -> tuple[Decimal, str, str]:
    """(kronor, text, unit it is read in): a number of at most two decimals in its unit."""
    ok = ENCODABLE[encoding]
    cell_unit = draw(st.sampled_from([None, None, "kr", "tkr", "mkr"]))
    read_unit = cell_unit or unit or "kr"
    decimals = draw(st.integers(0, 2))
    bound = {"kr": 10**13, "tkr": 10**10, "mkr": 10**7}[read_unit]  # at most 10^13 kronor
    number = Decimal(draw(st.integers(-bound, bound))).scaleb(-decimals)
    kronor = number * UNIT_SCALE[read_unit]

    whole, _, frac = f"{abs(number):f}".partition(".")
    if len(whole) > 3 and draw(st.booleans()):
        sep = draw(st.sampled_from([c for c in (" ", "\u00a0", "\u202f", "\u2009") if ok(c)]))
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = sep.join(groups)
    text = whole
    if frac:
        text += draw(st.sampled_from([",", "."])) + frac
    if number < 0:
        minus = draw(st.sampled_from([m for m in ("-", "- ", "\u2013", "\u2212") if ok(m)]))
        text = minus + text
    if cell_unit:
        spelled = draw(st.sampled_from([cell_unit, cell_unit.upper(), cell_unit.capitalize()]))
        text += draw(st.sampled_from(["", " "])) + spelled
    text = draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))
    return kronor, text, read_unit


@st.composite
def cases(draw: Any, corrupt: bool) -> Case:
    kind = draw(st.sampled_from(["budget", "forecast", "actual"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    ok = ENCODABLE[encoding]
    corruption = None
    if corrupt:
        corruption = draw(
            st.sampled_from(
                [
                    "truncate", "truncate", "truncate", "drop_cell", "add_cell", "month_13",
                    "month_outside_year", "nan", "three_decimals", "comma_and_point",
                    "empty_amount", "unknown_line",
                ]
            )
        )
    unit = draw(st.sampled_from([None, "kr", "tkr", "mkr"]))

    month_col = corruption in ("month_13", "month_outside_year") or draw(st.booleans())
    roles = ["line", "amount"]
    if month_col:
        roles.append("month")
    if kind == "actual" and draw(st.booleans()):
        roles.append("ref")
    if draw(st.booleans()):
        roles.append("name")
    roles = draw(st.permutations(roles))
    roles = list(roles)
    if draw(st.booleans()):  # a column prognos does not use, never the last one
        roles.insert(draw(st.integers(0, len(roles) - 1)), "comment")

    # A cut multi-byte character makes a file without BOM Windows-1252: keep what the
    # oracle compares (headers, references) ASCII in truncated files.
    ascii_only = corruption == "truncate"
    headers, col_options = {}, {}
    for role in roles:
        if role == "comment":
            headers[role] = "kommentar"
            continue
        custom = draw(st.booleans())
        pool = CUSTOM[role] if custom else GUESSED[role]
        pool = tuple(h for h in pool if all(ok(c) for c in h) and (h.isascii() or not ascii_only))
        headers[role] = draw(st.sampled_from(pool))
        if custom or draw(st.booleans()):
            given = headers[role]
            if not custom and draw(st.booleans()):
                given = given.upper()  # header names match case-insensitively
            col_options[role] = given

    default_month = None
    if not month_col or draw(st.booleans()):
        if kind == "budget":
            default_month = draw(st.sampled_from([None, f"{YEAR}-{draw(st.integers(1, 12)):02d}"]))
        else:
            default_month = f"{YEAR}-{draw(st.integers(1, 12)):02d}"
    give_year = kind != "actual" or corruption == "month_outside_year" or draw(st.booleans())

    n = draw(st.integers(1, 7))
    rows = []
    for _ in range(n):
        kronor, text, read_unit = draw(written_amount(encoding, unit))
        if month_col:
            m = draw(st.integers(1, 12))
            month = f"{YEAR}-{m:02d}"
            month_text = draw(st.sampled_from([month, f"{month}-{draw(st.integers(1, 28)):02d}"]))
        else:
            month = default_month or f"{YEAR}-01"
            month_text = ""
        ref = draw(st.one_of(st.none(), st.from_regex(r"\A[A-Za-z][A-Za-z0-9 -]{0,10}\Z")))
        if ref is not None:
            ref = ref.strip() or None
        if "ref" not in roles:
            ref = None
        name = draw(st.sampled_from([nm for nm in NAMES if all(ok(c) for c in nm)]))
        if ascii_only:
            name = name.encode("ascii", "ignore").decode()
        rows.append(
            Row(
                code=draw(st.sampled_from(LEAVES)), kronor=kronor, amount_text=text,
                amount_unit=read_unit, month=month, month_text=month_text, ref=ref, name=name,
                comment=draw(st.sampled_from(["", "ok", "se bilaga; 3", "x,y"])),
            )
        )
    case = Case(
        kind=kind,
        kind_form=draw(st.sampled_from(["option", "before", "after"])),
        kind_word=draw(st.sampled_from(KIND_WORDS[kind])),
        encoding=encoding,
        delimiter=draw(st.sampled_from([";", ",", "\t"])),
        give_delimiter=draw(st.booleans()),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        unit=unit,
        roles=roles,
        headers=headers,
        col_options=col_options,
        default_month=default_month,
        give_year=give_year,
        rows=rows,
        blank_before=[draw(st.sampled_from([0, 0, 0, 1])) for _ in rows],
        corruption=corruption,
        target=draw(st.integers(0, n - 1)),
        file_name=draw(st.sampled_from(["fuzz.csv", "utfall aug.csv", "Budget 2024.txt"])),
    )
    target = rows[case.target]
    if corruption == "nan":
        case.corrupt_value = draw(st.sampled_from(["NaN", "nan", "inf", "-Infinity", "sNaN"]))
    elif corruption == "three_decimals":
        bare = (unit or "kr") == "kr"
        digits = draw(st.sampled_from(["1.234", "1,234", "0,001", "12 345,678"]))
        case.corrupt_value = digits if bare else f"{digits} kr"
    elif corruption == "comma_and_point":
        case.corrupt_value = draw(st.sampled_from(["1.234,50", "1,234.50", "1 234.567,8"]))
    elif corruption == "month_13":
        case.corrupt_value = draw(st.sampled_from([f"{YEAR}-13", f"{YEAR}-00", f"{YEAR}-13-01"]))
    elif corruption == "month_outside_year":
        case.corrupt_value = draw(st.sampled_from([f"{YEAR - 1}-05", f"{YEAR + 1}-01-15"]))
    elif corruption == "empty_amount":
        case.corrupt_value = draw(st.sampled_from(["", "  "]))
    elif corruption == "drop_cell":
        case.extra["drop"] = draw(st.integers(0, len(roles) - 1))
    elif corruption == "add_cell":
        case.corrupt_value = draw(st.sampled_from(["x", "12", "2024-05", target.code]))
    elif corruption == "truncate":
        # How many bytes of the target row are left (0: cut at the row's start).
        encoding = "utf-8" if case.encoding == "utf-8-sig" else case.encoding
        size = len(_line(case, _cells(case, target)).encode(encoding))
        case.cut_at = draw(st.integers(0, size - 1))
    return case


# ---------------------------------------------------------------------------
# The file, byte for byte, and where each row lies in it
# ---------------------------------------------------------------------------


def _cells(case: Case, row: Row) -> list[str]:
    values = {
        "line": row.code,
        "amount": row.amount_text,
        "month": row.month_text,
        "ref": row.ref or "",
        "name": row.name,
        "comment": row.comment,
    }
    return [values[role] for role in case.roles]


def _line(case: Case, cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=case.delimiter, lineterminator=case.newline).writerow(cells)
    return out.getvalue()


@dataclass
class Written:
    data: bytes
    header_end: int  # bytes of BOM + header line
    spans: list[tuple[int, int, int]]  # (file row number, start, end) of each data row
    body_ends: list[int]  # byte offset where each data row's cells end (before the newline)


def write_file(case: Case) -> Written:
    encoding = "utf-8" if case.encoding == "utf-8-sig" else case.encoding
    data = b"\xef\xbb\xbf" if case.encoding == "utf-8-sig" else b""
    data += _line(case, [case.headers[r] for r in case.roles]).encode(encoding)
    header_end = len(data)
    spans, body_ends = [], []
    line_number = 1
    for i, row in enumerate(case.rows):
        for _ in range(case.blank_before[i]):
            data += case.newline.encode(encoding)
            line_number += 1
        cells = _cells(case, row)
        if case.corruption and i == case.target:
            cells = _corrupt(case, cells)
        text = _line(case, cells)
        encoded = text.encode(encoding)
        line_number += 1
        start = len(data)
        data += encoded
        spans.append((line_number, start, len(data)))
        body_ends.append(len(data) - len(case.newline.encode(encoding)))
    return Written(data, header_end, spans, body_ends)


def _corrupt(case: Case, cells: list[str]) -> list[str]:
    cells = list(cells)
    kind = case.corruption
    if kind in ("nan", "three_decimals", "comma_and_point"):
        cells[case.roles.index("amount")] = case.corrupt_value
    elif kind == "empty_amount":
        cells[case.roles.index("amount")] = case.corrupt_value
    elif kind in ("month_13", "month_outside_year"):
        cells[case.roles.index("month")] = case.corrupt_value
    elif kind == "unknown_line":
        cells[case.roles.index("line")] = UNKNOWN
    elif kind == "drop_cell":
        del cells[case.extra["drop"]]
    elif kind == "add_cell":
        cells.append(case.corrupt_value)
    return cells


# ---------------------------------------------------------------------------
# Running prognos
# ---------------------------------------------------------------------------


def new_store(folder: Path) -> Path:
    path = folder / "fuzz.db"
    store = SQLiteStore(path)
    try:
        ledger = Ledger(store, "fuzz")
        ledger.add_line(ROOT, "IT-enheten")
        for code in LEAVES:
            ledger.add_line(code, code.capitalize(), ROOT)
    finally:
        store.close()
    return path


def run(store: Path, *args: str) -> Any:
    env = {"PROGNOS_STORE": str(store), "PROGNOS_USER": "fuzz"}
    return CliRunner().invoke(app, list(args), env=env)


def import_args(case: Case, path: Path) -> list[str]:
    args = ["import"]
    if case.kind_form == "option":
        args += [str(path), "--kind", case.kind_word]
    elif case.kind_form == "before":
        args += [case.kind_word, str(path)]
    else:
        args += [str(path), case.kind_word]
    if case.give_year:
        args += ["--year", str(YEAR)]
    if case.default_month:
        option = {"budget": "--effective", "forecast": "--as-of", "actual": "--period"}[case.kind]
        args += [option, case.default_month]
    if case.unit:
        args += ["--unit", case.unit]
    if case.give_delimiter:
        args += ["--delimiter", {"\t": "tab"}.get(case.delimiter, case.delimiter)]
    for role, header in case.col_options.items():
        args += [f"--{role}-col", header]
    return args + ["--json"]


def history_events(store: Path) -> list[dict[str, Any]]:
    result = run(store, "history", ROOT, "--json")
    assert result.exit_code == 0, result.output
    return [e for e in json.loads(result.stdout)["events"] if e["kind"] != "line_added"]


def report_lines(store: Path) -> dict[str, dict[str, Any]]:
    result = run(store, "report", "--year", str(YEAR), "--as-of", f"{YEAR}-12", "--json")
    assert result.exit_code == 0, result.output
    return {line["code"]: line for line in json.loads(result.stdout)["lines"]}


# ---------------------------------------------------------------------------
# The oracle
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    row: int
    code: str
    kronor: Decimal
    month: str
    ref: str | None


def expected_event(case: Case, row: Row, number: int) -> Expected | None:
    if case.kind == "actual" and row.kronor == 0:
        return None  # a zero outcome is no booking
    return Expected(number, row.code, row.kronor, row.month, row.ref)


def amount_readings(row: Row, case: Case) -> set[Decimal]:
    """Every amount a prefix of the amount as written can be read as (incl. all of it)."""
    found = {row.kronor}
    for i in range(1, len(row.amount_text) + 1):
        try:
            found.add(parse_amount(row.amount_text[:i].strip(), case.unit or "kr"))
        except LedgerError:
            pass
    return found


def check_events(case: Case, sha: str, store: Path, intact: list[Expected],
                 cut: tuple[int, Row] | None) -> None:
    """The history holds exactly the intact rows, and at most what is left of the cut row."""
    events = history_events(store)
    for e in events:
        assert e["kind"] == KIND_EVENT[case.kind], e
        assert e["source"] is not None and e["source"]["sha256"] == sha, e
        assert e["user"] == "fuzz"
    got = sorted(
        (
            (e["source"]["row"], e["line"], Decimal(e["amount"]), e["month"], e["ref"])
            for e in events
        ),
        key=lambda t: t[0],
    )
    want = [(x.row, x.code, x.kronor, x.month, x.ref) for x in intact]
    if cut is not None:
        number, row = cut
        extra = [g for g in got if g[0] == number]
        assert len(extra) <= 1, extra
        for _, code, kronor, month, ref in extra:
            assert code == row.code, (extra, row)
            # A month cell cut to nothing leaves the row to the command line's month.
            assert month in (row.month, case.default_month or f"{YEAR}-01"), (extra, row)
            assert kronor in amount_readings(row, case), (extra, row)
            assert ref is None or (row.ref or "").startswith(ref), (extra, row)
            want.append((number, code, kronor, month, ref))
        want.sort(key=lambda t: t[0])
    assert got == sorted(want, key=lambda t: t[0]), f"history {got} != file {want}"
    check_report(case, store, got)


def check_report(case: Case, store: Path,
                 events: list[tuple[int, str, Decimal, str, str | None]]) -> None:
    """The report as of December: the fold of issue 2 over the rows, in file order."""
    want: dict[str, Decimal] = {code: Decimal(0) for code in LEAVES}
    if case.kind == "actual":
        for _, code, kronor, _, _ in events:
            want[code] += kronor
    else:  # the latest (month, recording order) wins; rows are recorded in file order
        for _, code, kronor, _, _ in sorted(events, key=lambda t: (t[3], t[0])):
            want[code] = kronor
    lines = report_lines(store)
    field_ = REPORT_FIELD[case.kind]
    for code in LEAVES:
        assert Decimal(lines[code][field_]) == want[code], (code, lines[code], want[code])
    assert Decimal(lines[ROOT][field_]) == sum(want.values(), Decimal(0))


def check_summary(result: Any, data: bytes, rows: int | None) -> dict[str, Any]:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "sha256", "rows", "events_recorded", "first_position", "last_position", "already_imported",
        "skipped_booked",
    }
    assert summary["sha256"] == hashlib.sha256(data).hexdigest()
    if rows is not None:
        assert summary["rows"] == rows
    assert summary["already_imported"] is False
    assert summary["events_recorded"] == summary["last_position"] - summary["first_position"] + 1
    return summary


ROW_IN_ERROR = re.compile(r": row (\d+)\b")
BYTE_IN_ERROR = re.compile(r"\bbyte (\d+)\b")


def check_refused(result: Any, case: Case, before: Any, store: Path) -> str:
    """One stderr line naming the file, no traceback, nothing recorded; the line."""
    assert result.exit_code in (1, 2), (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert case.file_name in line, line
    assert dump_store(store) == before, "a refused import changed the store"
    return line


def named_row(line: str) -> int:
    found = ROW_IN_ERROR.search(line)
    assert found, f"no row named in {line!r}"
    return int(found[1])


def row_of_byte(written: Written, offset: int) -> int | None:
    """The file row a byte offset lies in (1 = the header), None for a blank line."""
    if offset < written.header_end:
        return 1
    for number, start, end in written.spans:
        if start <= offset < end:
            return number
    return None


# ---------------------------------------------------------------------------
# The properties
# ---------------------------------------------------------------------------

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _run_case(case: Case) -> None:
    # The property is about reading files, not durability: keep the store in memory-backed
    # /dev/shm where there is one, as the command-line tests do.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="prognos-fuzz-", dir=shm))
    try:
        store = new_store(folder)
        written = write_file(case)
        path = folder / case.file_name
        data = written.data
        if case.corruption == "truncate":
            _, start, end = written.spans[case.target]  # cut somewhere in the target row
            assert start + case.cut_at < end
            data = data[: start + case.cut_at]
        path.write_bytes(data)
        before = dump_store(store)
        result = run(store, *import_args(case, path))
        event(f"{case.corruption or 'clean'}: exit {result.exit_code}")
        if case.corruption == "truncate":
            _truncated(case, written, data, result, before, store)
        elif case.corruption is None:
            check_summary(result, data, len(case.rows))
            intact = [
                e for i, row in enumerate(case.rows)
                if (e := expected_event(case, row, written.spans[i][0])) is not None
            ]
            check_events(case, hashlib.sha256(data).hexdigest(), store, intact, None)
        else:
            _corrupted(case, written, result, before, store)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _corrupted(case: Case, written: Written, result: Any, before: Any, store: Path) -> None:
    number = written.spans[case.target][0]
    line = check_refused(result, case, before, store)
    named = named_row(line)
    assert named == number, f"the error names row {named}, the fault is in row {number}: {line}"
    column_of = {
        "nan": "amount", "three_decimals": "amount", "comma_and_point": "amount",
        "empty_amount": "amount", "month_13": "month", "month_outside_year": "month",
        "unknown_line": "line",
    }
    if case.corruption in column_of:
        header = case.headers[column_of[case.corruption]]
        assert f"column {header!r}" in line, f"column {header!r} not named in {line!r}"
    exit_codes = {"unknown_line": 1, "month_outside_year": 1, "add_cell": 2}
    if case.corruption in exit_codes:
        assert result.exit_code == exit_codes[case.corruption], line
    elif case.corruption != "drop_cell":
        assert result.exit_code == 2, line


def _truncated(case: Case, written: Written, data: bytes, result: Any, before: Any,
               store: Path) -> None:
    cut_at = len(data)
    intact: list[Expected] = []
    cut: tuple[int, Row] | None = None
    for (number, start, _end), body_end, row in zip(written.spans, written.body_ends, case.rows):
        if body_end <= cut_at:  # every cell is there (at most the line end is cut)
            if (e := expected_event(case, row, number)) is not None:
                intact.append(e)
        elif start < cut_at:
            cut = (number, row)
    whole_rows = sum(1 for body_end in written.body_ends if body_end <= cut_at)
    if result.exit_code == 0:
        # What is left of a cut row may be blank (then it is no row at all).
        summary = check_summary(result, data, None)
        assert summary["rows"] in (whole_rows, whole_rows + (1 if cut else 0)), summary
        check_events(case, hashlib.sha256(data).hexdigest(), store, intact, cut)
        event(f"truncate: imported, {'a row cut' if cut else 'at a row boundary'}")
        return
    if whole_rows == 0 and "no rows" in result.stderr:
        # Cut after its header, or inside its only row where what is left of it is blank:
        # no rows, refused as empty.
        check_refused(result, case, before, store)
        event("truncate: refused, only a header left")
        return
    assert cut is not None, (
        f"a file cut at a row boundary is a valid file and must import: {result.stderr!r}"
    )
    line = check_refused(result, case, before, store)
    number, named = cut[0], named_row(line)
    byte = BYTE_IN_ERROR.search(line)
    if byte:  # an invalid byte is named with its row
        assert row_of_byte(written, int(byte[1])) == named, (line, written.spans)
    if case.encoding == "utf-8-sig" and byte:
        # A cut character in a file marked UTF-8 by its BOM: refused at the cut.
        assert named == number, (number, line)
        event("truncate: refused at a byte of the cut row")
        return
    # Rows after the cut do not exist. A row before it can only be refused when the
    # cut split a UTF-8 character (a file without BOM is then read as Windows-1252).
    assert 2 <= named <= number, (number, line)


@FUZZ
@given(case=cases(corrupt=False))
def test_well_formed_files_are_imported_exactly(case: Case) -> None:
    _run_case(case)


@FUZZ
@given(case=cases(corrupt=True))
def test_damaged_files_are_refused_whole_or_imported_exactly(case: Case) -> None:
    _run_case(case)

"""Nothing booked twice by an import (issue 13): a row booking what an earlier file booked
(the same line, month, amount and reference) is refused naming that file and row, left out
and listed with --skip-booked, booked again with --allow-duplicates. An empty or
header-only file records nothing; a month column holds a month or a real date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIRST = "code;amount;month;ref\nit-sak;1 000;2024-03-05;V1\nskola;250;2024-03;V2\n"
# A corrected re-export of the month: the same two rows (one with a blank line before it,
# one dated otherwise in the same month), and one new.
AGAIN = "code;amount;month;ref\n\nit-sak;1 000;2024-03;V1\nskola;250;2024-03-28;V2\nskola;40;2024-03;V3\n"


@pytest.fixture
def put(tmp_path: Path):
    def run(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return run


def actual(line_of, code: str) -> str:
    return line_of(code, "2024-03")["actual_ytd"]


def test_a_file_booking_what_an_earlier_file_booked_is_refused_naming_it(tree, put, ok, cli,
                                                                        refused, line_of):
    first = json.loads(ok("import", "actual", put("mars.csv", FIRST), "--json").stdout)
    line = refused("import", "actual", put("mars-igen.csv", AGAIN),
                   names=["mars-igen.csv", "row 3", "already booked", "mars.csv",
                          first["sha256"], "row 2 of mars.csv", "--skip-booked"])
    assert "Traceback" not in line
    assert actual(line_of, "it-sak") == "1000.00" and actual(line_of, "skola") == "250.00"


def test_skip_booked_books_only_the_new_rows_and_lists_the_others(tree, put, ok, line_of):
    ok("import", "actual", put("mars.csv", FIRST))
    doc = json.loads(ok("import", "actual", put("mars-igen.csv", AGAIN), "--skip-booked",
                        "--json").stdout)
    assert doc["events_recorded"] == 2  # the file's record and the one new row
    assert [(s["row"], s["line"], s["month"], s["amount"], s["ref"], s["booked_in"]["file"],
             s["booked_in"]["row"]) for s in doc["skipped_booked"]] == [
        (3, "it-sak", "2024-03", "1000.00", "V1", "mars.csv", 2),
        (4, "skola", "2024-03", "250.00", "V2", "mars.csv", 3)]
    assert actual(line_of, "it-sak") == "1000.00" and actual(line_of, "skola") == "290.00"
    text = ok("import", "actual", put("tredje.csv", AGAIN + "skola;1;2024-03;V4\n"),
              "--skip-booked").stdout
    assert "3 rader hoppades över" in text and "rad 5: skola 2024-03" in text


def test_allow_duplicates_books_every_row_again(tree, put, ok, line_of):
    ok("import", "actual", put("mars.csv", FIRST))
    ok("import", "actual", put("mars-igen.csv", AGAIN), "--allow-duplicates")
    assert actual(line_of, "it-sak") == "2000.00" and actual(line_of, "skola") == "540.00"


def test_only_an_earlier_files_live_booking_counts(tree, put, ok, write, line_of):
    """A booking typed by hand is not a file's row, and a reversed one is booked no more:
    a file booking the same is booked. Within one file, repeated rows are the file's own."""
    [typed] = write("actual", "book", "skola", "250", "--period", "2024-03", "--ref", "V2")
    ok("import", "actual", put("mars.csv", FIRST + "skola;250;2024-03;V2\n"))
    [booking] = [e for e in json.loads(ok("history", "it-sak", "--json").stdout)["events"]
                 if e["kind"] == "actual_booked"]
    ok("actual", "reverse", booking["event_id"], "--reason", "fel belopp")
    ok("import", "actual", put("mars-rättad.csv", "code;amount;month;ref\nit-sak;1 000;2024-03;V1\n"))
    assert actual(line_of, "it-sak") == "1000.00" and actual(line_of, "skola") == "750.00"
    assert typed["line"] == "skola"


def test_a_header_only_file_is_refused_as_having_no_rows(tree, put, refused):
    refused("import", "actual", put("tom.csv", "code;amount\n"), "--period", "2024-03",
            names=["tom.csv", "no rows"])


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
def test_an_empty_file_says_it_is_empty(tree, put, refused, text):
    refused("import", "actual", put("tom.csv", text), "--period", "2024-03",
            names=["tom.csv", "empty"])


def test_a_month_column_takes_a_month_or_a_real_date(tree, put, ok, line_of):
    ok("import", "actual", put("d.csv", "code;amount;month\nit-sak;10;2024-02-29\n"
                                         "skola;5;2024-03\n"))
    assert line_of("it-sak", "2024-02")["actual_ytd"] == "10.00"
    assert actual(line_of, "skola") == "5.00"


@pytest.mark.parametrize("cell", ["2024-02-30", "2023-02-29", "2024-02-xx", "2024-2-01",
                                  "2024-02-1", "2024-02-15T10:00"])
def test_a_month_cell_that_is_no_month_or_date_is_malformed(tree, put, usage_error, cell):
    usage_error("import", "actual", put("d.csv", f"code;amount;month\nskola;5;2024-03\n"
                                                 f"it-sak;10;{cell}\n"),
                names=["d.csv", "row 3", "'month'", cell])

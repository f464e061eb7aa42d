"""Usage errors: text that cannot be read exits 2 with one clear line, and records nothing."""

from __future__ import annotations

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")

MALFORMED_AMOUNTS = [
    "12,3.4",  # both separators
    "1.234,5",
    "abc",
    "",
    "   ",
    "NaN",
    "nan",
    "Infinity",
    "inf",
    "-inf",
    "1.234",  # finer than öre
    "0,001",
    "1,234567 tkr",  # finer than öre only after scaling: 1234.567 kr
    "12 34",  # badly grouped thousands
    "1 2345",
    "12 kr kr",
    "5 gkr",
    "1e5",
]


@pytest.mark.parametrize("text", MALFORMED_AMOUNTS, ids=repr)
def test_a_malformed_budget_amount_is_a_usage_error(usage_error, text):
    line = usage_error("budget", "set", "it-sak", *Y, *R, "--", text)
    assert "amount" in line.lower() or repr(text) in line


@pytest.mark.parametrize("text", ["12,3.4", "abc", "", "NaN", "1.234"], ids=repr)
def test_a_malformed_booking_amount_is_a_usage_error(usage_error, text):
    usage_error("actual", "book", "it-sak", "--period", "2024-03", "--", text)


@pytest.mark.parametrize("text", ["12,3.4", "abc", "", "NaN", "1.234"], ids=repr)
def test_a_malformed_forecast_amount_is_a_usage_error(usage_error, text):
    usage_error("forecast", "set", "it-sak", *Y, "--as-of", "2024-03", *R, "--", text)


@pytest.mark.parametrize("text", ["12,3.4", "abc", "", "NaN", "1.234"], ids=repr)
def test_a_malformed_transfer_amount_is_a_usage_error(ok, usage_error, text):
    ok("budget", "set", "it-sak", "100", *Y, *R)
    usage_error("budget", "transfer", "it-sak", "skola", *Y, *R, "--", text)


def test_a_malformed_amount_is_named_in_the_error(usage_error):
    line = usage_error("budget", "set", "it-sak", "12,3.4", *Y, *R)
    assert "12,3.4" in line


@pytest.mark.parametrize("text", ["2024-13", "2024-5x", "2024-00", "maj"])
@pytest.mark.parametrize(
    "command",
    [
        ("budget", "set", "it-sak", "100", *Y, *R, "--effective"),
        ("forecast", "set", "it-sak", "100", *Y, *R, "--as-of"),
        ("actual", "book", "it-sak", "100", "--period"),
        ("note", "add", "it-sak", "text", *Y, "--period"),
        ("report", *Y, "--as-of"),
        ("why", "it-sak", *Y, "--to", "2024-12", "--from"),
        ("why", "it-sak", *Y, "--from", "2024-01", "--to"),
        ("period", "close"),
    ],
    ids=lambda c: f"{c[0]}-{c[-1]}",
)
def test_a_malformed_month_is_a_usage_error(usage_error, command, text):
    line = usage_error(*command, text)
    assert text in line


def test_a_malformed_reverse_period_is_a_usage_error(write, usage_error):
    [booking] = write("actual", "book", "it-sak", "100", "--period", "2024-03")
    usage_error("actual", "reverse", booking["event_id"], *R, "--period", "2024-13",
                names="2024-13")


@pytest.mark.parametrize(
    "text",
    ["yesterday", "2024-05-31T12:00:00", "2024-05-31 12:00", "2024-05-31", "31/05/2024 12:00Z", ""],
    ids=repr,
)
@pytest.mark.parametrize(
    "command",
    [
        ("report", *Y, "--as-of", "2024-05"),
        ("why", "it-sak", *Y, "--from", "2024-01", "--to", "2024-05"),
    ],
    ids=["report", "why"],
)
def test_a_malformed_known_at_is_a_usage_error(usage_error, command, text):
    usage_error(*command, "--known-at", text)


def test_a_known_at_without_offset_names_the_missing_offset(usage_error):
    line = usage_error("report", *Y, "--as-of", "2024-05", "--known-at", "2024-05-31T12:00:00")
    assert "2024-05-31T12:00:00" in line


@pytest.mark.parametrize(
    "args, option",
    [
        (("budget", "set", "it-sak", "100", *R), "--year"),
        (("budget", "set", "it-sak", "100", *Y), "--reason"),
        (("budget", "transfer", "it-sak", "skola", "100", *Y), "--reason"),
        (("forecast", "set", "it-sak", "100", *Y, *R), "--as-of"),
        (("actual", "book", "it-sak", "100"), "--period"),
        (("line", "add", "x"), "--name"),
        (("note", "add", "it-sak", "text", "--period", "2024-03"), "--year"),
        (("report", "--as-of", "2024-05"), "--year"),
        (("report", *Y), "--as-of"),
        (("why", "it-sak", *Y, "--to", "2024-05"), "--from"),
        (("why", "it-sak", *Y, "--from", "2024-05"), "--to"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]),
)
def test_a_missing_required_option_is_a_usage_error(usage_error, args, option):
    usage_error(*args, names=option)


@pytest.mark.parametrize(
    "args", [("budget", "set", "it-sak", *Y, *R), ("actual", "reverse", *R)], ids=["amount", "id"]
)
def test_a_missing_argument_is_a_usage_error(usage_error, args):
    usage_error(*args)


@pytest.mark.parametrize("reason", ["", "   "], ids=repr)
def test_an_empty_reason_is_a_usage_error(usage_error, reason):
    usage_error("budget", "set", "it-sak", "100", *Y, "--reason", reason, names="--reason")


@pytest.mark.parametrize("unit", ["gkr", "KR", "sek", ""], ids=repr)
def test_an_unknown_unit_is_a_usage_error(usage_error, unit):
    usage_error("report", *Y, "--as-of", "2024-05", "--unit", unit, names="--unit")


def test_an_unknown_option_is_a_usage_error(usage_error):
    usage_error("report", *Y, "--as-of", "2024-05", "--colour", names="--colour")


@pytest.mark.parametrize("year", ["twenty", "24x"])
def test_a_malformed_year_is_a_usage_error(usage_error, year):
    usage_error("budget", "set", "it-sak", "100", "--year", year, *R, names="--year")

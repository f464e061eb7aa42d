"""The amount notations finance staff write are read exactly, whatever command takes them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")

NOTATIONS = [
    ("1236897", "1236897"),
    ("1 236 897", "1236897"),
    ("1\u00a0236\u00a0897", "1236897"),  # no-break space
    ("1\u202f236\u202f897", "1236897"),  # narrow no-break space
    ("-1 831 513", "-1831513"),
    ("- 4,2 mkr", "-4200000"),
    ("51,3 mkr", "51300000"),
    ("2 016 tkr", "2016000"),
    ("12.50", "12.50"),
    ("12,50", "12.50"),
    ("0,05", "0.05"),
    ("1,5 tkr", "1500"),
    ("1,23456 mkr", "1234560"),
    ("-0,01", "-0.01"),
    ("12 kr", "12"),
]


@pytest.mark.parametrize("text, expected", NOTATIONS, ids=[n[0] for n in NOTATIONS])
def test_a_budget_amount_is_read_exactly_from_its_notation(tree, ok, report, text, expected):
    ok("budget", "set", "skola", *Y, *R, "--", text)
    [skola] = [ln for ln in report("2024-12")["lines"] if ln["code"] == "skola"]
    assert Decimal(skola["budget"]) == Decimal(expected)
    # JSON amounts are kronor with exactly two decimals.
    assert skola["budget"] == f"{Decimal(expected):.2f}"


@pytest.mark.parametrize(
    "text, expected",
    [("1 236 897", "1236897"), ("51,3 mkr", "51300000"), ("12.50", "12.50")],
)
def test_a_positive_amount_needs_no_double_dash(tree, ok, report, text, expected):
    ok("budget", "set", "skola", text, *Y, *R)
    assert Decimal(report("2024-12")["total"]["budget"]) == Decimal(expected)


def test_a_negative_booking_after_double_dash_is_a_credit(tree, ok, cli):
    ok("actual", "book", "it-sak", "--period", "2024-03", "--", "-1500")
    doc = cli.json("history", "it-sak")
    [booking] = [e for e in doc["events"] if e["kind"] == "actual_booked"]
    assert Decimal(booking["amount"]) == Decimal("-1500")
    assert booking["amount"] == "-1500.00"
    assert booking["period"] == "2024-03"


@pytest.mark.parametrize("text, expected", NOTATIONS, ids=[n[0] for n in NOTATIONS])
def test_a_booked_amount_is_read_exactly_from_its_notation(tree, ok, report, text, expected):
    ok("actual", "book", "it-sak", "--period", "2024-02", "--", text)
    doc = report("2024-02")
    [sak] = [ln for ln in doc["lines"] if ln["code"] == "it-sak"]
    assert Decimal(sak["actual_ytd"]) == Decimal(expected)


def test_a_forecast_amount_in_mkr_is_recorded_in_kronor(tree, ok, cli):
    ok("forecast", "set", "it-drift", *Y, "--as-of", "2024-04", *R, "--", "- 4,2 mkr")
    [event] = [e for e in cli.json("history", "it-drift")["events"]
               if e["kind"] == "forecast_revised"]
    assert event["amount"] == "-4200000.00"
    assert event["as_of"] == "2024-04"


def test_a_transfer_amount_in_tkr_moves_that_many_kronor(tree, ok, report):
    ok("budget", "set", "it-sak", "10 000", *Y, *R)
    ok("budget", "transfer", "it-sak", "skola", "2,5 tkr", *Y, *R)
    lines = {ln["code"]: ln for ln in report("2024-12")["lines"]}
    assert Decimal(lines["it-sak"]["budget"]) == Decimal("7500")
    assert Decimal(lines["skola"]["budget"]) == Decimal("2500")


def test_amounts_sum_exactly_without_float_error(tree, ok, report):
    for _ in range(10):
        ok("actual", "book", "it-sak", "0,10", "--period", "2024-01")
    ok("actual", "book", "it-drift", "0.20", "--period", "2024-01")
    doc = report("2024-01")
    assert doc["total"]["actual_ytd"] == "1.20"


def test_every_json_amount_has_two_decimals(tree, ok, cli):
    ok("budget", "set", "it-sak", "1 236 897", *Y, *R)
    ok("forecast", "set", "it-sak", "1,5 mkr", *Y, "--as-of", "2024-02", *R)
    ok("actual", "book", "it-sak", "12.5", "--period", "2024-02")
    doc = cli.json("report", *Y, "--as-of", "2024-02")
    amounts = [v for ln in doc["lines"] for k, v in ln.items()
               if k in ("budget", "forecast", "forecast_deviation", "budget_ytd",
                        "actual_ytd", "actual_deviation")]
    amounts += list(doc["total"].values())
    for value in amounts:
        assert isinstance(value, str), value
        whole, dot, frac = value.lstrip("-").partition(".")
        assert whole.isdigit() and dot == "." and len(frac) == 2 and frac.isdigit(), value
    assert json.loads(json.dumps(doc)) == doc

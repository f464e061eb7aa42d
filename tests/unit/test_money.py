"""Amounts: exact Decimal kronor from the notations finance staff write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prognos.events.errors import InvalidAmountError, InvalidInputError
from prognos.domain.money import (
    format_amount,
    format_display,
    format_json,
    from_ore,
    parse_amount,
    to_ore,
    ytd_share,
)


def exactly(value: Decimal, expected: str) -> bool:
    """Same number and a Decimal (never a float or an int)."""
    return type(value) is Decimal and value == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1236897", "1236897"),
        ("1 236 897", "1236897"),
        ("1\u00a0236\u00a0897", "1236897"),
        ("1\u202f236\u202f897", "1236897"),
        ("1\u2009236\u2009897", "1236897"),
        ("1 236\u00a0897", "1236897"),
        ("-1 831 513", "-1831513"),
        ("- 4,2 mkr", "-4200000"),
        ("51,3 mkr", "51300000"),
        ("2 016 tkr", "2016000"),
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("\u22121 831 513", "-1831513"),
        ("\u2212 4,2 mkr", "-4200000"),
        ("+12", "12"),
        ("  1 000 kr  ", "1000"),
        (".5", "0.5"),
        ("0", "0"),
        ("999", "999"),
    ],
)
def test_parse_amount_reads_every_notation_of_the_issue_exactly(text: str, expected: str) -> None:
    assert exactly(parse_amount(text), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 kr", "7"),
        ("7 tkr", "7000"),
        ("7 mkr", "7000000"),
        ("1,5 tkr", "1500"),
        ("0,01 tkr", "10"),
        ("0,000001 mkr", "1"),
        ("0,00001 tkr", "0.01"),
        ("0,0001 tkr", "0.1"),
        ("3 MKR", "3000000"),
        ("3 Tkr", "3000"),
    ],
)
def test_unit_suffix_scales_kr_tkr_and_mkr(text: str, expected: str) -> None:
    assert exactly(parse_amount(text), expected)


def test_default_unit_scales_a_bare_number() -> None:
    assert parse_amount("2,5", unit="tkr") == Decimal("2500")
    assert parse_amount("2,5", unit="mkr") == Decimal("2500000")
    assert parse_amount("2,5") == Decimal("2.5")


def test_unit_written_in_the_text_wins_over_the_default_unit() -> None:
    assert parse_amount("2 kr", unit="mkr") == Decimal("2")
    assert parse_amount("2 tkr", unit="mkr") == Decimal("2000")


def test_scaled_amount_has_no_leftover_exponent() -> None:
    value = parse_amount("2 tkr")
    assert str(value) == "2000"
    assert str(parse_amount("- 4,2 mkr")) == "-4200000"


def test_parsed_amount_keeps_its_ore_exactly_with_no_float_noise() -> None:
    value = parse_amount("0,10")
    assert value == Decimal("0.1")
    assert value + parse_amount("0,20") == Decimal("0.3")
    assert str(parse_amount("12.50")) == "12.50"


@pytest.mark.parametrize(
    "text",
    [
        "1,234.50",
        "1.234,50",
        "1 234,5.0",
        "",
        "   ",
        "\u00a0",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e5",
        "1E5",
        "1.234",
        "0,001",
        "0,000001 tkr",
        "0,000000001 mkr",
        "1 23 456",
        "12 3456",
        "1234 567",
        "12,",
        "kr",
        "--5",
        "5 sek",
        "abc",
        "1 000 000 000,5 5",
        "0x10",
    ],
)
def test_parse_amount_refuses_text_that_is_not_an_exact_ore_amount(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_amount(text)


def test_refused_amount_is_a_usage_error_with_exit_code_2() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_amount("1,2.3")
    assert info.value.exit_code == 2


@pytest.mark.parametrize("value", [12.5, 0.1, 1236897, Decimal("12.50"), None, True, b"12"])
def test_parse_amount_refuses_anything_but_text(value: object) -> None:
    with pytest.raises(InvalidAmountError):
        parse_amount(value)  # type: ignore[arg-type]


def test_parse_amount_refuses_an_absurdly_long_number_with_invalid_amount_error() -> None:
    with pytest.raises(InvalidAmountError):
        parse_amount("12345678901234567890123456789")


def test_parse_amount_never_rounds_a_long_amount_silently() -> None:
    text = "12345678901234567890123456,785"
    try:
        value = parse_amount(text)
    except InvalidAmountError:
        return
    assert value == Decimal("12345678901234567890123456.785")


# --- formatting ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1236897"), "kr", "1 236 897 kr"),
        (Decimal("-1831513"), "kr", "-1 831 513 kr"),
        (Decimal("12.50"), "kr", "12,5 kr"),
        (Decimal("0"), "kr", "0 kr"),
        (Decimal("-0.5"), "kr", "-0,5 kr"),
        (Decimal("2016000"), "tkr", "2 016 tkr"),
        (Decimal("-4200000"), "mkr", "-4,2 mkr"),
        (Decimal("1234567.5"), "tkr", "1 234,5675 tkr"),
        (Decimal("1E+3"), "kr", "1 000 kr"),
    ],
)
def test_format_amount_writes_exact_swedish_notation(value: Decimal, unit: str, expected: str) -> None:
    assert format_amount(value, unit) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["0", "0.01", "-0.01", "12.50", "1236897", "-1831513.07", "999999999.99", "1000000"],
)
@pytest.mark.parametrize("unit", ["kr", "tkr", "mkr"])
def test_format_amount_reads_back_to_the_same_amount(value: str, unit: str) -> None:
    amount = Decimal(value)
    assert parse_amount(format_amount(amount, unit)) == amount  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1236897.49"), "kr", "1 236 897"),
        (Decimal("2.5"), "kr", "2"),
        (Decimal("3.5"), "kr", "4"),
        (Decimal("-1234567.89"), "tkr", "-1 235"),
        (Decimal("1250000"), "mkr", "1,2"),
        (Decimal("1350000"), "mkr", "1,4"),
        (Decimal("-4200000"), "mkr", "-4,2"),
        (Decimal("-0.4"), "kr", "0"),
        (Decimal("0"), "mkr", "0,0"),
    ],
)
def test_format_display_rounds_half_even_for_tables(value: Decimal, unit: str, expected: str) -> None:
    assert format_display(value, unit) == expected  # type: ignore[arg-type]


def test_format_display_takes_an_explicit_number_of_decimals() -> None:
    assert format_display(Decimal("1234.565"), "kr", decimals=2) == "1 234,56"
    assert format_display(Decimal("1234567"), "tkr", decimals=1) == "1 234,6"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1236897"), "1236897.00"),
        (Decimal("12.5"), "12.50"),
        (Decimal("-4200000"), "-4200000.00"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("0"), "0.00"),
        (Decimal("0.01"), "0.01"),
    ],
)
def test_format_json_writes_kronor_with_exactly_two_decimals(value: Decimal, expected: str) -> None:
    assert format_json(value) == expected


@pytest.mark.parametrize(
    ("annual", "months", "expected"),
    [
        (Decimal("1200"), 1, "100.00"),
        (Decimal("1200"), 12, "1200.00"),
        (Decimal("100"), 1, "8.33"),
        (Decimal("100"), 2, "16.67"),
        (Decimal("0.06"), 1, "0.00"),  # 0.005 -> even 0.00
        (Decimal("0.18"), 1, "0.02"),  # 0.015 -> even 0.02
        (Decimal("0.30"), 1, "0.02"),  # 0.025 -> even 0.02
        (Decimal("0.42"), 1, "0.04"),  # 0.035 -> even 0.04
        (Decimal("-0.30"), 1, "-0.02"),
        (Decimal("1000"), 6, "500.00"),
    ],
)
def test_ytd_share_is_annual_times_months_over_twelve_rounded_half_even(
    annual: Decimal, months: int, expected: str
) -> None:
    result = ytd_share(annual, months)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


def test_to_ore_and_from_ore_are_exact_inverses() -> None:
    for text in ["0", "0.01", "-0.01", "12.50", "-1831513.07", "1236897"]:
        value = Decimal(text)
        ore = to_ore(value)
        assert isinstance(ore, int)
        assert from_ore(ore) == value
    assert to_ore(Decimal("12.50")) == 1250
    assert to_ore(Decimal("-4200000")) == -420000000
    assert str(from_ore(1250)) == "12.50"
    assert str(from_ore(-1)) == "-0.01"


def test_to_ore_refuses_an_amount_finer_than_ore() -> None:
    with pytest.raises(InvalidAmountError):
        to_ore(Decimal("0.001"))

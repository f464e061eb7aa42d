"""Round-trip properties of amounts and months: what prognos writes, it reads back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prognos.events.errors import InvalidAmountError, InvalidMonthError
from prognos.domain.money import format_amount, parse_amount
from prognos.events.period import YearMonth

UNITS = ("kr", "tkr", "mkr")
SCALE = {"kr": 1, "tkr": 1000, "mkr": 1_000_000}
SEPARATORS = (" ", "\u00a0", "\u202f")
SIGNS = ("-", "- ", "\u2212", "\u2212 ")

# Exact kronor with at most öre precision, always built from integer öre, never from floats.
ORE = st.one_of(st.integers(-10_000, 10_000), st.integers(-(10**15), 10**15))
AMOUNTS = ORE.map(lambda ore: Decimal(ore).scaleb(-2))

def group_thousands(whole: int, separator: str) -> str:
    """`1234567` as `1 234 567` with the given separator (no separator: plain digits)."""
    digits = str(whole)
    if not separator:
        return digits
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


@st.composite
def swedish_notations(draw: st.DrawFn) -> tuple[str, Decimal]:
    """A Swedish-notation amount as staff would type it, and the exact value it means."""
    unit_text = draw(st.sampled_from(["", " kr", "kr", " tkr", "tkr", " mkr", "mkr"]))
    unit = unit_text.strip() or "kr"
    # After scaling, nothing finer than öre: tkr allows 5 decimals, mkr 8.
    max_decimals = 2 + len(str(SCALE[unit])) - 1
    # Up to a trillion kronor after scaling: beyond any budget, inside the parser's limit.
    whole = draw(st.one_of(st.integers(0, 999), st.integers(0, 10**12 // SCALE[unit])))
    decimals = draw(st.integers(0, max_decimals))
    fraction = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    if whole == 0 and fraction == 0 and decimals == 0:
        whole = draw(st.integers(0, 5))
    separator = draw(st.sampled_from(("",) + SEPARATORS))
    decimal_mark = draw(st.sampled_from([",", "."]))
    negative = draw(st.booleans())
    sign = draw(st.sampled_from(SIGNS)) if negative else draw(st.sampled_from(["", "+"]))

    number = group_thousands(whole, separator)
    if decimals:
        number += decimal_mark + str(fraction).zfill(decimals)
    text = f"{sign}{number}{unit_text}"

    magnitude = (Decimal(whole) + Decimal(fraction).scaleb(-decimals)) * SCALE[unit]
    return text, -magnitude if negative else magnitude


@settings(deadline=None)
@given(amount=AMOUNTS, unit=st.sampled_from(UNITS))
def test_a_formatted_amount_parses_back_to_the_same_value(amount: Decimal, unit: str) -> None:
    text = format_amount(amount, unit)  # type: ignore[arg-type]
    assert parse_amount(text) == amount
    # The unit written in the text wins over the unit of a bare number.
    for bare_unit in UNITS:
        assert parse_amount(text, bare_unit) == amount  # type: ignore[arg-type]


@settings(deadline=None)
@given(amount=AMOUNTS, unit=st.sampled_from(UNITS))
def test_swedish_notation_with_a_real_minus_parses_back_to_the_same_value(
    amount: Decimal, unit: str
) -> None:
    """What a person reads (`1 236 897,5 tkr`, `−6,5 mkr`) is what prognos reads back."""
    from prognos.domain.money import MINUS

    text = format_amount(amount, unit, minus=MINUS)  # type: ignore[arg-type]
    assert "-" not in text
    assert parse_amount(text) == amount


@settings(deadline=None)
@given(amount=AMOUNTS)
def test_an_amount_shown_to_the_ore_parses_back_to_the_same_value(amount: Decimal) -> None:
    """A write command says what it recorded in kronor to the öre (`2 500 000,00 kr`)."""
    from prognos.domain.money import MINUS, format_display

    text = format_display(amount, "kr", decimals=2, minus=MINUS)
    assert parse_amount(f"{text} kr") == amount


@st.composite
def printed_figures(draw: st.DrawFn) -> tuple[Decimal, str]:
    """A figure as a table prints it in its unit, with its own number of decimals (`48,0`
    keeps its zero), never finer than öre in kronor."""
    unit = draw(st.sampled_from(UNITS))
    decimals = draw(st.integers(0, 2 + len(str(SCALE[unit])) - 1))
    most = 10**12 * 10**decimals // SCALE[unit]  # up to a trillion kronor
    digits = draw(st.integers(-most, most))
    return Decimal(digits).scaleb(-decimals), unit


@settings(deadline=None)
@given(printed_figures())
def test_a_figure_in_the_reports_notation_parses_back_to_the_same_value(
    figure: tuple[Decimal, str]
) -> None:
    """What the demo and reconcile print (`253 243 988`, `48,0`, `−0,401`), read in its
    table's unit, is exactly the figure; its own digits are kept."""
    from prognos.domain.money import MINUS, format_figure

    value, unit = figure
    text = format_figure(value, MINUS)
    assert parse_amount(text, unit) == value * SCALE[unit]  # type: ignore[arg-type]
    assert parse_amount(f"{text} {unit}") == value * SCALE[unit]
    assert len(text.partition(",")[2]) == max(0, -value.as_tuple().exponent)  # type: ignore[operator]


@settings(deadline=None)
@given(amount=AMOUNTS, unit=st.sampled_from(UNITS))
def test_a_formatted_amount_is_never_finer_than_ore_after_parsing(
    amount: Decimal, unit: str
) -> None:
    parsed = parse_amount(format_amount(amount, unit))  # type: ignore[arg-type]
    assert parsed == parsed.quantize(Decimal("0.01"))


@settings(deadline=None, max_examples=300)
@given(notation=swedish_notations())
def test_a_swedish_notation_parses_to_the_intended_value(notation: tuple[str, Decimal]) -> None:
    text, value = notation
    assert parse_amount(text) == value


@settings(deadline=None)
@given(
    whole=st.integers(0, 10**9),
    fraction=st.integers(0, 99),
    order=st.sampled_from([",.", ".,", ",,.", ".,."]),
    spaces=st.sampled_from(["", " ", "\u00a0"]),
    unit=st.sampled_from(["", " kr", " tkr", " mkr"]),
)
def test_an_amount_with_both_comma_and_point_is_refused(
    whole: int, fraction: int, order: str, spaces: str, unit: str
) -> None:
    pieces = [str(whole)] + [str(fraction).zfill(2)] * len(order)
    text = pieces[0]
    for mark, piece in zip(order, pieces[1:]):
        text += mark + spaces + piece
    with pytest.raises(InvalidAmountError):
        parse_amount(text + unit)


@pytest.mark.parametrize(
    "text",
    [
        "", " ", "\u00a0", "NaN", "nan", "-NaN", "sNaN", "inf", "-inf", "Inf", "Infinity",
        "-Infinity", "\u221e", "1,234.56", "1.234,56", "kr", "tkr", "-", "12,5,0",
    ],
)
def test_an_empty_or_non_finite_or_mixed_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_amount(text)


@settings(deadline=None)
@given(
    ore=st.integers(-(10**12), 10**12),
    extra=st.integers(1, 9),
    unit=st.sampled_from(UNITS),
)
def test_an_amount_finer_than_ore_after_scaling_is_refused(ore: int, extra: int, unit: str) -> None:
    # One more digit than the unit allows, and that digit is not zero.
    decimals = 2 + len(str(SCALE[unit])) - 1
    whole, frac = divmod(abs(ore), 10**decimals)
    text = f"{'-' if ore < 0 else ''}{whole},{str(frac).zfill(decimals)}{extra} {unit}"
    with pytest.raises(InvalidAmountError):
        parse_amount(text)


@settings(deadline=None)
@given(year=st.integers(1900, 9999), month=st.integers(1, 12))
def test_a_month_parses_back_from_its_text(year: int, month: int) -> None:
    ym = YearMonth(year, month)
    assert str(ym) == f"{year:04d}-{month:02d}"
    assert YearMonth.parse(str(ym)) == ym
    assert YearMonth.from_index(ym.index) == ym


@settings(deadline=None)
@given(
    a=st.builds(YearMonth, st.integers(1900, 9999), st.integers(1, 12)),
    b=st.builds(YearMonth, st.integers(1900, 9999), st.integers(1, 12)),
)
def test_months_order_like_their_text_and_their_index(a: YearMonth, b: YearMonth) -> None:
    assert (a < b) == (str(a) < str(b)) == (a.index < b.index)
    assert (a == b) == (str(a) == str(b))


@pytest.mark.parametrize("text", ["", "2024", "2024-13", "2024-00", "24-05", "2024/05", "2024-5"])
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(InvalidMonthError):
        YearMonth.parse(text)


@pytest.mark.parametrize("text", ["10 000 000 000 000 000", "10000000000 mkr", "-10000000000000 tkr"])
def test_an_amount_beyond_ten_thousand_trillion_kronor_is_refused(text: str) -> None:
    # Stored as 64-bit integer öre: a larger amount could not be summed exactly.
    with pytest.raises(InvalidAmountError):
        parse_amount(text)


@settings(deadline=None)
@given(ore=st.integers(-(10**15), 10**15), months=st.integers(1, 12))
def test_the_integer_periodisation_equals_the_decimal_definition(ore: int, months: int) -> None:
    # Reports add up in integer öre (figures.ytd_ore); money.ytd_share is the rule as written.
    from prognos.domain.money import from_ore, to_ore, ytd_share
    from prognos.projections.reports.figures import ytd_ore

    assert ytd_ore(ore, months) == to_ore(ytd_share(from_ore(ore), months))


@given(ORE, st.sampled_from(["quantized", "normalized", "exponent", "as parsed"]))
def test_a_stored_amount_reads_back_as_the_same_ore_in_the_views(ore: int, form: str) -> None:
    """The views read stored amount strings by a fast path; it must agree with `to_ore`."""
    from prognos.domain.money import to_ore
    from prognos.projections.store.views import _ore

    value = Decimal(ore).scaleb(-2)
    text = {
        "quantized": str(value),
        "normalized": str(value.normalize()),
        "exponent": f"{value:E}",
        "as parsed": str(parse_amount(format_amount(value))),
    }[form]
    assert _ore(text) == to_ore(Decimal(text)) == ore


@given(st.one_of(ORE, st.integers(-(10**18), 10**18)))
def test_report_json_amounts_are_what_format_json_writes(ore: int) -> None:
    """The report renders 300,000 amounts from integer öre by a fast path; it must agree."""
    from prognos.cli.render import kr
    from prognos.domain.money import format_json, from_ore

    assert kr(ore) == format_json(from_ore(ore))


@settings(deadline=None)
@given(amount=AMOUNTS, unit=st.sampled_from(UNITS), decimal=st.sampled_from([",", "."]))
def test_a_csv_amount_is_the_exact_amount_in_its_unit(amount: Decimal, unit: str,
                                                      decimal: str) -> None:
    """What the CSV export writes (`-1236,8975` tkr): a number to Excel, and exactly the
    amount: no thousands separator, an ASCII minus, the chosen decimal mark."""
    from prognos.cli.files.delimited import plain

    text = plain(amount, unit, decimal)
    assert set(text) <= set("-0123456789" + decimal)
    assert Decimal(text.replace(decimal, ".")) * SCALE[unit] == amount
    assert parse_amount(text, unit) == amount  # type: ignore[arg-type]

"""Money: exact kronor amounts parsed from the notations finance staff write.

Amounts are `Decimal` kronor with at most öre (two decimal) precision. They are
parsed from text only, never from floats, so `0.1` can never sneak in as
0.1000000000000000055511151231257827.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Literal

from prognos.events.errors import InvalidAmountError

Unit = Literal["kr", "tkr", "mkr"]
UNIT_SCALE: dict[str, Decimal] = {"kr": Decimal(1), "tkr": Decimal(1000), "mkr": Decimal(1_000_000)}
ORE = Decimal("0.01")

# Space, no-break space, narrow no-break space and thin space all appear as
# thousands separators in Swedish documents (PDF extraction yields any of them).
_SPACES = " \u00a0\u202f\u2009"
_MINUS = "\\-\u2212\u2013"  # hyphen-minus (escaped for the class), minus sign, en dash
# Around the sign, the number and the unit too (Excel's Swedish currency format writes
# "1 236 897,00 kr" with no-break spaces).
_GAP = "[\\s" + _SPACES + "]*"
_AMOUNT = re.compile(
    r"""^""" + _GAP + r"""
    (?P<sign>[+""" + _MINUS + r"""])?""" + _GAP + r"""
    (?P<int>\d{1,3}(?:[""" + _SPACES + r"""]\d{3})+|\d+)?
    (?:(?P<sep>[.,])(?P<frac>\d+))?
    """ + _GAP + r"""(?P<unit>kr|tkr|mkr)?""" + _GAP + r"""$""",
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
# Far beyond any public budget (ten thousand trillion kronor), and well inside
# both Decimal's default precision and 64-bit integer öre.
LIMIT = Decimal(10) ** 16
MINUS = "\u2212"  # the minus sign Swedish typography prints (parse_amount reads it)
MAX_TEXT = 64  # characters: "-9 999 999 999 999 999,99 kr" is 28


# The common case in files: plain digits, optional minus, up to two decimals.
_SIMPLE = re.compile(r"^-?\d{1,15}(?:[.,]\d{1,2})?$", re.ASCII)


def parse_amount(text: str, unit: Unit = "kr") -> Decimal:
    """Parse an amount written in plain or Swedish notation into exact kronor.

    `unit` is the unit of a bare number; a unit written in the text wins.
    Refuses (InvalidAmountError) empty text, NaN, infinity, mixed `,` and `.`,
    badly grouped thousands and anything finer than öre after scaling.
    """
    if not isinstance(text, str):
        raise InvalidAmountError(f"amount must be text, got {type(text).__name__}")
    if unit == "kr" and _SIMPLE.match(text):
        # What `_normalise` would make of it, without its Decimal arithmetic.
        plain = text.replace(",", ".")
        whole, _, fraction = plain.partition(".")
        return Decimal(plain) if fraction.strip("0") else Decimal(int(whole))
    stripped = text.strip()
    if not stripped:
        raise InvalidAmountError("amount is empty")
    if len(stripped) > MAX_TEXT:
        # No amount is written this long; and long runs of spaces make the pattern slow.
        raise InvalidAmountError(f"not an amount (too long): {stripped[:24]!r}...")
    m = _AMOUNT.match(stripped)
    if m is None or (m["int"] is None and m["frac"] is None):
        raise InvalidAmountError(f"not an amount: {text!r}")
    digits = re.sub(f"[{_SPACES}]", "", m["int"] or "0")
    if len(digits.lstrip("0")) > 16 or len(m["frac"] or "") > 10:
        raise InvalidAmountError(f"amount too large or too fine: {text!r}")
    try:
        value = Decimal(f"{digits}.{m['frac']}" if m["frac"] else digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise InvalidAmountError(f"not an amount: {text!r}") from None
    with localcontext() as exact:
        exact.prec = 60  # the scaling below must never round
        value *= UNIT_SCALE[(m["unit"] or unit).lower()]
    if abs(value) >= LIMIT:
        raise InvalidAmountError(f"amount too large: {text!r}")
    if m["sign"] and m["sign"] != "+":
        value = -value
    if value != value.quantize(ORE, rounding=ROUND_HALF_EVEN):
        raise InvalidAmountError(f"amount finer than öre: {text!r}")
    return _normalise(value)


def _normalise(value: Decimal) -> Decimal:
    """Keep the value exact but drop a meaningless exponent (2.0E+3 -> 2000, -0 -> 0)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1)) + 0
    exponent = value.as_tuple().exponent  # an int: the value is finite
    return value.normalize() if isinstance(exponent, int) and exponent < -2 else value


def to_ore(value: Decimal) -> int:
    """Exact integer öre for storage and summing."""
    ore = value * 100
    if ore != ore.to_integral_value():
        raise InvalidAmountError(f"amount finer than öre: {value}")
    return int(ore)


def from_ore(ore: int) -> Decimal:
    return Decimal(ore).scaleb(-2)


def format_json(value: Decimal) -> str:
    """The JSON representation: kronor with exactly two decimals, ASCII."""
    return f"{value.quantize(ORE):f}"


def format_amount(value: Decimal, unit: Unit = "kr", minus: str = "-") -> str:
    """Exact Swedish notation (`-1 236 897,5 tkr`) that `parse_amount` reads back; `minus`
    is the sign of a negative amount (`MINUS` as printed, `-` as typed)."""
    scaled = value / UNIT_SCALE[unit]
    sign = minus if scaled < 0 else ""
    text = f"{abs(scaled).normalize():f}"
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    number = f"{grouped},{frac}" if frac else grouped
    return f"{sign}{number} {unit}"


def format_display(
    value: Decimal, unit: Unit = "kr", decimals: int | None = None, minus: str = "-"
) -> str:
    """Rounded Swedish notation for tables: kr whole, tkr whole, mkr one decimal."""
    if decimals is None:
        decimals = {"kr": 0, "tkr": 0, "mkr": 1}[unit]
    scaled = (value / UNIT_SCALE[unit]).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    sign = minus if scaled < 0 else ""
    whole, _, frac = f"{abs(scaled):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def format_figure(value: Decimal, minus: str = "-", most: int | None = None) -> str:
    """A figure as a report prints it, with its own digits (`48,0` stays `48,0`) in
    Swedish notation and no unit: spaces between thousands, a decimal comma. `most`
    rounds (half-even) a figure with more decimals than that, such as a computed third."""
    exponent = value.as_tuple().exponent
    if most is not None and isinstance(exponent, int) and -exponent > most:
        value = value.quantize(Decimal(1).scaleb(-most), ROUND_HALF_EVEN).normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    sign = minus if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def ytd_share(annual: Decimal, months: int) -> Decimal:
    """The linear periodisation: annual × months/12, rounded to öre half-even."""
    return (annual * months / 12).quantize(ORE, rounding=ROUND_HALF_EVEN)

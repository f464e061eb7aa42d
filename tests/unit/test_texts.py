"""The texts a person reads: every one in Swedish and in English, every kind of event and
every effect named, and amounts in each language's notation."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pytest

from prognos.cli.render import SAID
from prognos.cli.texts import CATALOGUE, KIND_NAMES, texts
from prognos.domain.money import parse_amount
from prognos.events import kinds
from prognos.events.kinds import Effect


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_text_is_in_both_languages_with_the_same_blanks(key: str) -> None:
    swedish, english = CATALOGUE[key]
    assert swedish.strip() and english.strip()
    if key != "recorded":  # Swedish says what was understood, English what was stored
        assert _fields(swedish) == _fields(english), key


def test_every_kind_and_every_effect_has_words() -> None:
    assert set(KIND_NAMES) == {cls.kind for cls in kinds.ALL}
    assert set(SAID) == set(Effect)


def test_swedish_amounts_have_spaces_a_decimal_comma_and_a_real_minus() -> None:
    sv, en = texts("sv"), texts("en")
    assert sv.amount(Decimal("1236897")) == "1 236 897"
    assert sv.amount(Decimal("-6500000"), "mkr") == "\u22126,5"
    assert sv.amount(Decimal("51300000"), "mkr") == "51,3"
    assert sv.kronor(Decimal("2500000")) == "2 500 000,00 kr"
    assert en.amount(Decimal("-6500000"), "mkr") == "-6,5"  # as before
    assert parse_amount(sv.kronor(Decimal("-1500.5"))) == Decimal("-1500.5")


def test_anything_but_english_is_swedish() -> None:
    assert texts("sv").swedish and texts("SV").swedish and not texts("en").swedish


def test_every_word_the_html_reports_script_says_is_in_both_languages() -> None:
    from prognos.cli.files.page import SCRIPT_TEXTS
    from prognos.cli.files.page_assets import SCRIPT

    assert all(key in CATALOGUE for key in SCRIPT_TEXTS)
    used = {f"html.{name}" for name in re.findall(r"\bT\.(\w+)", SCRIPT)}
    assert used == set(SCRIPT_TEXTS)  # the script says no other, and each it is given

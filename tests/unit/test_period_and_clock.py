"""Months of a budget year, and the one source of recording time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from prognos.domain.clock import TICK, format_instant, next_recorded_at, parse_instant
from prognos.events.errors import (
    InvalidInputError,
    InvalidMonthError,
    InvalidTimestampError,
    MonthOutsideYearError,
    RefusedError,
)
from prognos.events.period import YearMonth, parse_year

# --- YearMonth -------------------------------------------------------------------


def test_year_month_parses_and_prints_as_yyyy_mm() -> None:
    month = YearMonth.parse("2024-05")
    assert month == YearMonth(2024, 5)
    assert (month.year, month.month) == (2024, 5)
    assert str(month) == "2024-05"
    assert str(YearMonth(2024, 12)) == "2024-12"
    assert YearMonth.parse(" 2024-01 ") == YearMonth(2024, 1)


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-00", "2024-5", "24-05", "2024/05", "2024-05-01", "", "maj", "0999-01"]
)
def test_year_month_parse_refuses_anything_but_a_real_month(text: str) -> None:
    with pytest.raises(InvalidMonthError):
        YearMonth.parse(text)


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), (2024, -1), (1899, 5), (10000, 1)])
def test_year_month_constructor_refuses_invalid_months(year: int, month: int) -> None:
    with pytest.raises(InvalidMonthError):
        YearMonth(year, month)


def test_invalid_month_is_a_usage_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        YearMonth.parse("2024-13")
    assert info.value.exit_code == 2


def test_year_months_order_across_year_boundaries() -> None:
    months = [YearMonth(2025, 1), YearMonth(2024, 12), YearMonth(2024, 2), YearMonth(2024, 10)]
    assert sorted(months) == [
        YearMonth(2024, 2),
        YearMonth(2024, 10),
        YearMonth(2024, 12),
        YearMonth(2025, 1),
    ]
    assert YearMonth(2024, 3) < YearMonth(2024, 4)
    assert YearMonth(2024, 4) <= YearMonth(2024, 4)
    assert YearMonth(2024, 12) < YearMonth(2025, 1)
    assert YearMonth(2025, 1) > YearMonth(2024, 12)
    assert not YearMonth(2024, 5) < YearMonth(2024, 5)


def test_year_months_are_hashable_values() -> None:
    assert {YearMonth(2024, 5), YearMonth.parse("2024-05")} == {YearMonth(2024, 5)}


def test_year_month_is_immutable() -> None:
    month = YearMonth(2024, 5)
    with pytest.raises(AttributeError):
        month.month = 6  # type: ignore[misc]


def test_year_month_index_orders_like_the_month_and_round_trips() -> None:
    assert YearMonth(2024, 1).index == 2024 * 12
    assert YearMonth(2024, 12).index + 1 == YearMonth(2025, 1).index
    for month in [YearMonth(1900, 1), YearMonth(2024, 1), YearMonth(2024, 7), YearMonth(2024, 12)]:
        assert YearMonth.from_index(month.index) == month
    months = [YearMonth(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)]
    assert [m.index for m in months] == sorted(m.index for m in months)
    assert len({m.index for m in months}) == len(months)


def test_first_of_is_january() -> None:
    assert YearMonth.first_of(2024) == YearMonth(2024, 1)


def test_require_in_accepts_a_month_of_the_year() -> None:
    month = YearMonth(2024, 5)
    assert month.require_in(2024, "--period") is month


def test_require_in_refuses_a_month_outside_the_year_naming_option_and_month() -> None:
    with pytest.raises(MonthOutsideYearError) as info:
        YearMonth(2023, 12).require_in(2024, "--as-of")
    assert isinstance(info.value, RefusedError)
    assert "--as-of" in str(info.value)
    assert "2023-12" in str(info.value)
    assert "2024" in str(info.value)


def test_parse_year_accepts_text_and_int_and_refuses_junk() -> None:
    assert parse_year("2024") == 2024
    assert parse_year(2024) == 2024
    for bad in ["twenty", "", "1899", "10000", None]:
        with pytest.raises(InvalidMonthError):
            parse_year(bad)  # type: ignore[arg-type]


# --- clock -----------------------------------------------------------------------

T0 = datetime(2024, 5, 31, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-31T12:00:00+00:00", T0),
        ("2024-05-31T12:00:00Z", T0),
        ("2024-05-31T12:00:00z", T0),
        ("2024-05-31T14:00:00+02:00", T0),
        ("2024-05-31T07:00:00-05:00", T0),
        ("2024-05-31T12:00:00.000000+00:00", T0),
        ("2024-05-31 14:00:00+02:00", T0),
        ("  2024-05-31T12:00:00Z  ", T0),
    ],
)
def test_parse_instant_accepts_offsets_and_z_and_returns_utc(text: str, expected: datetime) -> None:
    instant = parse_instant(text)
    assert instant == expected
    assert instant.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["2024-05-31T12:00:00", "2024-05-31", "yesterday", "", "2024-13-01T00:00:00Z", "Z"]
)
def test_parse_instant_refuses_naive_and_garbage_timestamps(text: str) -> None:
    with pytest.raises(InvalidTimestampError):
        parse_instant(text)


def test_next_recorded_at_uses_the_clock_when_it_moves_forward() -> None:
    assert next_recorded_at(T0, None) == T0
    later = T0 + timedelta(seconds=1)
    assert next_recorded_at(later, T0) == later


def test_next_recorded_at_is_strictly_after_the_last_when_the_clock_stalls() -> None:
    assert next_recorded_at(T0, T0) == T0 + TICK
    assert TICK > timedelta(0)


def test_next_recorded_at_never_goes_backwards_when_the_clock_does() -> None:
    earlier = T0 - timedelta(hours=3)
    result = next_recorded_at(earlier, T0)
    assert result > T0
    assert result == T0 + TICK


def test_next_recorded_at_stays_strictly_increasing_over_a_wobbling_clock() -> None:
    clock_readings = [T0, T0, T0 - timedelta(days=1), T0 + timedelta(seconds=1), T0, T0]
    last = None
    seen = []
    for now in clock_readings:
        last = next_recorded_at(now, last)
        seen.append(last)
    assert all(a < b for a, b in zip(seen, seen[1:]))


def test_format_instant_is_fixed_width_utc_with_microseconds() -> None:
    assert format_instant(T0) == "2024-05-31T12:00:00.000000+00:00"
    cest = timezone(timedelta(hours=2))
    assert format_instant(datetime(2024, 5, 31, 14, 0, tzinfo=cest)) == "2024-05-31T12:00:00.000000+00:00"
    widths = {len(format_instant(T0 + timedelta(microseconds=n))) for n in (0, 1, 999999, 10**6)}
    assert widths == {len("2024-05-31T12:00:00.000000+00:00")}


def test_format_instant_sorts_as_text_like_the_instants() -> None:
    cest = timezone(timedelta(hours=2))
    instants = [
        T0,
        T0 + timedelta(microseconds=1),
        T0 - timedelta(microseconds=1),
        T0 + timedelta(seconds=10),
        datetime(2024, 5, 31, 13, 0, tzinfo=cest),  # 11:00 UTC, earlier than T0
        T0 + timedelta(days=400),
    ]
    assert sorted(instants, key=format_instant) == sorted(instants)


def test_format_instant_reads_back_with_parse_instant() -> None:
    instant = T0 + timedelta(microseconds=123)
    assert parse_instant(format_instant(instant)) == instant

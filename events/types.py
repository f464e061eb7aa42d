"""Field types shared by the events: exact money, months, UTC instants."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from prognos.domain.period import YearMonth


def _money(value: Any) -> Decimal:
    # Never accept a float: lax pydantic would turn 0.1 into 0.1000000000000000055...
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("money must be a Decimal or a decimal string, never a float")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (str, int)):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
    else:
        raise ValueError(f"not a decimal amount: {value!r}")
    if not result.is_finite():
        raise ValueError("money must be finite")
    return result


def _month(value: Any) -> YearMonth:
    if isinstance(value, YearMonth):
        return value
    if isinstance(value, str):
        return YearMonth.parse(value)
    raise ValueError(f"not a month: {value!r}")


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("recorded_at must be a timezone-aware datetime")
    return value.astimezone(timezone.utc)


Money = Annotated[Decimal, PlainValidator(_money), PlainSerializer(lambda d: str(d), return_type=str)]
Month = Annotated[YearMonth, PlainValidator(_month), PlainSerializer(str, return_type=str)]
UtcDatetime = Annotated[
    datetime,
    PlainValidator(_utc),
    # Fixed width (always microseconds, always +00:00) so stored times sort as text.
    PlainSerializer(lambda d: d.isoformat(timespec="microseconds"), return_type=str),
]

"""Field types of the events: exact money, months, UTC instants, and where a file row came from.

Each is a plain type with an `Annotated` marker that tells pydantic how to read and write
it. The marker imports pydantic only when a model is built, so the declarations in
`events.kinds` can name these types while a report, which never builds a model, stays
free of pydantic. `Source` is a pydantic model of its own (`events.ledger.Source`),
named here the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any

from prognos.events.period import YearMonth


class _Stored:
    """How pydantic validates a field from what was given or stored, and writes it as text."""

    def __init__(self, validate: Callable[[Any], Any], write: Callable[[Any], str]):
        self.validate = validate
        self.write = write

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            self.validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                self.write, return_schema=core_schema.str_schema()
            ),
        )


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


def _instant_text(instant: datetime) -> str:
    # Fixed width (always microseconds, always +00:00) so stored times sort as text.
    return instant.isoformat(timespec="microseconds")


Money = Annotated[Decimal, _Stored(_money, str)]
Month = Annotated[YearMonth, _Stored(_month, str)]
UtcDatetime = Annotated[datetime, _Stored(_utc, _instant_text)]


class _Model:
    """A field holding one of the models of `events.ledger`, looked up only when pydantic
    builds the model that has the field."""

    def __init__(self, name: str):
        self.name = name

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from prognos.events import ledger

        return handler.generate_schema(getattr(ledger, self.name))


if TYPE_CHECKING:
    from prognos.events.ledger import Source
else:
    Source = Annotated[object, _Model("Source")]

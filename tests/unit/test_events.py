"""Events: immutable, versioned facts, and how they are stored and read back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from prognos.events.errors import InvalidMonthError
from prognos.events.period import YearMonth
from prognos.events.ledger import LedgerEvent, Source
from prognos.events.ledger import (
    EVENT_CLASSES,
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
    NoteAdded,
    PeriodClosed,
    SourceImported,
)
from prognos.events.ledger import MODEL_OF as BY_KIND
from prognos.projections.store.mapper import (
    LEDGER_STREAM,
    from_stored,
    register_topic,
    stream_of,
    to_stored,
    topic_of,
)
from prognos.events.upcasting import register_upcaster, upcast

WHEN = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)


def audit(**extra: Any) -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "command_id": uuid4(),
        "recorded_at": WHEN,
        "user": "anna",
        **extra,
    }


def one_of_each() -> list[LedgerEvent]:
    """One event of every class, with every optional field filled in somewhere."""
    booked = ActualBooked(
        **audit(code="it-sak", period=YearMonth(2024, 3), amount=Decimal("-1500.25"), ref="F-17",
                reason="faktura", source=Source(sha256="ab" * 32, row=4))
    )
    return [
        LineAdded(**audit(code="it", name="IT", parent=None)),
        LineAdded(**audit(code="it-sak", name="IT-säkerhet", parent="it")),
        BudgetSet(**audit(code="it-sak", year=2024, effective=YearMonth(2024, 1),
                          amount=Decimal("1236897.00"), reason="KF-beslut")),
        BudgetTransferred(**audit(code="it-sak", year=2024, effective=YearMonth(2024, 4),
                                  amount=Decimal("-50000"), counterpart="hr",
                                  transfer_id=uuid4(), reason="omfördelning")),
        ForecastRevised(**audit(code="it-sak", year=2024, as_of=YearMonth(2024, 5),
                                amount=Decimal("1300000.50"), reason="prognos per maj")),
        booked,
        ActualReversed(**audit(code="it-sak", period=YearMonth(2024, 3), amount=Decimal("1500.25"),
                               ref="F-17", corrects=booked.event_id, reason="fel konto")),
        NoteAdded(**audit(code="it", year=2024, period=YearMonth(2024, 5), text="Licenser dyrare")),
        PeriodClosed(**audit(through=YearMonth(2024, 2))),
        SourceImported(**audit(sha256="cd" * 32, name="huvudbok.csv", size=2048, rows=17)),
    ]


EVENTS = one_of_each()
IDS = [type(e).__name__ + str(i) for i, e in enumerate(EVENTS)]


def test_every_event_class_is_covered_by_the_examples() -> None:
    assert {type(e) for e in EVENTS} == set(EVENT_CLASSES)


@pytest.mark.parametrize("event", EVENTS, ids=IDS)
def test_events_are_frozen_so_assignment_raises(event: LedgerEvent) -> None:
    with pytest.raises(ValidationError):
        event.user = "mallory"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        event.position = 99  # type: ignore[misc]
    assert event.user == "anna"


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_event_classes_forbid_extra_fields(cls: type[LedgerEvent]) -> None:
    example = next(e for e in EVENTS if type(e) is cls)
    data = example.model_dump()
    cls.model_validate(data)  # the example itself is fine
    with pytest.raises(ValidationError, match="extra"):
        cls.model_validate({**data, "surprise": 1})


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.__name__)
def test_event_classes_declare_class_version_and_a_distinct_kind(cls: type[LedgerEvent]) -> None:
    assert isinstance(cls.class_version, int) and cls.class_version >= 1
    assert BY_KIND[cls.kind] is cls


def test_event_kinds_are_the_names_of_the_issue() -> None:
    assert {c.kind for c in EVENT_CLASSES} >= {
        "line_added", "budget_set", "budget_transferred", "forecast_revised",
        "actual_booked", "actual_reversed", "note_added",
    }


MONEY_EVENTS = [e for e in EVENTS if "amount" in type(e).model_fields]


@pytest.mark.parametrize("event", MONEY_EVENTS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("bad", [0.1, 12.5, 1e6, True, float("nan")])
def test_money_fields_refuse_floats(event: LedgerEvent, bad: object) -> None:
    data = event.model_dump()
    with pytest.raises(ValidationError):
        type(event).model_validate({**data, "amount": bad})


@pytest.mark.parametrize("event", MONEY_EVENTS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "tolv", None])
def test_money_fields_refuse_non_finite_and_non_numbers(event: LedgerEvent, bad: object) -> None:
    data = event.model_dump()
    with pytest.raises(ValidationError):
        type(event).model_validate({**data, "amount": bad})


@pytest.mark.parametrize("event", MONEY_EVENTS, ids=lambda e: type(e).__name__)
def test_money_fields_accept_decimal_and_decimal_strings_exactly(event: LedgerEvent) -> None:
    data = event.model_dump()
    from_decimal = type(event).model_validate({**data, "amount": Decimal("0.10")})
    from_text = type(event).model_validate({**data, "amount": "0.10"})
    assert type(from_decimal.amount) is Decimal  # type: ignore[attr-defined]
    assert from_decimal.amount == from_text.amount == Decimal("0.1")  # type: ignore[attr-defined]
    assert from_text.amount.as_tuple() == Decimal("0.10").as_tuple()  # type: ignore[attr-defined]


def test_recorded_at_must_be_timezone_aware_and_is_kept_in_utc() -> None:
    with pytest.raises(ValidationError):
        LineAdded(**{**audit(code="x", name="X"), "recorded_at": datetime(2024, 3, 1, 9, 30)})
    cest = timezone(timedelta(hours=2))
    event = LineAdded(**{**audit(code="x", name="X"),
                         "recorded_at": datetime(2024, 3, 1, 11, 30, tzinfo=cest)})
    assert event.recorded_at == WHEN
    assert event.recorded_at.utcoffset() == timedelta(0)


def test_month_fields_accept_text_and_refuse_invalid_months() -> None:
    data = audit(code="a", year=2024, as_of="2024-05", amount="1")
    assert ForecastRevised(**data).as_of == YearMonth(2024, 5)
    # The month validator lets InvalidMonthError through rather than wrapping it.
    with pytest.raises((ValidationError, InvalidMonthError)):
        ForecastRevised(**{**data, "as_of": "2024-13"})
    with pytest.raises(ValidationError):
        ForecastRevised(**{**data, "as_of": 202405})


def test_line_events_name_their_line_and_ledger_events_do_not() -> None:
    by_type = {type(e): e for e in EVENTS}
    assert by_type[BudgetSet].line == "it-sak"
    assert by_type[PeriodClosed].line is None


# --- mapper ----------------------------------------------------------------------


@pytest.mark.parametrize("event", EVENTS, ids=IDS)
def test_to_stored_then_from_stored_gives_the_same_event_with_the_position(
    event: LedgerEvent,
) -> None:
    stored = to_stored(event, 3)
    back = from_stored(stored.topic, stored.state, 42)
    assert type(back) is type(event)
    assert back.position == 42
    assert back == event.model_copy(update={"position": 42})


@pytest.mark.parametrize("event", EVENTS, ids=IDS)
def test_stored_state_is_json_with_class_version_and_never_a_position(event: LedgerEvent) -> None:
    placed = event.model_copy(update={"position": 17})
    stored = to_stored(placed, 1)
    state = json.loads(stored.state)
    assert state["class_version"] == type(event).class_version
    assert "position" not in state
    assert state["event_id"] == str(event.event_id)
    assert stored.topic == topic_of(type(event))
    assert stored.originator_version == 1


def test_stored_money_is_a_decimal_string_never_a_json_number() -> None:
    event = next(e for e in EVENTS if isinstance(e, BudgetSet))
    state = json.loads(to_stored(event, 1).state)
    assert state["amount"] == "1236897.00"
    assert state["effective"] == "2024-01"


def test_stored_state_keeps_non_ascii_text() -> None:
    event = next(e for e in EVENTS if isinstance(e, LineAdded) and e.parent == "it")
    assert "IT-säkerhet".encode() in to_stored(event, 1).state


def test_every_event_is_in_the_ledger_stream() -> None:
    a = BudgetSet(**audit(code="a", year=2024, effective="2024-01", amount="1"))
    b = ForecastRevised(**audit(code="b", year=2024, as_of="2024-02", amount="2"))
    closed = PeriodClosed(**audit(through="2024-01"))
    assert stream_of(a) == stream_of(b) == stream_of(closed) == LEDGER_STREAM
    assert to_stored(a, 5).originator_id == LEDGER_STREAM


def test_from_stored_refuses_an_unknown_topic() -> None:
    stored = to_stored(EVENTS[0], 1)
    with pytest.raises(LookupError, match="unknown event topic"):
        from_stored("prognos.events.ledger:NoSuchEvent", stored.state, 1)


def test_from_stored_treats_a_state_without_class_version_as_version_1() -> None:
    event = EVENTS[0]
    state = json.loads(to_stored(event, 1).state)
    del state["class_version"]
    back = from_stored(topic_of(LineAdded), json.dumps(state).encode(), 5)
    assert back == event.model_copy(update={"position": 5})


@pytest.mark.parametrize("event", EVENTS, ids=IDS)
def test_a_version_1_event_reads_with_no_request_and_no_database_role(event: LedgerEvent) -> None:
    """Before issue 13 an event recorded neither: written so, it reads back with both None,
    and everything else as written."""
    marked = event.model_copy(update={"request_id": "r-1", "db_role": "skrivare"})
    state = json.loads(to_stored(marked, 1).state)
    assert state["class_version"] == 2 and state["request_id"] == "r-1"
    assert from_stored(topic_of(type(event)), json.dumps(state).encode(), 7) == marked.model_copy(
        update={"position": 7})
    old = {k: v for k, v in state.items() if k not in ("request_id", "db_role")}
    old["class_version"] = 1
    back = from_stored(topic_of(type(event)), json.dumps(old).encode(), 7)
    assert back == event.model_copy(update={"position": 7})
    assert back.request_id is None and back.db_role is None


# --- upcasting -------------------------------------------------------------------


class BudgetNoted(LedgerEvent):
    """Test-only event at version 2: v1 called the `amount` field `belopp`."""

    class_version: ClassVar[int] = 2
    kind: ClassVar[str] = "test_budget_noted"
    code: str
    amount: Decimal


@register_upcaster("test_budget_noted", 1)
def _belopp_to_amount(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["amount"] = data.pop("belopp")
    return data


class ThreeStep(LedgerEvent):
    """Test-only event at version 3 with only the 1 -> 2 upcaster registered: a gap."""

    class_version: ClassVar[int] = 3
    kind: ClassVar[str] = "test_three_step"
    value: str


@register_upcaster("test_three_step", 1)
def _three_step_v1(data: dict[str, Any]) -> dict[str, Any]:
    return data


OLD_TOPIC = "tests.unit.legacy:BudgetNoted"
GAP_TOPIC = "tests.unit.legacy:ThreeStep"
register_topic(OLD_TOPIC, BudgetNoted)
register_topic(GAP_TOPIC, ThreeStep)


def v1_state(**fields: Any) -> dict[str, Any]:
    return {
        "event_id": "6a1c1a0e-0000-4000-8000-000000000001",
        "command_id": "6a1c1a0e-0000-4000-8000-000000000002",
        "recorded_at": "2023-11-02T10:00:00+00:00",
        "user": "bertil",
        "reason": None,
        "source": None,
        "corrects": None,
        **fields,
    }


def test_from_stored_upcasts_an_old_version_to_the_current_shape() -> None:
    state = v1_state(class_version=1, code="it", belopp="1500.50")
    event = from_stored(OLD_TOPIC, json.dumps(state).encode(), 9)
    assert isinstance(event, BudgetNoted)
    assert event.amount == Decimal("1500.50")
    assert event.code == "it"
    assert event.position == 9
    assert event.event_id == UUID("6a1c1a0e-0000-4000-8000-000000000001")
    assert "belopp" not in event.model_dump()


def test_from_stored_reads_a_current_version_without_upcasting() -> None:
    state = v1_state(class_version=2, code="it", amount="7")
    event = from_stored(OLD_TOPIC, json.dumps(state).encode(), 1)
    assert isinstance(event, BudgetNoted) and event.amount == Decimal("7")


def test_an_upcaster_gap_raises_instead_of_reading_a_half_upcast_event() -> None:
    state = v1_state(class_version=1, value="x")
    with pytest.raises(LookupError, match="v2 -> v3"):
        from_stored(GAP_TOPIC, json.dumps(state).encode(), 1)


def test_upcast_applies_steps_in_order_and_leaves_current_versions_alone() -> None:
    data = {"belopp": "3"}
    assert upcast("test_budget_noted", 1, 2, data) == {"amount": "3"}
    assert upcast("test_budget_noted", 2, 2, {"amount": "3"}) == {"amount": "3"}
    with pytest.raises(LookupError):
        upcast("test_no_such_kind", 1, 2, {})


def test_register_topic_keeps_an_old_class_path_readable() -> None:
    event = next(e for e in EVENTS if isinstance(e, NoteAdded))
    stored = to_stored(event, 1)
    register_topic("prognos.events.old_module:NoteAdded", NoteAdded)
    back = from_stored("prognos.events.old_module:NoteAdded", stored.state, 3)
    assert back == event.model_copy(update={"position": 3})

"""The bulk import writes events in their stored form without building models: pin that
form to what the models themselves store, and the ids to their promised order."""

from __future__ import annotations

import hashlib
from uuid import UUID

import orjson
import pytest

from prognos.domain.ids import new_event_id, new_event_ids
from prognos.domain.importing.decider import SourceFile
from prognos.domain.importing.rows import Columns, ImportSpec, read_rows
from prognos.domain.tables import read_table
from prognos.projections.store.dialect import log_position
from prognos.events.ledger import MODEL_OF as BY_KIND
from prognos.projections.store.mapper import from_stored, state_of, stored_state


def _import(ledger, store, text: str, spec: ImportSpec) -> list[tuple[int, str, bytes]]:
    data = text.encode()
    table = read_table(data, "f.csv")
    source = SourceFile("f.csv", hashlib.sha256(data).hexdigest(), data, len(table.rows))
    result = ledger.import_rows(read_rows(table, spec), spec, source)
    with store.read() as c:
        p = log_position(c)
        c.execute(
            f"SELECT {p}, topic, state FROM stored_events WHERE {p} >= ? ORDER BY {p}",
            (result.first_position,),
        )
        return c.fetchall()


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("code;name;parent\na;A;\nb;B;a\n", ImportSpec(kind="lines")),
        ("code;amount\nb;1 236 897,50\n", ImportSpec(kind="budget", year=2024)),
        ("code;amount;month\nb;-12,5;2024-05\n", ImportSpec(kind="forecast", year=2024)),
        ("code;amount;ref\nb;100;V1\nc;7;\n",
         ImportSpec(kind="actual", month=None, columns=Columns(month=None), create_lines=True,
                    parent="a")),
    ],
    ids=["lines", "budget", "forecast", "actual"],
)
def test_a_bulk_written_event_is_exactly_what_its_model_would_store(ledger, store, text, spec):
    if spec.kind != "lines":
        ledger.add_line("a", "A")
        ledger.add_line("b", "B", parent="a")
    if spec.kind == "actual":
        text = text.replace("ref\n", "ref;period\n").replace(";V1\n", ";V1;2024-03\n")
        text = text.replace("c;7;\n", "c;7;;2024-04\n")
    rows = _import(ledger, store, text, spec)
    assert rows, "the import recorded nothing"
    for position, topic, state in rows:
        event = from_stored(topic, state, position)  # validates against the model
        assert orjson.loads(stored_state(event)) == orjson.loads(state)
        assert set(orjson.loads(state)) == set(state_of(event))
        assert type(event) is BY_KIND[event.kind]


def test_event_ids_are_version_7_uuids_that_sort_in_the_order_they_were_made():
    ids = [str(new_event_id()) for _ in range(50)] + new_event_ids(500) + [str(new_event_id())]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {UUID(i).version for i in ids} == {7}


def test_bulk_event_ids_are_the_uuids_of_their_values_even_across_a_carry(monkeypatch):
    from prognos.domain import ids

    start = (123 << 74) | ((1 << 62) - 3)  # the upper bits change after three ids
    monkeypatch.setattr(ids, "_take", lambda count: start)
    assert ids.new_event_ids(6) == [str(UUID(int=ids._layout(v))) for v in range(start, start + 6)]


def test_the_views_fast_row_builders_agree_with_the_general_one(ledger, store):
    """Rebuilds use per-kind row builders; each must give the general builder's row."""
    from decimal import Decimal

    from prognos.events.period import YearMonth
    from prognos.projections.store.mapper import decode
    from prognos.projections.store import views

    ledger.add_line("a", "A")
    ledger.add_line("b", "B", parent="a")
    ledger.add_line("c", "C", parent="a")
    ledger.set_budget("b", Decimal("1236897.5"), 2024, "Budget")
    ledger.transfer_budget("b", "c", Decimal("0.05"), 2024, "Flytt", effective=YearMonth(2024, 3))
    ledger.revise_forecast("c", Decimal("-12"), 2024, YearMonth(2024, 4), "Prognos")
    booked = ledger.book_actual("b", Decimal("100.10"), YearMonth(2024, 2), "V1", None)
    ledger.reverse_actual(str(booked[0].event_id), "Fel")
    ledger.add_note("b", "Text", 2024, YearMonth(2024, 2))
    ledger.close_period(YearMonth(2024, 1))
    with store.read() as c:
        p = log_position(c)
        c.execute(f"SELECT {p}, topic, state FROM stored_events ORDER BY {p}")
        rows = c.fetchall()
    kinds = set()
    for position, topic, state in rows:
        cls, data = decode(topic, state)
        kinds.add(cls.kind)
        fast = views.entry_from_state(position, cls.kind, data)
        assert fast == views.entry_in_general(position, cls.kind, data), cls.kind
    assert kinds >= set(views.AMOUNT_KINDS) | {"line_added", "note_added", "period_closed"}

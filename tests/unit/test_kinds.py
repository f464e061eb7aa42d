"""Each kind of event is declared once (`events.kinds`), and every reader derives what it
needs from the declaration: a kind added without everything the readers need fails here.

Every kind is made into an example event from its declared field types and taken
through the readers: its model and stored form, the views' row (the fast builder
against the general one), history, the replay, the decision fold, and the in-memory
store. An effect no reader folds fails too. And outside `events/` no kind name is
spelled as a string.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from prognos.domain import state as decision_state
from prognos.events import kinds
from prognos.events.kinds import Effect, Event
from prognos.events.ledger import EVENT_CLASSES, MODEL_OF, LedgerEvent, Source
from prognos.events.period import YearMonth
from prognos.events.upcasting import _UPCASTERS
from prognos.projections.reports.history import entry_json
from prognos.projections.reports.replay import replay_reports
from prognos.projections.store import views
from prognos.projections.store.memory import MemoryStore
from prognos.projections.store.mapper import TOPIC_OF_KIND, decode, encode, state_of

ROOT = Path(__file__).resolve().parents[2]
MONTH = YearMonth(2024, 5)

# A value of each declared field type, for an example event of every kind.
EXAMPLES: dict[str, Any] = {
    "UUID": uuid4(), "UUID | None": None, "str": "it-sak", "str | None": "V-1",
    "int": 2024, "Money": Decimal("1236.50"), "Month": MONTH,
    "UtcDatetime": datetime(2024, 5, 31, 12, tzinfo=timezone.utc), "Source | None": None,
}


def example(cls: type[Event], position: int = 1) -> LedgerEvent:
    fields = {name: EXAMPLES[annotation] for name, annotation in kinds.fields(cls).items()}
    return MODEL_OF[cls.kind](**fields, position=position)


@pytest.mark.parametrize("cls", kinds.ALL, ids=lambda c: c.kind)
def test_a_kind_says_for_itself_everything_the_readers_rely_on(cls: type[Event]) -> None:
    for name in kinds.DECLARED:
        assert name in vars(cls), f"{cls.__name__} inherits {name} instead of declaring it"
    fields = kinds.fields(cls)
    assert set(fields.values()) <= set(EXAMPLES), f"{cls.__name__}: a field type no reader knows"
    if cls.month_from is not None:
        assert fields[cls.month_from] == "Month"
    if cls.year_from is not None:
        assert cls.year_from == cls.month_from or fields[cls.year_from] == "int"
    if cls.effect.figure is not None:  # an amount goes into a line's figure in a month
        assert fields.get("amount") == "Money" and kinds.on_line(cls)
        assert cls.month_from is not None and cls.year_from is not None
    assert re.fullmatch(r"[a-z_]+", cls.kind)


def test_every_kind_has_its_model_and_topic_and_each_name_is_its_own() -> None:
    assert [model.kind for model in EVENT_CLASSES] == [cls.kind for cls in kinds.ALL]
    assert len(set(kinds.BY_KIND)) == len(kinds.ALL)
    for cls, model in zip(kinds.ALL, EVENT_CLASSES):
        assert issubclass(model, cls) and model.__name__ == cls.__name__
        assert list(model.model_fields) == [*kinds.fields(cls), "position"]
        assert TOPIC_OF_KIND[cls.kind] == f"prognos.events.ledger:{cls.__name__}"


def test_every_effect_is_decided_by_the_decision_fold() -> None:
    assert set(decision_state._APPLY) == set(Effect)


# What the report (`figures.leaf_figures`), the replay and the bridge fold: a budget set
# or moved, a forecast revised, an actual added. An effect outside these would be folded
# wrongly by all three until they learn it.
FOLDED = {(kinds.Figure.BUDGET, True), (kinds.Figure.BUDGET, False),
          (kinds.Figure.FORECAST, True), (kinds.Figure.ACTUAL, False)}


def test_every_effect_with_an_amount_is_one_the_reports_fold() -> None:
    for effect in Effect:
        if effect.figure is not None:
            assert (effect.figure, effect.replaces) in FOLDED, effect


@pytest.mark.parametrize("cls", kinds.ALL, ids=lambda c: c.kind)
def test_an_older_version_of_a_kind_has_its_upcasters(cls: type[Event]) -> None:
    for version in range(1, cls.class_version):
        assert (cls.kind, version) in _UPCASTERS, f"{cls.kind} v{version} cannot be read"


@pytest.mark.parametrize("cls", kinds.ALL, ids=lambda c: c.kind)
def test_an_example_of_every_kind_goes_through_every_reader(cls: type[Event]) -> None:
    event = example(cls, position=7)
    state = state_of(event)
    decoded_cls, data = decode(TOPIC_OF_KIND[cls.kind], encode(state))
    assert decoded_cls is cls
    assert MODEL_OF[cls.kind].model_validate({**data, "position": 7}) == event
    row = views.entry_from_state(7, cls.kind, data)
    assert row == views.entry_in_general(7, cls.kind, data)
    assert row[3] == (event.code if kinds.on_line(cls) else None)  # type: ignore[attr-defined]
    if cls.month_from is not None:
        assert row[5] == MONTH.index
    if cls.year_from is not None:
        assert row[4] == 2024
    shown = entry_json(7, cls.kind, row[4], None, data)
    for name in kinds.own_fields(cls):
        assert name in shown, f"history does not show {cls.kind}'s {name}"
    decided = decision_state.DecisionState()
    decided.add_line("V-1", "A parent", None)  # what an optional text field is above
    decided.add_line("it-sak", "IT-säkerhet", None)
    decided.apply(event, 7)
    assert decided.fault is None
    assert decided.lines["it-sak"].has_amounts == (cls.effect.figure is not None)
    parent = example(kinds.LineAdded, position=1)
    leaf = parent.model_copy(update={"code": "it-sak", "parent": None})
    report = next(replay_reports([leaf, event], 2024, [MONTH]))
    figures = {r.code: r for r in report.rows}.get("it-sak")
    assert figures is not None
    figure = {kinds.Figure.BUDGET: figures.budget, kinds.Figure.FORECAST: figures.forecast,
              kinds.Figure.ACTUAL: figures.actual_ytd}
    if cls.effect.figure is not None:
        assert figure[cls.effect.figure] == Decimal("1236.50"), "the replay ignored it"
    memory = MemoryStore()
    with memory.write() as uow:
        uow.record([event.model_copy(update={"position": 1})])
    with memory.snapshot() as snap:
        assert [kind for _, kind, _ in snap.details([1])] == [cls.kind]
        if kinds.on_line(cls):
            assert [e[1] for e in snap.line_entries(["it-sak"], None)] == [cls.kind]


def test_the_example_event_is_what_a_command_would_record() -> None:
    """The examples above are real events: their sources and ids round-trip too."""
    event = example(kinds.ActualBooked).model_copy(update={"source": Source(sha256="ab" * 32, row=2)})
    assert state_of(event)["source"] == {"sha256": "ab" * 32, "row": 2}
    assert isinstance(event.event_id, UUID)


# -- no kind named by a string outside events/ ----------------------------------------

NAMES = {cls.kind for cls in kinds.ALL}
# A report line's JSON key that happens to read as a kind's name: whether the line's
# forecast was revised (`rollup.Row.forecast_revised`), part of the report's contract.
ALLOWED = {("cli/render.py", "forecast_revised")}


def spelled_kinds(source: str) -> list[tuple[int, str]]:
    """Kind names written as strings: a string that is a kind's name, or that quotes one
    ('budget_set' for SQL, "budget_set" for JSON). Docstrings are prose and are not read."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            text = node.value
            for name in NAMES:
                if text == name or f"'{name}'" in text or f'"{name}"' in text:
                    found.append((node.lineno, name))
    return found


def test_outside_events_no_kind_is_named_by_a_string() -> None:
    spelled = []
    for folder in ("domain", "projections", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            spelled += [f"{where}:{line}: {name!r}"
                        for line, name in spelled_kinds(path.read_text(encoding="utf-8"))
                        if (where, name) not in ALLOWED]
    assert not spelled, "refer to the declaration (e.g. BudgetSet.kind):\n" + "\n".join(spelled)


@pytest.mark.parametrize("source", [
    'KIND = "budget_set"',
    "sql = \"SELECT * FROM prognos_entries WHERE kind = 'actual_booked'\"",
    "x = f\"kind IN ('note_added', {y})\"",
    "line = f'{{\"kind\": \"period_closed\", \"at\": {at}}}'",
])
def test_a_kind_spelled_as_a_string_is_found(source: str) -> None:
    assert spelled_kinds(source)


def test_a_kind_named_by_its_declaration_or_in_prose_is_not_a_spelling() -> None:
    assert not spelled_kinds('"""Reads budget_set events."""\nx = BudgetSet.kind\n'
                             'y = f"kind = {BudgetSet.kind!r}"\n')

"""Whatever text a user types (names, references, reasons) comes back exactly, on every
store: SQLite binds it, PostgreSQL takes it through COPY's text format, which escapes
tabs, newlines and backslashes. Text with a NUL character (which PostgreSQL cannot hold)
is refused on every store alike."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prognos.domain.application import Ledger
from prognos.events.errors import InvalidInputError
from prognos.events.period import YearMonth
from prognos.projections.reports.history import history
from prognos.projections.reports.report import report

# Any text, the characters COPY escapes or reads specially made likely.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("\t\n\r\\N.x,;'\"%?:ÅÄÖ€ \x00"), st.characters(codec="utf-8")
    ),
    min_size=1, max_size=40,
).filter(lambda t: t.strip() == t and t.strip())
CODES = itertools.count()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TEXT, ref=TEXT, reason=TEXT)
def test_free_text_round_trips_through_every_store(store, name, ref, reason):
    ledger = Ledger(store, "anna")
    code = f"l{next(CODES)}"
    before = store.max_position()
    if "\x00" in name + ref + reason:
        with pytest.raises(InvalidInputError, match="NUL"):
            ledger.add_line(code, name)
            ledger.book_actual(code, Decimal("1.50"), YearMonth(2024, 3), ref, reason)
        assert store.max_position() in (before, before + 1)  # the line, if its name was clean
        return
    ledger.add_line(code, name)
    ledger.book_actual(code, Decimal("1.50"), YearMonth(2024, 3), ref, reason)
    [line] = [r for r in report(store, 2024, YearMonth(2024, 3)).rows if r.code == code]
    assert line.name == name
    events = history(store, code)
    assert events[-1]["ref"] == ref and events[-1]["reason"] == reason

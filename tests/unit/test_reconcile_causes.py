"""Which discrepancies are causes and which only follow from them (issue 11), and the
publisher's rounding, on small hand-made published tables.

A cause is a printed figure that is wrong on its own; a consequence is a figure that is
wrong only because a cause is (a total off by exactly a wrong row, a total of totals that
matches its rows but not a wrong subtotal, a figure that is its own table's arithmetic of
a wrong figure). Every discrepancy is in exactly one cause. A figure that is exactly the
arithmetic of its table's printed, rounded figures is rounding against a finer table too.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from prognos.domain.reconcile.printed import (
    CrossCheck,
    Deviation,
    PrintedRow,
    PrintedTable,
    PrintedTotal,
    Reconciliation,
    reconcile,
)

D = Decimal


def row(label: str, group: str | None = None, **values: str) -> PrintedRow:
    return PrintedRow(label, {k: D(v) for k, v in values.items()}, group)


def total(label: str, covers: tuple[str, ...] | None = None, covers_totals: tuple[int, ...] = (),
          **values: str) -> PrintedTotal:
    return PrintedTotal(label, {k: D(v) for k, v in values.items()}, covers, covers_totals)


def table(rows: list[PrintedRow], totals: list[PrintedTotal], *, id: str = "T",
          unit: str = "kr", precision: str = "1",
          columns: tuple[str, ...] = ("budget", "forecast", "dev"),
          deviations: list[Deviation] | None = None) -> PrintedTable:
    return PrintedTable(
        id=id, unit=unit, precision=D(precision), columns=list(columns), rows=rows,
        totals=totals,
        deviations=[Deviation("dev", "forecast", "budget")] if deviations is None else deviations,
    )


Cell = tuple[str, str, str]


def causes(result: Reconciliation) -> list[tuple[Cell, str, set[Cell]]]:
    """Each cause as (its figure, its kind, the figures of its consequences and rules)."""
    doc = result.as_json()
    grouped = [f for c in doc["causes"] for f in c["findings"] + c["consequences"]]
    assert sorted(map(repr, grouped)) == sorted(map(repr, doc["discrepancies"]))
    return [((c["table"], c["row"], c["column"]), c["cause"],
             {(f["row"], f["column"], f["rule"]) for f in c["consequences"]})
            for c in doc["causes"]]


def test_a_total_off_only_because_of_a_row_is_listed_under_that_row():
    # Row a's deviation is a typo (2 for 20); Summa's deviation is right, so it is off
    # against its printed rows by exactly a's error.
    t = table([row("a", budget="100", forecast="120", dev="2"),
               row("b", budget="50", forecast="40", dev="-10")],
              [total("Summa", budget="150", forecast="160", dev="10")])
    assert causes(reconcile([t])) == [
        (("T", "a", "dev"), "deviation_not_from_its_columns", {("Summa", "dev", "total")}),
    ]


def test_a_total_off_by_more_than_its_wrong_row_is_a_cause_of_its_own():
    t = table([row("a", budget="100", forecast="120", dev="2"),
               row("b", budget="50", forecast="40", dev="-10")],
              [total("Summa", budget="150", forecast="160", dev="500")])
    found = causes(reconcile([t]))
    assert [cell for cell, _, _ in found] == [("T", "Summa", "dev"), ("T", "a", "dev")]


def two_groups(sub_x: str, sub_y: str, grand: str) -> PrintedTable:
    rows = [row("a", "x", budget="100"), row("b", "x", budget="200"), row("c", "y", budget="50")]
    return table(rows, [total("Summa x", ("x",), budget=sub_x),
                        total("Summa y", ("y",), budget=sub_y),
                        total("Summa", covers_totals=(0, 1), budget=grand)],
                 columns=("budget",), deviations=[])


def test_a_total_of_totals_off_only_because_of_a_subtotal_is_listed_under_it():
    # Summa matches its rows (350) but not the wrong subtotal it should add (390 + 50).
    assert causes(reconcile([two_groups("390", "50", "350")])) == [
        (("T", "Summa x", "budget"), "total_not_sum_of_rows",
         {("Summa", "budget", "total_of_totals")}),
    ]


def test_a_total_of_totals_that_adds_a_wrong_subtotal_follows_from_it():
    # Summa is 390 + 50, exactly its printed subtotals: wrong only because Summa x is.
    assert causes(reconcile([two_groups("390", "50", "440")])) == [
        (("T", "Summa x", "budget"), "total_not_sum_of_rows", {("Summa", "budget", "total")}),
    ]


def test_a_total_wrong_against_both_its_rows_and_its_subtotals_is_one_cause_of_two_findings():
    result = reconcile([two_groups("300", "50", "530")])
    [cause] = result.causes
    assert {f.rule for f in cause.findings} == {"total", "total_of_totals"}
    assert cause.consequences == [] and cause.kind == "total_not_sum_of_rows"


def test_a_deviation_that_is_its_own_wrong_total_minus_budget_follows_from_the_total():
    # Summa's forecast is a typo (+3 000); its deviation is that forecast minus budget.
    t = table([row("a", budget="1000", forecast="1500", dev="500"),
               row("b", budget="2000", forecast="1000", dev="-1000")],
              [total("Summa", budget="3000", forecast="5500", dev="2500")])
    assert causes(reconcile([t])) == [
        (("T", "Summa", "forecast"), "total_not_sum_of_rows", {("Summa", "dev", "total")}),
    ]


def test_a_lost_sign_is_named():
    t = table([row("förmånsportal", budget="0", forecast="24", dev="24")], [],
              deviations=[Deviation("dev", "budget", "forecast")])
    assert causes(reconcile([t])) == [(("T", "förmånsportal", "dev"), "sign_lost", set())]


def hr(forecast: str = "132.2", fine_forecast: str = "132180000") -> tuple[
        list[PrintedTable], list[CrossCheck]]:
    """Table 1.1's HR row (mkr) against its services in kronor (1.2)."""
    coarse = table([row("HR", budget="138.6", forecast=forecast, dev="-6.4")], [], id="1.1",
                   unit="mkr", precision="0.1")
    fine = table([row("lön", budget="100000000", forecast="95000000", dev="-5000000"),
                  row("rekrytering", budget="38640000",
                      forecast=str(int(fine_forecast) - 95000000),
                      dev=str(int(fine_forecast) - 95000000 - 38640000))], [], id="1.2")
    columns = {"budget": "budget", "forecast": "forecast", "dev": "dev"}
    return [coarse, fine], [CrossCheck("1.1", "1.2", columns, {0: (0, 1)})]


def test_a_deviation_that_is_the_arithmetic_of_its_printed_columns_is_rounding():
    # 132,2 − 138,6 = −6,4 exactly, though the kronor give −6,46: the publisher's rounding.
    result = reconcile(*hr())
    assert result.discrepancies == [] and result.causes == []
    [f] = [f for f in result.rounding if f.column == "dev"]
    assert (f.rule, f.printed, f.computed) == ("cross_table", D("-6.4"), D("-6.46"))
    assert abs(f.difference) > f.tolerance  # beyond the half-unit rule: rounding by arithmetic


def test_the_arithmetic_of_a_wrong_printed_figure_stays_a_discrepancy():
    # The printed forecast 132,2 is wrong (the kronor give 131,0): −6,4 follows from it.
    result = reconcile(*hr(fine_forecast="131000000"))
    assert causes(result) == [
        (("1.1", "HR", "forecast"), "not_as_the_finer_table", {("HR", "dev", "cross_table")}),
    ]


def test_causes_are_largest_first_in_kronor_whatever_the_unit():
    kronor = table([row("a", budget="100", forecast="120", dev="-80020")], [], id="kr")
    millions = table([row("b", budget="1.0", forecast="1.2", dev="0.5")], [], id="mkr",
                     unit="mkr", precision="0.1")
    result = reconcile([kronor, millions])
    # 0,3 mkr = 300 000 kr comes before 80 040 kr, though 0,3 < 80 040.
    assert [(c.cell[0], c.size_kr) for c in result.causes] == [
        ("mkr", D("300000.0")), ("kr", D(80040))]
    assert [c["size_kr"] for c in result.as_json()["causes"]] == ["300000", "80040"]


def test_a_cause_in_json_has_its_figure_kind_size_findings_and_consequences():
    t = table([row("a", budget="100", forecast="120", dev="2"),
               row("b", budget="50", forecast="40", dev="-10")],
              [total("Summa", budget="150", forecast="160", dev="10")])
    doc = reconcile([t]).as_json()
    [cause] = doc["causes"]
    assert cause == {
        "table": "T", "row": "a", "column": "dev", "printed": "2",
        "cause": "deviation_not_from_its_columns", "size_kr": "18",
        "findings": [{"table": "T", "row": "a", "column": "dev", "printed": "2",
                      "computed": "20", "difference": "-18", "rule": "row_deviation"}],
        "consequences": [{"table": "T", "row": "Summa", "column": "dev", "printed": "10",
                          "computed": "-8", "difference": "18", "rule": "total"}],
    }
    assert doc["discrepancies"] == cause["findings"] + cause["consequences"]


# Any table, any typos: every discrepancy is in exactly one cause, largest first.
figures = st.integers(min_value=-10_000, max_value=10_000)


@st.composite
def typo_tables(draw: st.DrawFn) -> PrintedTable:
    n = draw(st.integers(min_value=1, max_value=5))
    budgets = draw(st.lists(figures, min_size=n, max_size=n))
    forecasts = draw(st.lists(figures, min_size=n, max_size=n))
    rows = [{"budget": b, "forecast": f, "dev": f - b} for b, f in zip(budgets, forecasts)]
    summa = {k: sum(r[k] for r in rows) for k in ("budget", "forecast", "dev")}
    for target in draw(st.lists(st.integers(min_value=0, max_value=n), max_size=3)):
        column = draw(st.sampled_from(["budget", "forecast", "dev"]))
        (rows + [summa])[target][column] += draw(st.integers(min_value=-500, max_value=500))
    return table([row(f"r{i}", **{k: str(v) for k, v in r.items()}) for i, r in enumerate(rows)],
                 [total("Summa", **{k: str(v) for k, v in summa.items()})])


@settings(max_examples=200, deadline=None)
@given(typo_tables())
def test_every_discrepancy_is_in_exactly_one_cause(t: PrintedTable) -> None:
    result = reconcile([t])
    grouped = [f for c in result.causes for f in c.findings + c.consequences]
    assert sorted(map(repr, grouped)) == sorted(map(repr, result.discrepancies))
    sizes = [c.size_kr for c in result.causes]
    assert sizes == sorted(sizes, reverse=True)
    for cause in result.causes:
        assert {f.cell for f in cause.findings} == {cause.cell}  # one figure per cause

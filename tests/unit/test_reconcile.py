"""The reconcile rules on small hand-made published tables (issue 3).

Every printed figure is rounded, so a figure that differs from what the others
imply by at most half a unit of precision per printed figure combined (the
checked one included) is rounding; anything more is a discrepancy:

- a row's deviation combines three printed figures: 1.5 units;
- a total of n rows combines n + 1: (n + 1)/2 units (a total of totals likewise);
- a to-date budget against its annual budget combines two: 1 unit;
- a coarse figure against n rows of a finer table: half a coarse unit plus
  n halves of a fine unit.

`printed` is the figure exactly as printed (table's unit and sign, its own
digits), `computed` what the others imply, `difference` = printed − computed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from prognos.domain.reconcile.printed import (
    CrossCheck,
    Deviation,
    Finding,
    Periodisation,
    PrintedRow,
    PrintedTable,
    PrintedTotal,
    Reconciliation,
    plain,
    reconcile,
)

D = Decimal
FINDING_KEYS = {"table", "row", "column", "printed", "computed", "difference", "rule"}


def row(label: str, group: str | None = None, **values: str | None) -> PrintedRow:
    return PrintedRow(label, {k: None if v is None else D(v) for k, v in values.items()}, group)


def total(label: str, covers: tuple[str, ...] | None = None, covers_totals: tuple[int, ...] = (),
          **values: str | None) -> PrintedTotal:
    return PrintedTotal(label, {k: None if v is None else D(v) for k, v in values.items()},
                        covers, covers_totals)


def table(
    rows: list[PrintedRow],
    totals: list[PrintedTotal] = (),
    *,
    id: str = "T",
    unit: str = "kr",
    precision: str = "1",
    columns: tuple[str, ...] = ("budget", "forecast", "dev"),
    deviations: list[Deviation] | None = None,
    periodisations: list[Periodisation] = (),
) -> PrintedTable:
    return PrintedTable(
        id=id, unit=unit, precision=D(precision), columns=list(columns), rows=list(rows),
        totals=list(totals),
        deviations=[Deviation("dev", "forecast", "budget")] if deviations is None else deviations,
        periodisations=list(periodisations),
    )


def findings(result: Reconciliation) -> dict[str, list[dict[str, str]]]:
    doc = result.as_json()
    assert set(doc) == {"discrepancies", "rounding", "causes"}
    # Every discrepancy is in exactly one cause, as its own finding or as a consequence.
    grouped = [f for c in doc["causes"] for f in c["findings"] + c["consequences"]]
    assert sorted(map(repr, grouped)) == sorted(map(repr, doc["discrepancies"]))
    for item in doc["discrepancies"] + doc["rounding"]:
        assert set(item) == FINDING_KEYS
        # difference = printed - computed, as plain decimal strings
        assert D(item["difference"]) == D(item["printed"]) - D(item["computed"])
        for key in ("printed", "computed", "difference"):
            assert item[key] == item[key].strip()
            assert "," not in item[key] and " " not in item[key] and "E" not in item[key].upper()
    return doc


def only(result: Reconciliation, rule: str | None = None) -> tuple[str, dict[str, str]]:
    """The single finding, and which list it is in."""
    doc = findings(result)
    items = [("discrepancies", f) for f in doc["discrepancies"]] + [
        ("rounding", f) for f in doc["rounding"]
    ]
    if rule is not None:
        items = [(k, f) for k, f in items if f["rule"] == rule]
    assert len(items) == 1, items
    return items[0]


# ---------------------------------------------------------------------------
# row_deviation
# ---------------------------------------------------------------------------


def test_a_consistent_row_gives_no_finding():
    doc = findings(reconcile([table([row("a", budget="100", forecast="110", dev="10")])]))
    assert doc == {"discrepancies": [], "rounding": [], "causes": []}


def test_a_row_deviation_off_by_rounding_is_rounding():
    kind, f = only(reconcile([table([row("Drift", budget="100", forecast="110", dev="11")])]))
    assert kind == "rounding"
    assert f == {"table": "T", "row": "Drift", "column": "dev", "printed": "11",
                 "computed": "10", "difference": "1", "rule": "row_deviation"}


def test_a_row_deviation_off_by_a_typo_is_a_discrepancy():
    kind, f = only(reconcile([table([row("Drift", budget="100", forecast="110", dev="19")])]))
    assert kind == "discrepancies"
    assert (f["printed"], f["computed"], f["difference"], f["rule"]) == ("19", "10", "9",
                                                                         "row_deviation")


@pytest.mark.parametrize(
    "dev, kind",
    [("11.5", "rounding"), ("8.5", "rounding"), ("11.51", "discrepancies"),
     ("8.49", "discrepancies")],
)
def test_a_row_deviation_may_be_off_by_one_and_a_half_units(dev, kind):
    got, f = only(reconcile([table([row("a", budget="100", forecast="110", dev=dev)])]))
    assert got == kind, f
    assert f["printed"] == dev


@pytest.mark.parametrize(
    "dev, kind", [("1.15", "rounding"), ("0.85", "rounding"), ("1.16", "discrepancies")]
)
def test_the_row_deviation_tolerance_scales_with_the_precision(dev, kind):
    t = table([row("a", budget="10.0", forecast="11.0", dev=dev)], unit="mkr", precision="0.1")
    assert only(reconcile([t]))[0] == kind


def test_a_total_rows_deviation_is_checked_against_its_own_columns():
    t = table(
        [row("a", "g", budget="100", forecast="110", dev="10"),
         row("b", "g", budget="50", forecast="40", dev="-10")],
        [total("Summa", ("g",), budget="150", forecast="150", dev="7")],
    )
    kind, f = only(reconcile([t]), "row_deviation")
    assert (kind, f["row"], f["column"], f["printed"], f["computed"]) == (
        "discrepancies", "Summa", "dev", "7", "0"
    )


@pytest.mark.parametrize(
    "deviation, printed, finding",
    [
        (Deviation("dev", "forecast", "budget"), "-10", None),
        (Deviation("dev", "budget", "forecast"), "10", None),
        (Deviation("dev", "forecast", "budget"), "10", ("10", "-10", "20")),
        (Deviation("dev", "budget", "forecast"), "-10", ("-10", "10", "-20")),
    ],
    ids=["forecast-minus-budget", "budget-minus-forecast", "wrong-sign-fmb", "wrong-sign-bmf"],
)
def test_the_declared_sign_convention_decides(deviation, printed, finding):
    t = table([row("a", budget="100", forecast="90", dev=printed)], deviations=[deviation])
    doc = findings(reconcile([t]))
    if finding is None:
        assert doc == {"discrepancies": [], "rounding": [], "causes": []}
    else:
        [f] = doc["discrepancies"]
        assert (f["printed"], f["computed"], f["difference"]) == finding
        assert doc["rounding"] == []


def test_a_missing_figure_is_not_checked():
    t = table([row("a", budget="100", forecast=None, dev="3")])
    assert findings(reconcile([t])) == {"discrepancies": [], "rounding": [], "causes": []}


# ---------------------------------------------------------------------------
# total and total_of_totals
# ---------------------------------------------------------------------------


def rows3(group: str = "g") -> list[PrintedRow]:
    return [
        row("a", group, budget="100", forecast="100", dev="0"),
        row("b", group, budget="200", forecast="200", dev="0"),
        row("c", group, budget="300", forecast="300", dev="0"),
    ]


def test_a_correct_total_gives_no_finding():
    t = table(rows3(), [total("Summa", ("g",), budget="600", forecast="600", dev="0")])
    assert findings(reconcile([t])) == {"discrepancies": [], "rounding": [], "causes": []}


def test_a_total_off_by_rounding_is_rounding():
    t = table(rows3(), [total("Summa", ("g",), budget="601", forecast="600", dev=None)])
    kind, f = only(reconcile([t]), "total")
    assert kind == "rounding"
    assert (f["row"], f["column"], f["printed"], f["computed"], f["difference"]) == (
        "Summa", "budget", "601", "600", "1"
    )


def test_a_total_off_by_a_typo_is_a_discrepancy():
    t = table(rows3(), [total("Summa", ("g",), budget="690", forecast="600", dev=None)])
    kind, f = only(reconcile([t]), "total")
    assert kind == "discrepancies"
    assert (f["printed"], f["computed"], f["difference"]) == ("690", "600", "90")


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_a_total_of_n_rows_may_be_off_by_n_plus_one_halves(n):
    rows = [row(f"r{i}", "g", budget="10") for i in range(n)]
    limit = D(n + 1) / 2
    computed = D(10 * n)
    for off, kind in [(limit, "rounding"), (-limit, "rounding"),
                      (limit + D("0.01"), "discrepancies"), (-limit - D("0.01"), "discrepancies")]:
        t = table(rows, [total("Summa", ("g",), budget=str(computed + off))], columns=("budget",),
                  deviations=[])
        got, f = only(reconcile([t]))
        assert got == kind, (n, off, f)
        assert D(f["difference"]) == off


def test_the_total_tolerance_scales_with_the_precision():
    rows = [row("a", "g", budget="1.1"), row("b", "g", budget="2.2")]  # tolerance 0.15 mkr
    for printed, kind in [("3.45", "rounding"), ("3.15", "rounding"), ("3.46", "discrepancies")]:
        t = table(rows, [total("Summa", ("g",), budget=printed)], unit="mkr", precision="0.1",
                  columns=("budget",), deviations=[])
        assert only(reconcile([t]))[0] == kind, printed


def test_a_total_covers_only_its_group():
    rows = [row("a", "x", budget="1"), row("b", "x", budget="2"), row("c", "y", budget="40")]
    t = table(rows, [total("Summa x", ("x",), budget="3"), total("Summa y", ("y",), budget="40")],
              columns=("budget",), deviations=[])
    assert findings(reconcile([t])) == {"discrepancies": [], "rounding": [], "causes": []}


def test_a_total_without_groups_covers_every_row():
    rows = [row("a", budget="1"), row("b", budget="2")]
    t = table(rows, [total("Summa", None, budget="30")], columns=("budget",), deviations=[])
    kind, f = only(reconcile([t]))
    assert (kind, f["computed"], f["rule"]) == ("discrepancies", "3", "total")


def two_groups(sub_x: str, sub_y: str, grand: str) -> PrintedTable:
    rows = [row("a", "x", budget="100"), row("b", "x", budget="200"), row("c", "y", budget="50")]
    return table(
        rows,
        [total("Summa x", ("x",), budget=sub_x), total("Summa y", ("y",), budget=sub_y),
         total("Summa", covers_totals=(0, 1), budget=grand)],
        columns=("budget",), deviations=[],
    )


def test_a_grand_total_of_correct_subtotals_gives_no_finding():
    assert findings(reconcile([two_groups("300", "50", "350")])) == {
        "discrepancies": [], "rounding": [], "causes": []
    }


def test_a_grand_total_off_its_subtotals_by_a_typo_is_a_discrepancy():
    doc = findings(reconcile([two_groups("300", "50", "530")]))
    rules = {(f["row"], f["rule"]): f for f in doc["discrepancies"]}
    assert set(rules) == {("Summa", "total_of_totals"), ("Summa", "total")}
    assert rules["Summa", "total_of_totals"]["computed"] == "350"
    assert rules["Summa", "total_of_totals"]["difference"] == "180"
    assert doc["rounding"] == []


def test_a_grand_total_of_two_totals_may_be_off_by_one_and_a_half():
    # Against its 2 subtotals: 1.5; against its 3 rows: 2.
    doc = findings(reconcile([two_groups("300", "50", "351.5")]))
    assert doc["discrepancies"] == []
    assert {(f["rule"], f["difference"]) for f in doc["rounding"]} == {
        ("total_of_totals", "1.5"), ("total", "1.5")
    }
    doc = findings(reconcile([two_groups("300", "50", "351.6")]))
    assert [(f["rule"], f["difference"]) for f in doc["discrepancies"]] == [
        ("total_of_totals", "1.6")
    ]
    assert [(f["rule"], f["difference"]) for f in doc["rounding"]] == [("total", "1.6")]


def test_a_grand_total_that_adds_up_a_wrong_subtotal_is_caught_against_the_rows():
    # 'Summa x' has a typo; the grand total faithfully adds the printed subtotals.
    doc = findings(reconcile([two_groups("390", "50", "440")]))
    got = {(f["row"], f["rule"]) for f in doc["discrepancies"]}
    assert got == {("Summa x", "total"), ("Summa", "total")}
    assert doc["rounding"] == []


# ---------------------------------------------------------------------------
# periodisation
# ---------------------------------------------------------------------------


def periodised(ytd: str, budget: str) -> PrintedTable:
    return table(
        [row("a", budget=budget, budget_ytd=ytd)], columns=("budget", "budget_ytd"),
        deviations=[], periodisations=[Periodisation("budget_ytd", "budget", 8)],
    )


def test_a_periodisation_off_by_rounding_is_rounding():
    kind, f = only(reconcile([periodised("667", "1000")]))
    assert kind == "rounding"
    assert f["rule"] == "periodisation" and f["column"] == "budget_ytd"
    assert abs(D(f["computed"]) - D(2000) / 3) < D("1e-20")
    assert f["printed"] == "667"


def test_a_periodisation_off_by_a_typo_is_a_discrepancy():
    kind, f = only(reconcile([periodised("676", "1000")]))
    assert kind == "discrepancies"
    assert f["rule"] == "periodisation"


@pytest.mark.parametrize(
    "ytd, kind",
    [("801", "rounding"), ("799", "rounding"), ("801.01", "discrepancies"),
     ("798.99", "discrepancies")],
)
def test_a_periodisation_may_be_off_by_one_unit(ytd, kind):
    assert only(reconcile([periodised(ytd, "1200")]))[0] == kind  # 1200 × 8/12 = 800


def test_an_exact_periodisation_gives_no_finding():
    assert findings(reconcile([periodised("800", "1200")])) == {
        "discrepancies": [], "rounding": [], "causes": []
    }


# ---------------------------------------------------------------------------
# cross_table: a coarse table against the finer rows that cover it
# ---------------------------------------------------------------------------


def coarse_fine(printed_a: str, x: str, y: str, *, fine_unit: str = "kr",
                fine_precision: str = "1") -> tuple[list[PrintedTable], list[CrossCheck]]:
    coarse = table([row("Område A", budget=printed_a), row("Område B", budget="5.0")],
                   id="1.1", unit="mkr", precision="0.1", columns=("budget",), deviations=[])
    fine = table(
        [row("tjänst x", "s", budget_kr=x), row("tjänst y", "s", budget_kr=y),
         row("tjänst z", "s", budget_kr="5000000" if fine_unit == "kr" else "5000")],
        id="1.2", unit=fine_unit, precision=fine_precision, columns=("budget_kr",), deviations=[],
    )
    # The mapping: area A is services x and y; area B is z.
    # By position: Område A (0) is tjänst x and y (0, 1); Område B (1) is tjänst z (2).
    check = CrossCheck("1.1", "1.2", {"budget": "budget_kr"}, {0: (0, 1), 1: (2,)})
    return [coarse, fine], [check]


def test_a_coarse_figure_that_rounds_from_the_fine_rows_gives_at_most_rounding():
    tables, cross = coarse_fine("1.3", "1230000", "20000")  # 1.25 mkr printed as 1.3
    kind, f = only(reconcile(tables, cross))
    assert kind == "rounding"
    assert f == {"table": "1.1", "row": "Område A", "column": "budget", "printed": "1.3",
                 "computed": "1.250000", "difference": "0.050000", "rule": "cross_table"}


def test_a_coarse_figure_off_by_a_typo_is_a_discrepancy():
    tables, cross = coarse_fine("3.1", "1230000", "20000")
    kind, f = only(reconcile(tables, cross))
    assert kind == "discrepancies"
    assert (f["table"], f["row"], f["printed"], f["rule"]) == ("1.1", "Område A", "3.1",
                                                               "cross_table")
    assert D(f["computed"]) == D("1.25") and D(f["difference"]) == D("1.85")


def test_cross_table_tolerance_is_half_a_coarse_unit_plus_n_halves_of_a_fine_unit():
    # Two kronor rows: 0.05 mkr + 2 × 0.5 kr = 0.050001 mkr.
    tables, cross = coarse_fine("1.3", "1249999", "0")
    kind, f = only(reconcile(tables, cross))
    assert (kind, f["difference"]) == ("rounding", "0.050001")
    tables, cross = coarse_fine("1.3", "1249998", "0")
    kind, f = only(reconcile(tables, cross))
    assert (kind, f["difference"]) == ("discrepancies", "0.050002")
    tables, cross = coarse_fine("1.2", "1250001", "0")
    kind, f = only(reconcile(tables, cross))
    assert (kind, f["difference"]) == ("rounding", "-0.050001")


def test_cross_table_converts_thousands_to_millions():
    # tkr rows against an mkr figure: 0.05 mkr + 2 × 0.5 tkr = 0.051 mkr.
    tables, cross = coarse_fine("1.3", "1249", "0", fine_unit="tkr")
    kind, f = only(reconcile(tables, cross))
    assert (kind, f["printed"], D(f["computed"]), f["difference"]) == (
        "rounding", "1.3", D("1.249"), "0.051"
    )
    tables, cross = coarse_fine("1.3", "1248", "0", fine_unit="tkr")
    kind, f = only(reconcile(tables, cross))
    assert (kind, f["difference"]) == ("discrepancies", "0.052")


def test_cross_table_checks_each_coarse_row_against_its_own_fine_rows():
    tables, cross = coarse_fine("1.3", "1250000", "0")
    tables[1].rows[2] = row("tjänst z", "s", budget_kr="7000000")  # area B printed 5.0
    doc = findings(reconcile(tables, cross))
    assert [(f["row"], f["printed"], D(f["computed"])) for f in doc["discrepancies"]] == [
        ("Område B", "5.0", D(7))
    ]


# ---------------------------------------------------------------------------
# What is printed stays as printed
# ---------------------------------------------------------------------------


def test_printed_keeps_its_digits_and_sign():
    # 1.3-style: deviation = budget - forecast, mkr to one decimal.
    t = table([row("Digital infrastruktur", budget="47.8", forecast="48.0", dev="-0.9")],
              unit="mkr", precision="0.1", deviations=[Deviation("dev", "budget", "forecast")])
    kind, f = only(reconcile([t]))
    assert kind == "discrepancies"
    assert (f["printed"], f["computed"], f["difference"]) == ("-0.9", "-0.2", "-0.7")


def test_a_printed_48_point_0_stays_48_point_0():
    t = table([row("a", "g", budget="47.8"), row("b", "g", budget="0.1")],
              [total("Summa", ("g",), budget="48.0")], unit="mkr", precision="0.1",
              columns=("budget",), deviations=[])
    kind, f = only(reconcile([t]))
    assert (kind, f["printed"], f["computed"], f["difference"]) == (
        "rounding", "48.0", "47.9", "0.1"
    )


def test_figures_are_never_converted_to_kronor():
    t = table([row("a", budget="51.3", forecast="51.5", dev="0.3")], unit="mkr",
              precision="0.1")
    kind, f = only(reconcile([t]))
    assert (kind, f["printed"], f["computed"], f["difference"]) == ("rounding", "0.3", "0.2",
                                                                    "0.1")


@pytest.mark.parametrize(
    "value, text",
    [(D("48.0"), "48.0"), (D("-0.9"), "-0.9"), (D("253243988"), "253243988"),
     (D("-0"), "0"), (D("-0.0"), "0.0"), (D("1E+3"), "1000"), (D("0.050000"), "0.050000")],
)
def test_plain_is_a_plain_decimal(value, text):
    assert plain(value) == text


def test_a_finding_reports_difference_as_printed_minus_computed():
    f = Finding("1.2", "Summa bastjänster", "forecast", D("253243988"), D("253246987"), "total",
                D("12"))
    assert f.as_json() == {
        "table": "1.2", "row": "Summa bastjänster", "column": "forecast",
        "printed": "253243988", "computed": "253246987", "difference": "-2999", "rule": "total",
    }
    assert not f.is_rounding


def test_the_row_label_is_kept_exactly():
    label = "Stöd i budget, prognos och analysprocesserna "
    t = table([row(label, budget="1", forecast="3", dev="5")])
    kind, f = only(reconcile([t]))
    assert f["row"] == label

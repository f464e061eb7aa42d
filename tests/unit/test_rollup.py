"""The line tree in report order, and the one roll-up rule: parents are exact sums."""

from __future__ import annotations

from decimal import Decimal

from prognos.events.period import YearMonth
from prognos.projections.reports.rollup import (
    LeafFigures,
    Line,
    Report,
    Row,
    Totals,
    build_report,
    depth_first,
    subtree,
)

D = Decimal


def lines(*specs: tuple[str, str | None]) -> list[Line]:
    """Lines in the order they were added; position = order."""
    return [Line(code, code.upper(), parent, i + 1) for i, (code, parent) in enumerate(specs)]


TREE = lines(
    ("a", None),
    ("a1", "a"),
    ("b", None),
    ("a2", "a"),
    ("a1x", "a1"),
    ("b1", "b"),
    ("a1y", "a1"),
)


def order(ls: list[Line]) -> list[str]:
    return [line.code for line, _, _ in depth_first(ls)]


def test_depth_first_lists_children_in_the_order_they_were_added() -> None:
    assert order(TREE) == ["a", "a1", "a1x", "a1y", "a2", "b", "b1"]


def test_depth_first_reports_depth_and_leafness() -> None:
    result = {line.code: (depth, leaf) for line, depth, leaf in depth_first(TREE)}
    assert result == {
        "a": (0, False),
        "a1": (1, False),
        "a1x": (2, True),
        "a1y": (2, True),
        "a2": (1, True),
        "b": (0, False),
        "b1": (1, True),
    }


def test_depth_first_orders_by_position_not_by_input_order_or_name() -> None:
    shuffled = list(reversed(TREE))
    assert order(shuffled) == order(TREE)
    named = [Line("z", "Z", None, 1), Line("m", "M", None, 2), Line("a", "A", None, 3)]
    assert order(named) == ["z", "m", "a"]


def test_depth_first_handles_a_very_deep_tree_without_recursion_limits() -> None:
    chain = [Line("n0", "N0", None, 1)] + [
        Line(f"n{i}", f"N{i}", f"n{i - 1}", i + 1) for i in range(1, 3000)
    ]
    ordered = depth_first(chain)
    assert [line.code for line, _, _ in ordered] == [f"n{i}" for i in range(3000)]
    assert [depth for _, depth, _ in ordered] == list(range(3000))
    assert [leaf for _, _, leaf in ordered] == [False] * 2999 + [True]


def test_depth_first_of_no_lines_is_empty() -> None:
    assert depth_first([]) == []


def test_subtree_is_the_line_and_everything_below_it_in_report_order() -> None:
    assert [line.code for line in subtree(TREE, "a")] == ["a", "a1", "a1x", "a1y", "a2"]
    assert [line.code for line in subtree(TREE, "a1")] == ["a1", "a1x", "a1y"]
    assert [line.code for line in subtree(TREE, "b")] == ["b", "b1"]
    assert [line.code for line in subtree(TREE, "a2")] == ["a2"]


def test_subtree_of_an_unknown_line_is_empty() -> None:
    assert subtree(TREE, "nope") == []


# --- build_report ----------------------------------------------------------------

LEAVES = {
    "a1x": LeafFigures(budget=D("1000"), forecast=D("1100.50"), actual_ytd=D("300")),
    "a1y": LeafFigures(budget=D("100"), forecast=None, actual_ytd=D("-20.25")),
    "a2": LeafFigures(budget=D("0.18"), forecast=None, actual_ytd=D("0")),
    "b1": LeafFigures(budget=D("0.30"), forecast=D("0"), actual_ytd=D("1")),
}


def rows(report: Report) -> dict[str, Row]:
    return {row.code: row for row in report.rows}


def test_build_report_rows_follow_depth_first_order_with_depth_and_parent() -> None:
    report = build_report(2024, YearMonth(2024, 3), None, TREE, LEAVES)
    assert [r.code for r in report.rows] == ["a", "a1", "a1x", "a1y", "a2", "b", "b1"]
    assert [(r.depth, r.is_leaf, r.parent) for r in report.rows] == [
        (0, False, None), (1, False, "a"), (2, True, "a1"), (2, True, "a1"),
        (1, True, "a"), (0, False, None), (1, True, "b"),
    ]
    assert report.rows[2].name == "A1X"
    assert (report.year, report.as_of, report.known_at) == (2024, YearMonth(2024, 3), None)


def test_unrevised_leaf_forecast_is_its_budget_and_is_marked_not_revised() -> None:
    r = rows(build_report(2024, YearMonth(2024, 3), None, TREE, LEAVES))
    assert r["a1y"].forecast == D("100") and r["a1y"].forecast_revised is False
    assert r["a1x"].forecast == D("1100.50") and r["a1x"].forecast_revised is True
    assert r["b1"].forecast == D("0") and r["b1"].forecast_revised is True


def test_roll_up_is_revised_if_any_leaf_below_it_is() -> None:
    r = rows(build_report(2024, YearMonth(2024, 3), None, TREE, LEAVES))
    assert r["a1"].forecast_revised and r["a"].forecast_revised and r["b"].forecast_revised
    unrevised = {k: LeafFigures(budget=v.budget) for k, v in LEAVES.items()}
    r2 = rows(build_report(2024, YearMonth(2024, 3), None, TREE, unrevised))
    assert not any(row.forecast_revised for row in r2.values())


def test_leaf_budget_ytd_is_rounded_per_leaf_half_even() -> None:
    r = rows(build_report(2024, YearMonth(2024, 1), None, TREE, LEAVES))
    assert r["a1x"].budget_ytd == D("83.33")
    assert r["a1y"].budget_ytd == D("8.33")
    assert r["a2"].budget_ytd == D("0.02")  # 0.015 -> 0.02
    assert r["b1"].budget_ytd == D("0.02")  # 0.025 -> 0.02


def test_roll_up_budget_ytd_is_the_sum_of_rounded_leaves_not_rounded_sum() -> None:
    r = rows(build_report(2024, YearMonth(2024, 1), None, TREE, LEAVES))
    assert r["a1"].budget_ytd == D("83.33") + D("8.33")
    assert r["a"].budget_ytd == D("83.33") + D("8.33") + D("0.02")
    # the rounded share of the summed budget would differ by an öre
    assert r["a1"].budget_ytd != (D("1100") / 12).quantize(D("0.01"))


def test_every_roll_up_figure_is_the_exact_sum_of_its_children() -> None:
    report = build_report(2024, YearMonth(2024, 7), None, TREE, LEAVES)
    r = rows(report)
    for parent in (row for row in report.rows if not row.is_leaf):
        kids = [row for row in report.rows if row.parent == parent.code]
        assert kids
        for name in ("budget", "forecast", "budget_ytd", "actual_ytd"):
            assert getattr(parent, name) == sum((getattr(k, name) for k in kids), D(0)), (
                parent.code, name)
    assert r["a"].budget == D("1100.18")
    assert r["a"].forecast == D("1100.50") + D("100") + D("0.18")
    assert r["a"].actual_ytd == D("279.75")


def test_deviations_are_forecast_minus_budget_and_actual_minus_budget_ytd() -> None:
    r = rows(build_report(2024, YearMonth(2024, 6), None, TREE, LEAVES))
    assert r["a1x"].forecast_deviation == D("100.50")
    assert r["a1x"].actual_deviation == D("300") - D("500")
    assert r["b1"].forecast_deviation == D("-0.30")


def test_total_is_the_sum_of_the_top_level_lines() -> None:
    report = build_report(2024, YearMonth(2024, 12), None, TREE, LEAVES)
    r = rows(report)
    total = report.total
    assert total.budget == r["a"].budget + r["b"].budget == D("1100.48")
    assert total.forecast == r["a"].forecast + r["b"].forecast
    assert total.budget_ytd == r["a"].budget_ytd + r["b"].budget_ytd == D("1100.48")
    assert total.actual_ytd == D("280.75")
    assert total.forecast_deviation == total.forecast - total.budget
    assert total.actual_deviation == total.actual_ytd - total.budget_ytd


def test_leaves_without_figures_and_roll_ups_without_leaves_are_zero() -> None:
    ls = lines(("top", None), ("empty", "top"), ("alone", None))
    report = build_report(2024, YearMonth(2024, 5), None, ls, {})
    for row in report.rows:
        assert (row.budget, row.forecast, row.budget_ytd, row.actual_ytd) == (0, 0, 0, 0)
        assert row.forecast_revised is False
    assert report.total == Totals()


def test_figures_of_codes_not_in_the_tree_are_ignored() -> None:
    ls = lines(("a", None))
    report = build_report(2024, YearMonth(2024, 5), None, ls, {"ghost": LeafFigures(budget=D("9"))})
    assert report.total.budget == 0


def test_report_of_an_empty_ledger_has_no_rows_and_zero_totals() -> None:
    report = build_report(2024, YearMonth(2024, 5), None, [], {})
    assert report.rows == []
    assert (report.total.budget, report.total.forecast) == (0, 0)
    assert (report.total.budget_ytd, report.total.actual_ytd) == (0, 0)


def test_report_amounts_carry_ore_precision() -> None:
    report = build_report(2024, YearMonth(2024, 5), None, lines(("a", None)),
                          {"a": LeafFigures(budget=D("5"), actual_ytd=D("1"))})
    row = report.rows[0]
    for value in (row.budget, row.forecast, row.budget_ytd, row.actual_ytd):
        assert value.as_tuple().exponent == -2

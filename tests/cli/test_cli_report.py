"""`prognos report`: its JSON contract, roll-ups, year-to-date, deviations, units, known-at."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")
AMOUNTS = ("budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd",
           "actual_deviation")
LINE_KEYS = {"code", "name", "parent", "depth", "is_leaf", "forecast_revised", *AMOUNTS}


def d(text: str) -> Decimal:
    return Decimal(text)


def lines_by_code(doc: dict) -> dict[str, dict]:
    return {ln["code"]: ln for ln in doc["lines"]}


@pytest.fixture
def deep_tree(ok):
    """Lines added interleaved, so that added order and depth-first order differ::

        kommun
          it
            it-sak
            it-drift
          skola
            skola-grund
        fritid
    """
    ok("line", "add", "kommun", "--name", "Kommunen")
    ok("line", "add", "it", "--name", "IT", "--parent", "kommun")
    ok("line", "add", "skola", "--name", "Skola", "--parent", "kommun")
    ok("line", "add", "it-sak", "--name", "Säkerhet", "--parent", "it")
    ok("line", "add", "fritid", "--name", "Fritid")
    ok("line", "add", "skola-grund", "--name", "Grundskola", "--parent", "skola")
    ok("line", "add", "it-drift", "--name", "Drift", "--parent", "it")


@pytest.fixture
def filled(deep_tree, ok):
    ok("budget", "set", "it-sak", "1 200 000,30", *Y, *R)
    ok("budget", "set", "it-drift", "600 000,03", *Y, *R)
    ok("budget", "set", "skola-grund", "2 400 000,10", *Y, *R)
    ok("budget", "set", "fritid", "360 000", *Y, *R)
    ok("forecast", "set", "it-sak", "1 300 000,07", *Y, "--as-of", "2024-04", *R)
    ok("actual", "book", "it-sak", "300 000,11", "--period", "2024-02")
    ok("actual", "book", "it-drift", "150 000", "--period", "2024-05")
    ok("actual", "book", "skola-grund", "--period", "2024-03", "--", "-1 000,01")
    ok("actual", "book", "fritid", "123,45", "--period", "2024-07")


def test_the_report_document_has_the_contract_keys(filled, report):
    doc = report("2024-05")
    assert set(doc) == {"year", "as_of", "known_at", "lines", "total"}
    assert doc["year"] == 2024
    assert doc["as_of"] == "2024-05"
    assert doc["known_at"] is None
    assert set(doc["total"]) == set(AMOUNTS)
    for line in doc["lines"]:
        assert set(line) == LINE_KEYS, line
        assert isinstance(line["depth"], int)
        assert isinstance(line["is_leaf"], bool)
        assert isinstance(line["forecast_revised"], bool)
        for field in AMOUNTS:
            assert isinstance(line[field], str)


def test_lines_appear_depth_first_with_children_in_added_order(filled, report):
    doc = report("2024-05")
    assert [
        (ln["code"], ln["parent"], ln["depth"], ln["is_leaf"]) for ln in doc["lines"]
    ] == [
        ("kommun", None, 0, False),
        ("it", "kommun", 1, False),
        ("it-sak", "it", 2, True),
        ("it-drift", "it", 2, True),
        ("skola", "kommun", 1, False),
        ("skola-grund", "skola", 2, True),
        ("fritid", None, 0, True),
    ]
    assert lines_by_code(doc)["it-sak"]["name"] == "Säkerhet"


def test_an_empty_store_reports_no_lines_and_zero_totals(cli, report):
    assert cli("init").exit_code == 0  # a report reads, and creates no store (issue 11)
    doc = report("2024-05")
    assert doc["lines"] == []
    assert {k: d(v) for k, v in doc["total"].items()} == dict.fromkeys(AMOUNTS, d("0"))


@pytest.mark.parametrize("as_of", ["2024-01", "2024-04", "2024-05", "2024-12"])
def test_every_roll_up_figure_is_the_exact_sum_of_its_children(filled, report, as_of):
    doc = report(as_of)
    lines = lines_by_code(doc)
    for parent in [ln for ln in doc["lines"] if not ln["is_leaf"]]:
        kids = [ln for ln in doc["lines"] if ln["parent"] == parent["code"]]
        for field in AMOUNTS:
            assert d(parent[field]) == sum(d(k[field]) for k in kids), (parent["code"], field)
    for field in AMOUNTS:
        top = [ln for ln in doc["lines"] if ln["parent"] is None]
        assert d(doc["total"][field]) == sum(d(t[field]) for t in top), field
    revised = as_of >= "2024-04"  # it-sak's only revision is as of April
    assert lines["it-sak"]["forecast_revised"] is revised
    assert lines["it"]["forecast_revised"] is revised
    assert lines["kommun"]["forecast_revised"] is revised
    assert lines["skola"]["forecast_revised"] is False


def test_the_figures_of_a_filled_ledger(filled, report):
    lines = lines_by_code(report("2024-05"))
    sak = lines["it-sak"]
    assert d(sak["budget"]) == d("1200000.30")
    assert d(sak["forecast"]) == d("1300000.07")
    assert d(sak["forecast_deviation"]) == d("99999.77")
    assert sak["forecast_revised"] is True
    # 1 200 000,30 × 5/12 = 500 000,125 -> 500 000,12 (half-even)
    assert d(sak["budget_ytd"]) == d("500000.12")
    assert d(sak["actual_ytd"]) == d("300000.11")
    assert d(sak["actual_deviation"]) == d("300000.11") - d("500000.12")
    drift = lines["it-drift"]
    assert drift["forecast_revised"] is False
    assert d(drift["forecast"]) == d(drift["budget"]) == d("600000.03")
    assert d(drift["forecast_deviation"]) == 0
    # 600 000,03 × 5/12 = 250 000,0125 -> 250 000,01
    assert d(drift["budget_ytd"]) == d("250000.01")
    # fritid's July booking is after the as-of month.
    assert d(lines["fritid"]["actual_ytd"]) == 0
    assert d(lines["skola-grund"]["actual_ytd"]) == d("-1000.01")


@pytest.mark.parametrize(
    "budget, as_of, ytd",
    [
        ("12 000,30", "2024-01", "1000.02"),  # 1000.025 -> even 2, half-up would give .03
        ("0,30", "2024-01", "0.02"),  # 0.025
        ("0,18", "2024-01", "0.02"),  # 0.015 -> even 2
        ("0,06", "2024-01", "0.00"),  # 0.005 -> even 0
        ("0,10", "2024-03", "0.02"),  # 0.025
        ("0,03", "2024-06", "0.02"),  # 0.015
        ("0,01", "2024-06", "0.00"),  # 0.005
        ("-0,30", "2024-01", "-0.02"),  # -0.025
        ("1 200", "2024-05", "500.00"),
        ("1 000", "2024-12", "1000.00"),
        ("1 000", "2024-01", "83.33"),
        ("1 000", "2024-02", "166.67"),
    ],
)
def test_budget_ytd_is_the_annual_budget_pro_rata_rounded_half_even(
    tree, ok, line_of, budget, as_of, ytd
):
    ok("budget", "set", "skola", *Y, *R, "--", budget)
    assert line_of("skola", as_of)["budget_ytd"] == ytd


def test_a_roll_up_budget_ytd_sums_the_rounded_children_not_the_rounded_sum(tree, ok, report):
    ok("budget", "set", "it-sak", "0,30", *Y, *R)
    ok("budget", "set", "it-drift", "0,30", *Y, *R)
    lines = lines_by_code(report("2024-01"))
    assert lines["it-sak"]["budget_ytd"] == lines["it-drift"]["budget_ytd"] == "0.02"
    # 0.60 × 1/12 would round to 0.05; the roll-up is the exact sum of its children.
    assert lines["it"]["budget_ytd"] == "0.04"


def test_deviations_are_positive_when_over_budget_and_negative_when_under(tree, ok, report):
    ok("budget", "set", "it-sak", "1200", *Y, *R)
    ok("budget", "set", "it-drift", "1200", *Y, *R)
    ok("forecast", "set", "it-sak", "1500", *Y, "--as-of", "2024-02", *R)
    ok("forecast", "set", "it-drift", "1000", *Y, "--as-of", "2024-02", *R)
    ok("actual", "book", "it-sak", "700", "--period", "2024-06")
    ok("actual", "book", "it-drift", "400", "--period", "2024-06")
    lines = lines_by_code(report("2024-06"))
    assert lines["it-sak"]["forecast_deviation"] == "300.00"
    assert lines["it-drift"]["forecast_deviation"] == "-200.00"
    assert lines["it-sak"]["actual_deviation"] == "100.00"  # 700 - 600
    assert lines["it-drift"]["actual_deviation"] == "-200.00"  # 400 - 600
    assert lines["it"]["forecast_deviation"] == "100.00"
    assert lines["it"]["actual_deviation"] == "-100.00"


def test_an_unrevised_leaf_forecasts_its_budget(tree, ok, line_of):
    ok("budget", "set", "skola", "5 000", *Y, *R)
    skola = line_of("skola", "2024-08")
    assert skola["forecast"] == skola["budget"] == "5000.00"
    assert skola["forecast_revised"] is False
    assert skola["forecast_deviation"] == "0.00"


def test_a_leaf_without_any_events_reports_zero(tree, line_of):
    skola = line_of("skola", "2024-08")
    for field in AMOUNTS:
        assert d(skola[field]) == 0
    assert skola["forecast_revised"] is False


def test_a_forecast_of_zero_is_a_revision(tree, ok, line_of):
    ok("budget", "set", "skola", "5 000", *Y, *R)
    ok("forecast", "set", "skola", "0", *Y, "--as-of", "2024-03", *R)
    skola = line_of("skola", "2024-03")
    assert skola["forecast"] == "0.00"
    assert skola["forecast_revised"] is True


def test_a_roll_up_is_revised_when_any_leaf_below_is(ok, deep_tree, line_of):
    ok("budget", "set", "it-sak", "100", *Y, *R)
    ok("forecast", "set", "it-sak", "150", *Y, "--as-of", "2024-05", *R)
    assert line_of("kommun", "2024-05")["forecast_revised"] is True
    assert line_of("it", "2024-05")["forecast_revised"] is True
    assert line_of("skola", "2024-05")["forecast_revised"] is False
    # Before the revision's month nothing is revised.
    assert line_of("kommun", "2024-04")["forecast_revised"] is False
    assert line_of("it", "2024-04")["forecast_revised"] is False


def test_a_year_only_shows_its_own_amounts(tree, ok, line_of):
    ok("budget", "set", "skola", "100", "--year", "2023", *R)
    ok("actual", "book", "skola", "40", "--period", "2023-12")
    ok("budget", "set", "skola", "200", *Y, *R)
    assert line_of("skola", "2024-12")["budget"] == "200.00"
    assert line_of("skola", "2024-12")["actual_ytd"] == "0.00"
    assert line_of("skola", "2023-12", year="2023")["budget"] == "100.00"


def test_the_unit_changes_only_the_human_table(tree, ok, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that rich wraps no amount
    ok("budget", "set", "skola", "1 236 897", *Y, *R)
    ok("budget", "set", "it-sak", "51,3 mkr", *Y, *R)
    base = ("report", *Y, "--as-of", "2024-05")
    as_json = {unit: cli(*base, *unit, "--json").stdout for unit in ((), ("--unit", "kr"),
                                                                     ("--unit", "tkr"),
                                                                     ("--unit", "mkr"))}
    assert len(set(as_json.values())) == 1
    assert json.loads(as_json[("--unit", "tkr")])["total"]["budget"] == "52536897.00"
    tables = {unit: cli(*base, "--unit", unit).stdout for unit in ("kr", "tkr", "mkr")}
    assert len(set(tables.values())) == 3
    assert "tkr" in tables["tkr"] and "mkr" in tables["mkr"]
    assert "1 236 897" in tables["kr"]
    assert "1 237" in tables["tkr"] and "1 236 897" not in tables["tkr"]
    assert "51 300" in tables["tkr"]
    assert "51,3" in tables["mkr"]


def test_the_human_report_names_every_line(tree, ok, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    ok("budget", "set", "skola", "100", *Y, *R)
    out = ok("report", *Y, "--as-of", "2024-05").stdout
    for name in ("IT", "Informationssäkerhet", "Drift", "Skola"):
        assert name in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


# --- known-at -----------------------------------------------------------------


@pytest.fixture
def timeline(tree, write, ok):
    """Three commands whose recorded-at the test keeps, then later changes."""
    t1 = write("budget", "set", "it-sak", "1000", *Y, *R)[0]["recorded_at"]
    t2 = write("forecast", "set", "it-sak", "1500", *Y, "--as-of", "2024-03", *R)[0]["recorded_at"]
    t3 = write("line", "add", "it-nat", "--name", "Nätverk", "--parent", "it")[0]["recorded_at"]
    ok("budget", "set", "it-nat", "400", *Y, *R)
    ok("forecast", "set", "it-sak", "1800", *Y, "--as-of", "2024-03", *R)
    ok("actual", "book", "it-sak", "50", "--period", "2024-02")
    ok("budget", "set", "it-sak", "2000", *Y, *R)
    return t1, t2, t3


def _plus_two_hours(recorded_at: str) -> str:
    return datetime.fromisoformat(recorded_at).astimezone(timezone(timedelta(hours=2))).isoformat()


def test_known_at_shows_the_ledger_as_of_that_command(timeline, report):
    t1, t2, t3 = timeline
    at_t1 = lines_by_code(report("2024-05", "--known-at", t1))
    assert list(at_t1) == ["it", "it-sak", "it-drift", "skola"]
    assert at_t1["it-sak"]["budget"] == "1000.00"
    assert at_t1["it-sak"]["forecast"] == "1000.00"
    assert at_t1["it-sak"]["forecast_revised"] is False
    assert at_t1["it-sak"]["actual_ytd"] == "0.00"

    at_t2 = lines_by_code(report("2024-05", "--known-at", t2))
    assert at_t2["it-sak"]["forecast"] == "1500.00"
    assert at_t2["it-sak"]["forecast_revised"] is True
    assert "it-nat" not in at_t2

    at_t3 = lines_by_code(report("2024-05", "--known-at", t3))
    assert list(at_t3) == ["it", "it-sak", "it-drift", "it-nat", "skola"]
    assert at_t3["it-nat"]["budget"] == "0.00"

    now = lines_by_code(report("2024-05"))
    assert now["it-sak"]["budget"] == "2000.00"
    assert now["it-sak"]["forecast"] == "1800.00"
    assert now["it-sak"]["actual_ytd"] == "50.00"
    assert now["it-nat"]["budget"] == "400.00"


def test_known_at_includes_the_command_recorded_at_that_instant_and_not_one_tick_before(
    timeline, report
):
    _, t2, _ = timeline
    just_before = (datetime.fromisoformat(t2) - timedelta(microseconds=1)).isoformat()
    assert lines_by_code(report("2024-05", "--known-at", t2))["it-sak"]["forecast"] == "1500.00"
    before = lines_by_code(report("2024-05", "--known-at", just_before))["it-sak"]
    assert before["forecast"] == "1000.00"
    assert before["forecast_revised"] is False


def test_known_at_with_another_offset_is_the_same_instant(timeline, report):
    _, t2, _ = timeline
    other = _plus_two_hours(t2)
    assert other.endswith("+02:00")
    a = report("2024-05", "--known-at", t2)
    b = report("2024-05", "--known-at", other)
    assert a["lines"] == b["lines"] and a["total"] == b["total"]
    assert datetime.fromisoformat(a["known_at"]) == datetime.fromisoformat(t2)
    assert datetime.fromisoformat(b["known_at"]) == datetime.fromisoformat(t2)


def test_known_at_accepts_z_for_utc(timeline, report):
    _, t2, _ = timeline
    z = t2.replace("+00:00", "Z")
    assert report("2024-05", "--known-at", z)["lines"] == report("2024-05", "--known-at", t2)[
        "lines"
    ]


def test_known_at_before_any_event_shows_an_empty_ledger(timeline, report):
    t1, _, _ = timeline
    early = (datetime.fromisoformat(t1) - timedelta(days=1)).isoformat()
    doc = report("2024-05", "--known-at", early)
    assert doc["lines"] == []
    assert all(d(v) == 0 for v in doc["total"].values())


def test_known_at_in_the_future_shows_everything(timeline, report):
    future = (datetime.now(timezone.utc) + timedelta(days=3650)).isoformat()
    assert report("2024-05", "--known-at", future)["lines"] == report("2024-05")["lines"]


def test_a_leaf_that_later_got_children_was_a_leaf_when_known_earlier(tree, write, ok, report):
    t = write("line", "add", "x", "--name", "X")[0]["recorded_at"]
    ok("line", "add", "x-1", "--name", "X1", "--parent", "x")
    assert lines_by_code(report("2024-05", "--known-at", t))["x"]["is_leaf"] is True
    assert lines_by_code(report("2024-05"))["x"]["is_leaf"] is False

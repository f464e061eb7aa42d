"""The folding rules of issue 2, observed through `report --json`.

Budget as of M: fold, in (effective, recording order), the budget events with
effective <= M; a set replaces, a transfer adds. Forecast as of M: the revision
with the greatest (as-of, recording order) among as-of <= M, else the budget.
Actual to date: bookings of Jan..M. Closing: nothing into a closed month.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")


def budgets(line_of, code: str, months: range = range(1, 13)) -> list[str]:
    return [line_of(code, f"2024-{m:02d}")["budget"] for m in months]


# --- budget ---------------------------------------------------------------------


def test_a_budget_set_applies_from_january_by_default(tree, ok, line_of):
    ok("budget", "set", "skola", "1200", *Y, *R)
    assert set(budgets(line_of, "skola", range(1, 13, 5))) == {"1200.00"}


def test_a_budget_set_effective_later_applies_from_that_month_only(tree, ok, line_of):
    ok("budget", "set", "skola", "1200", *Y, *R)
    ok("budget", "set", "skola", "2400", *Y, "--effective", "2024-07", *R)
    assert line_of("skola", "2024-06")["budget"] == "1200.00"
    assert line_of("skola", "2024-07")["budget"] == "2400.00"
    assert line_of("skola", "2024-12")["budget"] == "2400.00"


def test_a_line_has_no_budget_before_its_first_effective_month(tree, ok, line_of):
    ok("budget", "set", "skola", "1200", *Y, "--effective", "2024-04", *R)
    assert line_of("skola", "2024-03")["budget"] == "0.00"
    assert line_of("skola", "2024-04")["budget"] == "1200.00"


def test_a_later_set_replaces_earlier_transfers(tree, ok, line_of):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "set", "skola", "1000", *Y, *R)
    ok("budget", "transfer", "it-sak", "skola", "100", *Y, "--effective", "2024-03", *R)
    ok("budget", "set", "skola", "5000", *Y, "--effective", "2024-06", *R)
    ok("budget", "transfer", "it-sak", "skola", "50", *Y, "--effective", "2024-08", *R)
    assert budgets(line_of, "skola", range(2, 10)) == [
        "1000.00", "1100.00", "1100.00", "1100.00", "5000.00", "5000.00", "5050.00", "5050.00",
    ]
    assert budgets(line_of, "it-sak", range(2, 10)) == [
        "1000.00", "900.00", "900.00", "900.00", "900.00", "900.00", "850.00", "850.00",
    ]


def test_a_set_recorded_later_with_an_earlier_effective_month_orders_by_month(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", *Y, "--effective", "2024-06", *R)
    ok("budget", "set", "skola", "500", *Y, "--effective", "2024-03", *R)
    assert line_of("skola", "2024-02")["budget"] == "0.00"
    assert line_of("skola", "2024-04")["budget"] == "500.00"
    assert line_of("skola", "2024-06")["budget"] == "1000.00"


def test_within_one_month_recording_order_decides(tree, ok, line_of):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    # transfer then set in May: the set replaces the transfer
    ok("budget", "transfer", "it-sak", "skola", "100", *Y, "--effective", "2024-05", *R)
    ok("budget", "set", "skola", "700", *Y, "--effective", "2024-05", *R)
    # set then transfer in September: the transfer adds to the set
    ok("budget", "set", "it-drift", "300", *Y, "--effective", "2024-09", *R)
    ok("budget", "transfer", "it-sak", "it-drift", "25", *Y, "--effective", "2024-09", *R)
    assert line_of("skola", "2024-05")["budget"] == "700.00"
    assert line_of("it-drift", "2024-09")["budget"] == "325.00"
    assert line_of("it-sak", "2024-09")["budget"] == "875.00"


def test_setting_the_same_month_twice_keeps_the_last_recorded(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", *Y, *R)
    ok("budget", "set", "skola", "900", *Y, *R)
    assert line_of("skola", "2024-01")["budget"] == "900.00"


def test_a_transfer_adds_to_and_subtracts_from_the_two_leaves(tree, ok, line_of):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "transfer", "it-sak", "skola", "250", *Y, *R)
    assert line_of("it-sak", "2024-01")["budget"] == "750.00"
    assert line_of("skola", "2024-01")["budget"] == "250.00"


def test_a_transfer_may_leave_a_negative_budget(tree, ok, line_of):
    ok("budget", "transfer", "it-sak", "skola", "250", *Y, *R)
    assert line_of("it-sak", "2024-01")["budget"] == "-250.00"


@pytest.mark.parametrize("as_of", ["2024-01", "2024-03", "2024-12"])
def test_transfers_conserve_the_total_budget(tree, ok, report, as_of):
    ok("budget", "set", "it-sak", "1000", *Y, *R)
    ok("budget", "set", "skola", "2000", *Y, *R)
    before = report(as_of)["total"]["budget"]
    ok("budget", "transfer", "it-sak", "skola", "333,33", *Y, "--effective", "2024-02", *R)
    ok("budget", "transfer", "skola", "it-drift", "1 000", *Y, "--effective", "2024-03", *R)
    assert report(as_of)["total"]["budget"] == before


def test_budgets_of_different_years_do_not_mix(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", "--year", "2023", *R)
    ok("budget", "set", "skola", "2000", *Y, "--effective", "2024-03", *R)
    assert line_of("skola", "2024-02")["budget"] == "0.00"
    assert line_of("skola", "2023-12", year="2023")["budget"] == "1000.00"


# --- forecast -------------------------------------------------------------------


def test_the_forecast_is_the_revision_with_the_greatest_as_of_month(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", *Y, *R)
    ok("forecast", "set", "skola", "1500", *Y, "--as-of", "2024-05", *R)
    ok("forecast", "set", "skola", "1200", *Y, "--as-of", "2024-03", *R)  # recorded later
    got = {m: line_of("skola", f"2024-{m:02d}") for m in (2, 3, 4, 5, 11)}
    assert [got[m]["forecast"] for m in (2, 3, 4, 5, 11)] == [
        "1000.00", "1200.00", "1200.00", "1500.00", "1500.00",
    ]
    assert [got[m]["forecast_revised"] for m in (2, 3, 4, 5, 11)] == [
        False, True, True, True, True,
    ]


def test_two_revisions_as_of_the_same_month_keep_the_last_recorded(tree, ok, line_of):
    ok("forecast", "set", "skola", "1500", *Y, "--as-of", "2024-05", *R)
    ok("forecast", "set", "skola", "1400", *Y, "--as-of", "2024-05", *R)
    assert line_of("skola", "2024-05")["forecast"] == "1400.00"


def test_an_unrevised_forecast_follows_the_budget_as_of_the_month(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", *Y, *R)
    ok("budget", "set", "skola", "1300", *Y, "--effective", "2024-06", *R)
    assert line_of("skola", "2024-05")["forecast"] == "1000.00"
    assert line_of("skola", "2024-06")["forecast"] == "1300.00"


def test_a_revised_forecast_ignores_later_budget_changes(tree, ok, line_of):
    ok("budget", "set", "skola", "1000", *Y, *R)
    ok("forecast", "set", "skola", "1100", *Y, "--as-of", "2024-02", *R)
    ok("budget", "set", "skola", "5000", *Y, "--effective", "2024-06", *R)
    skola = line_of("skola", "2024-08")
    assert skola["forecast"] == "1100.00"
    assert skola["budget"] == "5000.00"
    assert skola["forecast_deviation"] == "-3900.00"


def test_a_forecast_of_another_year_does_not_count(tree, ok, line_of):
    ok("forecast", "set", "skola", "1100", "--year", "2023", "--as-of", "2023-12", *R)
    assert line_of("skola", "2024-12")["forecast_revised"] is False


# --- actuals --------------------------------------------------------------------


def test_actual_to_date_sums_bookings_of_january_through_the_month(tree, ok, line_of):
    ok("actual", "book", "skola", "100", "--period", "2024-01")
    ok("actual", "book", "skola", "200", "--period", "2024-03")
    ok("actual", "book", "skola", "--period", "2024-03", "--", "-50")
    ok("actual", "book", "skola", "400", "--period", "2024-12")
    ok("actual", "book", "skola", "999", "--period", "2023-12")
    ok("actual", "book", "skola", "999", "--period", "2025-01")
    got = [line_of("skola", f"2024-{m:02d}")["actual_ytd"] for m in (1, 2, 3, 11, 12)]
    assert got == ["100.00", "100.00", "250.00", "250.00", "650.00"]


def test_a_reversal_books_the_opposite_in_the_original_month(tree, write, cli, line_of):
    [booking] = write("actual", "book", "skola", "1 500", "--period", "2024-03", "--ref", "V-9")
    [reversal] = write("actual", "reverse", booking["event_id"], "--reason", "fel konto")
    assert line_of("skola", "2024-02")["actual_ytd"] == "0.00"
    assert line_of("skola", "2024-03")["actual_ytd"] == "0.00"
    [row] = [e for e in cli.json("history", "skola")["events"]
             if e["event_id"] == reversal["event_id"]]
    assert row["kind"] == "actual_reversed"
    assert row["amount"] == "-1500.00"
    assert row["period"] == "2024-03"
    assert row["corrects"] == booking["event_id"]
    assert row["reason"] == "fel konto"


def test_a_reversal_of_a_credit_is_a_debit(tree, write, cli, line_of):
    [booking] = write("actual", "book", "skola", "--period", "2024-04", "--", "-300")
    write("actual", "reverse", booking["event_id"], *R)
    kinds = [(e["kind"], e["amount"]) for e in cli.json("history", "skola")["events"]
             if e["kind"].startswith("actual")]
    assert kinds == [("actual_booked", "-300.00"), ("actual_reversed", "300.00")]
    assert line_of("skola", "2024-04")["actual_ytd"] == "0.00"


def test_a_reversal_with_period_books_the_opposite_in_that_month(tree, write, line_of):
    [booking] = write("actual", "book", "skola", "1 500", "--period", "2024-03")
    write("actual", "reverse", booking["event_id"], *R, "--period", "2024-05")
    assert [line_of("skola", f"2024-{m:02d}")["actual_ytd"] for m in (3, 4, 5)] == [
        "1500.00", "1500.00", "0.00",
    ]


def test_a_booking_in_a_closed_month_can_be_reversed_into_an_open_month(
    tree, write, ok, line_of
):
    [booking] = write("actual", "book", "skola", "800", "--period", "2024-02")
    ok("period", "close", "2024-03")
    ok("actual", "reverse", booking["event_id"], *R, "--period", "2024-04")
    assert line_of("skola", "2024-03")["actual_ytd"] == "800.00"
    assert line_of("skola", "2024-04")["actual_ytd"] == "0.00"


def test_reversal_event_id_may_be_given_with_surrounding_space(tree, write, ok, line_of):
    [booking] = write("actual", "book", "skola", "800", "--period", "2024-02")
    ok("actual", "reverse", f" {booking['event_id']} ", *R)
    assert line_of("skola", "2024-02")["actual_ytd"] == "0.00"


# --- closing --------------------------------------------------------------------


def test_after_closing_later_months_stay_open(tree, ok, line_of):
    ok("budget", "set", "skola", "1200", *Y, *R)
    ok("period", "close", "2024-03")
    ok("actual", "book", "skola", "10", "--period", "2024-04")
    ok("forecast", "set", "skola", "1300", *Y, "--as-of", "2024-04", *R)
    ok("budget", "set", "skola", "1500", *Y, "--effective", "2024-04", *R)
    ok("budget", "transfer", "skola", "it-sak", "100", *Y, "--effective", "2024-05", *R)
    skola = line_of("skola", "2024-05")
    assert (skola["budget"], skola["forecast"], skola["actual_ytd"]) == (
        "1400.00", "1300.00", "10.00",
    )


def test_closing_moves_forward_month_by_month(tree, ok):
    ok("period", "close", "2024-01")
    ok("period", "close", "2024-02")
    ok("period", "close", "2024-06")
    ok("period", "close", "2025-01")


def test_closing_a_month_closes_every_earlier_year_too(tree, ok, refused):
    ok("period", "close", "2024-01")
    refused("actual", "book", "skola", "1", "--period", "2023-06", names="2023-06")


def test_a_note_may_explain_a_closed_month(tree, ok, cli):
    ok("period", "close", "2024-03")
    ok("note", "add", "skola", "Vikarier i mars", *Y, "--period", "2024-03")
    [note] = [e for e in cli.json("history", "skola")["events"] if e["kind"] == "note_added"]
    assert note["text"] == "Vikarier i mars"
    assert note["period"] == "2024-03"


def test_a_note_changes_no_figure(tree, ok, report):
    ok("budget", "set", "skola", "1200", *Y, *R)
    before = report("2024-06")
    ok("note", "add", "skola", "Förklaring", *Y, "--period", "2024-06")
    assert report("2024-06") == before


def test_a_line_with_only_a_note_may_still_get_children(tree, ok):
    ok("note", "add", "skola", "Planerad uppdelning", *Y, "--period", "2024-01")
    ok("line", "add", "skola-grund", "--name", "Grundskola", "--parent", "skola")


def test_a_top_level_leaf_without_amounts_may_get_children(tree, ok, line_of):
    ok("line", "add", "skola-grund", "--name", "Grundskola", "--parent", "skola")
    ok("budget", "set", "skola-grund", "10", *Y, *R)
    skola = line_of("skola", "2024-01")
    assert skola["is_leaf"] is False
    assert Decimal(skola["budget"]) == 10

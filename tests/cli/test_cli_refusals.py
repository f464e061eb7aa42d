"""Every refusal rule of issue 2, through the command line.

A refused command exits 1, prints exactly one line on stderr naming the line,
month or event at fault, prints no traceback, and leaves every row of the store
as it was (the `refused` fixture checks all of that).
"""

from __future__ import annotations

import uuid

import pytest

Y = ("--year", "2024")
R = ("--reason", "r")


# --- lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("budget", "set", "nope", "5", *Y, *R),
        ("budget", "transfer", "nope", "skola", "5", *Y, *R),
        ("budget", "transfer", "skola", "nope", "5", *Y, *R),
        ("forecast", "set", "nope", "5", *Y, "--as-of", "2024-03", *R),
        ("actual", "book", "nope", "5", "--period", "2024-03"),
        ("note", "add", "nope", "a note", *Y, "--period", "2024-03"),
        ("history", "nope"),
        ("why", "nope", *Y, "--from", "2024-01", "--to", "2024-06"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_command_on_an_unknown_line_is_refused(refused, args):
    refused(*args, names="nope")


def test_adding_a_line_with_an_existing_code_is_refused(refused):
    refused("line", "add", "it-sak", "--name", "Again", "--parent", "it", names="it-sak")


def test_adding_an_existing_code_under_another_parent_is_refused(refused):
    refused("line", "add", "it-sak", "--name", "Again", "--parent", "skola", names="it-sak")


def test_adding_a_line_under_an_unknown_parent_is_refused(refused):
    refused("line", "add", "x", "--name", "X", "--parent", "nope", names="nope")


# --- amounts on roll-ups ------------------------------------------------------


def test_budget_on_a_roll_up_is_refused(refused):
    refused("budget", "set", "it", "100", *Y, *R, names="it")


def test_forecast_on_a_roll_up_is_refused(refused):
    refused("forecast", "set", "it", "100", *Y, "--as-of", "2024-04", *R, names="it")


def test_actual_on_a_roll_up_is_refused(refused):
    refused("actual", "book", "it", "100", "--period", "2024-04", names="it")


@pytest.mark.parametrize(
    "amounts",
    [
        ("budget", "set", "skola", "100", *Y, *R),
        ("forecast", "set", "skola", "100", *Y, "--as-of", "2024-02", *R),
        ("actual", "book", "skola", "100", "--period", "2024-02"),
        ("budget", "transfer", "it-sak", "skola", "100", *Y, *R),
    ],
    ids=["budget", "forecast", "actual", "transfer"],
)
def test_children_for_a_line_with_amounts_are_refused(ok, refused, amounts):
    ok(*amounts)
    refused("line", "add", "skola-grund", "--name", "Grundskola", "--parent", "skola",
            names="skola")


def test_a_line_with_amounts_in_another_year_still_cannot_get_children(ok, refused):
    ok("budget", "set", "skola", "100", "--year", "2023", *R)
    refused("line", "add", "skola-grund", "--name", "Grundskola", "--parent", "skola",
            names="skola")


# --- transfers ----------------------------------------------------------------


def test_transfer_to_the_same_line_is_refused(ok, refused):
    ok("budget", "set", "it-sak", "100", *Y, *R)
    refused("budget", "transfer", "it-sak", "it-sak", "10", *Y, *R, names="it-sak")


@pytest.mark.parametrize("amount", ["0", "0,00 kr", "-5"])
def test_transfer_of_a_non_positive_amount_is_refused(ok, refused, amount):
    ok("budget", "set", "it-sak", "100", *Y, *R)
    refused("budget", "transfer", "it-sak", "skola", *Y, *R, "--", amount)


def test_transfer_to_a_roll_up_is_refused(ok, refused):
    ok("budget", "set", "skola", "100", *Y, *R)
    refused("budget", "transfer", "skola", "it", "10", *Y, *R, names="it")


def test_transfer_from_a_roll_up_is_refused(refused):
    refused("budget", "transfer", "it", "skola", "10", *Y, *R, names="it")


# --- bookings and reversals ---------------------------------------------------


@pytest.mark.parametrize("amount", ["0", "0,00", "0 kr", "0,0 mkr"])
def test_booking_zero_is_refused(refused, amount):
    line = refused("actual", "book", "it-sak", amount, "--period", "2024-03")
    assert "zero" in line.lower() or " 0" in line


def test_reversing_a_booking_twice_is_refused(ok, write, refused):
    [booking] = write("actual", "book", "it-sak", "1500", "--period", "2024-03")
    ok("actual", "reverse", booking["event_id"], *R)
    refused("actual", "reverse", booking["event_id"], *R, names=booking["event_id"])


def test_reversing_a_booking_twice_into_another_month_is_refused(ok, write, refused):
    [booking] = write("actual", "book", "it-sak", "1500", "--period", "2024-03")
    ok("actual", "reverse", booking["event_id"], *R, "--period", "2024-04")
    refused("actual", "reverse", booking["event_id"], *R, "--period", "2024-05",
            names=booking["event_id"])


def test_reversing_a_reversal_is_refused(write, refused):
    [booking] = write("actual", "book", "it-sak", "1500", "--period", "2024-03")
    [reversal] = write("actual", "reverse", booking["event_id"], *R)
    refused("actual", "reverse", reversal["event_id"], *R, names=reversal["event_id"])


@pytest.mark.parametrize(
    "command",
    [
        ("budget", "set", "it-sak", "100", *Y, *R),
        ("forecast", "set", "it-sak", "100", *Y, "--as-of", "2024-02", *R),
        ("note", "add", "it-sak", "text", *Y, "--period", "2024-02"),
        ("line", "add", "x", "--name", "X"),
        ("period", "close", "2024-01"),
    ],
    ids=["budget_set", "forecast_revised", "note_added", "line_added", "period_closed"],
)
def test_reversing_an_event_that_is_not_a_booking_is_refused(write, refused, command):
    [event] = write(*command)
    refused("actual", "reverse", event["event_id"], *R, names=event["event_id"])


@pytest.mark.parametrize("event_id", [str(uuid.uuid4()), "not-an-event-id"])
def test_reversing_an_unknown_event_id_is_refused(refused, event_id):
    refused("actual", "reverse", event_id, *R, names=event_id)


# --- closed months --------------------------------------------------------------


@pytest.fixture
def closed_through_march(tree, ok):
    ok("budget", "set", "it-sak", "1200", *Y, *R)
    ok("budget", "set", "skola", "600", *Y, *R)
    ok("period", "close", "2024-03")


@pytest.mark.parametrize("month", ["2024-03", "2024-01", "2023-12"])
def test_booking_into_a_closed_month_is_refused(closed_through_march, refused, month):
    refused("actual", "book", "it-sak", "10", "--period", month, names=month)


def test_reversing_into_the_closed_month_of_the_booking_is_refused(ok, write, refused):
    [booking] = write("actual", "book", "it-sak", "1500", "--period", "2024-02")
    ok("period", "close", "2024-02")
    refused("actual", "reverse", booking["event_id"], *R, names="2024-02")


def test_reversing_into_a_closed_month_given_with_period_is_refused(ok, write, refused):
    [booking] = write("actual", "book", "it-sak", "1500", "--period", "2024-05")
    ok("period", "close", "2024-03")
    refused("actual", "reverse", booking["event_id"], *R, "--period", "2024-03",
            names="2024-03")


@pytest.mark.parametrize("month", ["2024-03", "2024-02"])
def test_forecasting_as_of_a_closed_month_is_refused(closed_through_march, refused, month):
    refused("forecast", "set", "it-sak", "1300", *Y, "--as-of", month, *R, names=month)


@pytest.mark.parametrize("month", ["2024-03", "2024-01"])
def test_budgeting_effective_in_a_closed_month_is_refused(closed_through_march, refused, month):
    refused("budget", "set", "it-sak", "1300", *Y, "--effective", month, *R, names=month)


def test_budgeting_with_the_default_january_in_a_closed_year_is_refused(
    closed_through_march, refused
):
    refused("budget", "set", "it-sak", "1300", *Y, *R, names="2024-01")


@pytest.mark.parametrize("effective", [("--effective", "2024-02"), ()], ids=["feb", "default"])
def test_transferring_effective_in_a_closed_month_is_refused(
    closed_through_march, refused, effective
):
    month = effective[1] if effective else "2024-01"
    refused("budget", "transfer", "it-sak", "skola", "100", *Y, *effective, *R, names=month)


@pytest.mark.parametrize("month", ["2024-03", "2024-02", "2023-11"])
def test_closing_at_or_before_the_closed_through_month_is_refused(
    closed_through_march, refused, month
):
    refused("period", "close", month, names=month)


# --- months outside --year ------------------------------------------------------


@pytest.mark.parametrize(
    "args, month",
    [
        (("budget", "set", "it-sak", "100", *Y, "--effective", "2025-01", *R), "2025-01"),
        (("budget", "set", "it-sak", "100", *Y, "--effective", "2023-12", *R), "2023-12"),
        (("budget", "transfer", "it-sak", "skola", "1", *Y, "--effective", "2025-02", *R),
         "2025-02"),
        (("forecast", "set", "it-sak", "100", *Y, "--as-of", "2023-06", *R), "2023-06"),
        (("note", "add", "it-sak", "text", *Y, "--period", "2025-03"), "2025-03"),
        (("why", "it-sak", *Y, "--from", "2023-12", "--to", "2024-06"), "2023-12"),
        (("why", "it-sak", *Y, "--from", "2024-01", "--to", "2025-01"), "2025-01"),
        (("report", *Y, "--as-of", "2025-01"), "2025-01"),
        (("report", *Y, "--as-of", "2023-12", "--json"), "2023-12"),
    ],
    ids=[
        "budget-effective-after", "budget-effective-before", "transfer-effective",
        "forecast-as-of", "note-period", "why-from", "why-to", "report-as-of",
        "report-as-of-json",
    ],
)
def test_a_month_outside_the_year_is_refused(ok, refused, args, month):
    ok("budget", "set", "it-sak", "100", *Y, *R)
    refused(*args, names=month)


# --- why at a moment the line did not exist -------------------------------------


def test_why_for_a_line_not_yet_added_at_known_at_is_refused(ok, write, refused):
    [first] = write("budget", "set", "it-sak", "100", *Y, *R)
    ok("line", "add", "fritid", "--name", "Fritid")
    ok("budget", "set", "fritid", "50", *Y, *R)
    refused(
        "why", "fritid", *Y, "--from", "2024-01", "--to", "2024-12",
        "--known-at", first["recorded_at"], names="fritid",
    )
    # The same question without --known-at is answered.
    ok("why", "fritid", *Y, "--from", "2024-01", "--to", "2024-12")

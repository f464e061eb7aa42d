"""The ways a command can fail.

`RefusedError`s are rules of the ledger (exit 1: nothing recorded);
`InvalidInputError`s are text that could not be read at all (exit 2).
Every message names the line, month or value at fault in one line.
"""


class LedgerError(Exception):
    """Root of every error prognos reports to a user."""

    exit_code = 1


class RefusedError(LedgerError):
    """A well-formed command that the ledger's rules do not allow."""


class InvalidInputError(LedgerError):
    """Text that is not a valid amount, month, timestamp or option value."""

    exit_code = 2


class InvalidAmountError(InvalidInputError):
    pass


class InvalidMonthError(InvalidInputError):
    pass


class InvalidTimestampError(InvalidInputError):
    pass


class UnknownLineError(RefusedError):
    pass


class DuplicateLineError(RefusedError):
    pass


class NotALeafError(RefusedError):
    pass


class LineHasAmountsError(RefusedError):
    pass


class ClosedPeriodError(RefusedError):
    pass


class MonthOutsideYearError(RefusedError):
    pass


class UnknownEventError(RefusedError):
    pass


class ReversalError(RefusedError):
    pass


class StoreError(LedgerError):
    """The store cannot be opened or is not a prognos store."""

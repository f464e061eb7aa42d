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


class BusyError(StoreError):
    """Another write held the ledger for longer than this one would wait (`--wait`)."""

    def __init__(self, seconds: float):
        shown = f"{seconds:g}"
        super().__init__(
            f"the ledger is busy: another write has held it for {shown} s; nothing is recorded "
            "(wait longer with --wait SECONDS)")


class MissingStoreError(StoreError):
    """A command that only reads was pointed at a store that does not exist: it creates
    none (only `init` and the commands that record do)."""

    def __init__(self, where: str):
        super().__init__(f"no store at {where}; create one with: prognos --store {where} init")


class UnreadableEventError(StoreError):
    """An event in the log that cannot be read back (its row was damaged or written by
    something else): `check` reports it as a failed check, other commands as an error."""

    def __init__(self, position: int, error: Exception):
        super().__init__(f"the event at position {position} cannot be read: {damage(error)}")
        self.position = position


def damage(error: Exception) -> str:
    """What was wrong with a damaged event row, in a few words."""
    if isinstance(error, ArithmeticError):  # decimal's errors say only their class
        return "a figure that is not a number"
    details = getattr(error, "errors", None)  # pydantic's: the field, and what is wrong
    if callable(details):
        first = details()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# What reading a damaged or foreign event row raises: bad JSON or fields (ValueError,
# pydantic's ValidationError among them), an unknown topic (LookupError), a field or a
# whole state of the wrong type, or a month or amount the domain refuses.
DAMAGED = (ValueError, LookupError, TypeError, AttributeError, ArithmeticError, LedgerError)

"""The ledger's rules replayed over the log itself, in log order: `check`'s proof that no
event got in that a command would have refused, however it got there.

The commands decide from the views, which are fast and are folded from the log. But a
view changed behind prognos's back (a deleted `closed_through`, say) lets a refused
command through, and a `rebuild` then folds that event into views that agree with it.
So `check` does not trust the views here: it folds the log from its first event, with
the same rules (`rules`) the commands apply, and names the first event that breaks one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prognos.domain import rules
from prognos.domain.state import Check, DecisionState
from prognos.events.errors import RefusedError
from prognos.events.kinds import Effect

if TYPE_CHECKING:
    from prognos.events.kinds import Event

NAME = "log_obeys_rules"


class LogRules:
    """Fed the log one event at a time (`see`); `result` names the first event that breaks
    a rule, by its position."""

    def __init__(self) -> None:
        self.state = DecisionState()
        # The ids (as ints) of the actual bookings so far, and of those reversed: sets, as at
        # L (600,000 bookings) a dict with their positions cost `check` 25 MB more.
        self.booked: set[int] = set()
        self.reversed: set[int] = set()
        # a transfer whose other side is still to come: id -> (command, amount, sides, position)
        self.open_transfers: dict[Any, tuple[Any, Any, int, int]] = {}
        self.count = 0
        self.fault: str | None = None

    def see(self, event: Event) -> None:
        if self.fault is not None:
            return
        self.count += 1
        position = getattr(event, "position", None) or self.count
        try:
            self._obeys(event, position)
        except RefusedError as e:
            self.fault = f"the event at position {position} breaks a rule: {e}"
        self.state.apply(event, position)
        if self.state.fault is not None:
            self.fault = self.state.fault

    def _obeys(self, event: Any, position: int) -> None:
        effect = event.effect
        state = self.state
        if effect is Effect.ADDS_LINE:
            rules.new_line(state, event.code, event.parent)
            return
        if effect is Effect.CLOSES_MONTHS:
            rules.closes_later(event.through, state.closed)
            return
        if effect.figure is None:  # a note, a file's record: on any line there is, any month
            if getattr(event, "code", None) is not None:
                rules.existing_line(state, event.code)
            return
        rules.leaf(state, event.code)
        month = getattr(event, event.month_from)
        rules.require_open(month, state.closed, rules.MONTH_WORD[effect.figure])
        if effect is Effect.BOOKS_ACTUAL:
            self.booked.add(event.event_id.int)
        elif effect is Effect.REVERSES_ACTUAL:
            self._reverses(event)
        elif effect is Effect.MOVES_BUDGET:
            self._transfers(event, position)

    def _reverses(self, event: Any) -> None:
        target = event.corrects.int if event.corrects is not None else None
        if target is None or target not in self.booked:
            raise RefusedError(f"it reverses {event.corrects}, which is no earlier actual booking")
        if target in self.reversed:
            raise RefusedError(f"booking {event.corrects} was already reversed")
        self.reversed.add(target)

    def _transfers(self, event: Any, position: int) -> None:
        """Both sides of a transfer come from one command and net to zero: the first side
        is held until the second arrives; `result` names one never completed."""
        held = self.open_transfers.pop(event.transfer_id, None)
        if held is None:
            self.open_transfers[event.transfer_id] = (
                event.command_id, event.amount, 1, position)
            return
        command, amount, _, first = held
        if command != event.command_id:
            raise RefusedError(f"the sides of transfer {event.transfer_id} (#{first}) come "
                               "from different commands")
        if amount + event.amount != 0:
            raise RefusedError(f"the sides of transfer {event.transfer_id} (#{first}) do not "
                               "net to zero")

    def result(self) -> Check:
        fault = self.fault
        if fault is None and self.open_transfers:
            transfer, (_, _, _, first) = next(iter(self.open_transfers.items()))
            fault = (f"the event at position {first} breaks a rule: transfer {transfer} has "
                     "one side")
        if fault is not None:
            return Check(NAME, False, fault)
        return Check(NAME, True, f"all {self.count} events obey the ledger's rules in log order",
                     "rules_ok", (("events", self.count),))

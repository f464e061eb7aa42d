"""The ledger application: every command, decided and recorded in one transaction.

This is the only module that writes to the event store. Each command opens a
unit of work, checks the rules (`rules`) against it, and records all its events at
once with one recorded-at, so no view ever shows half a command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from uuid import uuid4

from prognos.domain import rules
from prognos.domain.clock import format_instant, next_recorded_at, utc_now
from prognos.domain.ids import new_event_id
from prognos.domain.importing.decider import ImportDecider, ImportResult, SourceFile
from prognos.domain.importing.rows import ImportRow, ImportSpec
from prognos.domain.requests import Answered, Request, fingerprint
from prognos.domain.state import UnitOfWork
from prognos.events.errors import RefusedError
from prognos.events.kinds import Figure
from prognos.events.period import YearMonth
from prognos.events.ledger import (
    ActualBooked,
    ActualReversed,
    BudgetSet,
    BudgetTransferred,
    ForecastRevised,
    LineAdded,
    LedgerEvent,
    NoteAdded,
    PeriodClosed,
)

if TYPE_CHECKING:
    from prognos.domain.importing.options import ImportPlan

BUDGET_MONTH = rules.MONTH_WORD[Figure.BUDGET]
FORECAST_MONTH = rules.MONTH_WORD[Figure.FORECAST]
PERIOD = rules.MONTH_WORD[Figure.ACTUAL]


class Store(Protocol):
    """Where a ledger is kept, as the application writes to it."""

    def write(self) -> AbstractContextManager[UnitOfWork]:
        """One write transaction, serialised with every other: decide, then record."""
        ...


class Command:
    """The audit fields shared by every event of one command, and the request it answers.

    A command sent with a request id (`Ledger.request_id`) that was answered before is
    not decided again: `earlier` holds that answer, and the command returns it."""

    def __init__(self, uow: UnitOfWork, user: str, reason: str | None, now: datetime,
                 request: Request | None):
        self.uow = uow
        self.command_id = uuid4()
        self.recorded_at = next_recorded_at(now, uow.last_recorded_at())
        self.user = user
        self.reason = reason
        self.request = request
        self.db_role = uow.db_role()
        # Writers are serialised, so the command's events take the next
        # positions in the order they are made; `record` checks that.
        self.first_position = self.next_position = uow.max_position() + 1
        self.result: dict[str, Any] | None = None  # what an import answered, kept for a retry
        self.earlier = None if request is None else _earlier(uow, request)

    @property
    def request_id(self) -> str | None:
        return None if self.request is None else self.request.request_id

    def stored_fields(self) -> dict[str, Any]:
        """The audit fields as they are stored, for events written in their stored form."""
        return {
            "command_id": str(self.command_id),
            "recorded_at": format_instant(self.recorded_at),
            "user": self.user,
            "reason": self.reason,
            "request_id": self.request_id,
            "db_role": self.db_role,
        }

    def audit(self, **extra: Any) -> dict[str, Any]:
        position = self.next_position
        self.next_position += 1
        return {
            "event_id": new_event_id(),
            "command_id": self.command_id,
            "recorded_at": self.recorded_at,
            "user": self.user,
            "reason": self.reason,
            "request_id": self.request_id,
            "db_role": self.db_role,
            "position": position,
            **extra,
        }


def _earlier(uow: UnitOfWork, request: Request) -> Answered | None:
    """The answer to a request sent before: the same content, or a refusal."""
    answered = uow.answered(request.request_id)
    if answered is not None and answered.fingerprint != request.fingerprint:
        raise RefusedError(
            f"request id {request.request_id!r} was sent before with other content (a "
            f"{answered.command}): nothing is recorded")
    return answered


class Ledger:
    """The commands of a forecasting ledger."""

    def __init__(self, store: Store, user: str, clock: Callable[[], datetime] = utc_now,
                 request_id: str | None = None):
        self.store = store
        self.user = rules.required_text(user, "user")
        self.clock = clock
        # A command sent again with the same request id (a retry after a lost reply) records
        # nothing and answers as the first time.
        self.request_id = None if request_id is None else rules.request_id(request_id)

    @contextmanager
    def _command(self, reason: str | None, *asked: Any) -> Iterator[Command]:
        """One command's transaction. `asked`: the command's name and what it was asked,
        which a request id sent again must repeat exactly (and its reason)."""
        request = None if self.request_id is None else Request(
            self.request_id, str(asked[0]), fingerprint(self.user, (*asked, reason)))
        with self.store.write() as uow:
            cmd = Command(uow, self.user, reason, self.clock(), request)
            yield cmd
            if request is not None and cmd.earlier is None:
                last = cmd.next_position - 1
                uow.answer(Answered(request.request_id, request.command, request.fingerprint,
                                    cmd.first_position if last >= cmd.first_position else None,
                                    last if last >= cmd.first_position else None, cmd.result))

    def add_line(self, code: str, name: str, parent: str | None = None) -> list[LedgerEvent]:
        code = rules.valid_code(code)
        name = rules.required_text(name, "line name")
        with self._command(None, "line add", code, name, parent) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.new_line(cmd.uow, code, parent)
            return cmd.uow.record([LineAdded(**cmd.audit(code=code, name=name, parent=parent))])

    def set_budget(
        self,
        code: str,
        amount: Decimal,
        year: int,
        reason: str,
        effective: YearMonth | None = None,
    ) -> list[LedgerEvent]:
        effective = rules.month_in_year(effective or YearMonth.first_of(year), year, "--effective")
        reason = rules.required_text(reason, "--reason")
        with self._command(reason, "budget set", code, amount, year, effective) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.leaf(cmd.uow, code)
            rules.open_month(cmd.uow, effective, BUDGET_MONTH)
            event = BudgetSet(**cmd.audit(code=code, year=year, effective=effective,
                                          amount=rules.in_ore(amount)))
            return cmd.uow.record([event])

    def transfer_budget(
        self,
        source_code: str,
        target_code: str,
        amount: Decimal,
        year: int,
        reason: str,
        effective: YearMonth | None = None,
    ) -> list[LedgerEvent]:
        effective = rules.month_in_year(effective or YearMonth.first_of(year), year, "--effective")
        reason = rules.required_text(reason, "--reason")
        rules.positive(amount, "a transfer amount")
        rules.distinct_lines(source_code, target_code)
        with self._command(reason, "budget transfer", source_code, target_code, amount, year,
                           effective) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.leaf(cmd.uow, source_code)
            rules.leaf(cmd.uow, target_code)
            rules.open_month(cmd.uow, effective, BUDGET_MONTH)
            transfer_id = uuid4()
            amount = rules.in_ore(amount)
            sides = [(source_code, -amount, target_code), (target_code, amount, source_code)]
            events = [
                BudgetTransferred(
                    **cmd.audit(
                        code=code,
                        year=year,
                        effective=effective,
                        amount=signed,
                        counterpart=other,
                        transfer_id=transfer_id,
                    )
                )
                for code, signed, other in sides
            ]
            return cmd.uow.record(events)

    def revise_forecast(
        self,
        code: str,
        amount: Decimal,
        year: int,
        as_of: YearMonth,
        reason: str,
    ) -> list[LedgerEvent]:
        rules.month_in_year(as_of, year, "--as-of")
        reason = rules.required_text(reason, "--reason")
        with self._command(reason, "forecast set", code, amount, year, as_of) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.leaf(cmd.uow, code)
            rules.open_month(cmd.uow, as_of, FORECAST_MONTH)
            event = ForecastRevised(
                **cmd.audit(code=code, year=year, as_of=as_of, amount=rules.in_ore(amount))
            )
            return cmd.uow.record([event])

    def book_actual(
        self,
        code: str,
        amount: Decimal,
        period: YearMonth,
        ref: str | None = None,
        reason: str | None = None,
    ) -> list[LedgerEvent]:
        rules.non_zero(amount, "a booked amount")
        reason = rules.optional_text(reason, "--reason")
        ref = rules.optional_text(ref, "--ref")
        with self._command(reason, "actual book", code, amount, period, ref) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.leaf(cmd.uow, code)
            rules.open_month(cmd.uow, period, PERIOD)
            event = ActualBooked(
                **cmd.audit(
                    code=code,
                    period=period,
                    amount=rules.in_ore(amount),
                    ref=ref,
                )
            )
            return cmd.uow.record([event])

    def reverse_actual(
        self, event_id: str, reason: str, period: YearMonth | None = None
    ) -> list[LedgerEvent]:
        reason = rules.required_text(reason, "--reason")
        target = rules.event_reference(event_id)
        with self._command(reason, "actual reverse", str(target), period) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            booking = rules.reversible(cmd.uow.booking(target), event_id)
            month = period or booking.period
            rules.open_month(cmd.uow, month, PERIOD)
            event = ActualReversed(
                **cmd.audit(
                    code=booking.line,
                    period=month,
                    amount=-booking.amount,
                    ref=booking.ref,
                    corrects=booking.event_id,
                )
            )
            return cmd.uow.record([event])

    def close_period(self, through: YearMonth) -> list[LedgerEvent]:
        with self._command(None, "period close", through) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.closes_later(through, cmd.uow.closed_through())
            return cmd.uow.record([PeriodClosed(**cmd.audit(through=through))])

    def import_file(
        self, plan: ImportPlan, progress: Callable[[int], None] | None = None
    ) -> ImportResult:
        """Record a planned import (`importing.plan_import`); `progress` is told of every
        few thousand rows read."""
        rows = plan.rows(progress)  # refuses a column missing or named twice
        return self.import_rows(rows, plan.spec, plan.source())

    def import_rows(
        self, rows: Iterable[ImportRow], spec: ImportSpec, source: SourceFile
    ) -> ImportResult:
        """Record a whole file in one command, or nothing; a file already imported adds nothing."""
        reason = rules.optional_text(spec.reason, "--reason") or f"imported from {source.name}"
        with self._command(reason, "import", source.sha256, spec) as cmd:
            if cmd.earlier is not None:
                return ImportResult.from_json(cmd.earlier.result or {})
            if cmd.uow.source_imported(source.sha256):
                result = ImportResult(source.sha256, source.rows, 0, None, None, True)
            else:
                decider = ImportDecider(cmd.uow, spec, source, cmd.stored_fields())
                first, count = cmd.next_position, 0
                for chunk in decider.records(rows, first):
                    cmd.uow.record_states(chunk)
                    count += len(chunk)
                cmd.next_position = first + count
                cmd.uow.save_source(source.sha256, source.name, source.content)
                result = ImportResult(
                    source.sha256, source.rows, count, first, first + count - 1,
                    already_imported=False, skipped=decider.skipped,
                    skipped_booked=tuple(decider.skipped_booked),
                )
            cmd.result = result.to_json()
            return result

    def add_note(self, code: str, text: str, year: int, period: YearMonth) -> list[LedgerEvent]:
        rules.month_in_year(period, year, "--period")
        text = rules.required_text(text, "note text")
        with self._command(None, "note add", code, text, year, period) as cmd:
            if cmd.earlier is not None:
                return cmd.uow.recorded(cmd.earlier)
            rules.existing_line(cmd.uow, code)
            event = NoteAdded(**cmd.audit(code=code, year=year, period=period, text=text))
            return cmd.uow.record([event])

"""What a report reads from a store: the contract between the reports and the stores.

A store hands out snapshots (`LedgerSource.snapshot()`), each one consistent view of the
ledger, and a report asks a snapshot the questions below. Answers are plain rows:
amounts in integer öre, months as `YearMonth.index`, kinds by name (`events.kinds`).
The SQL stores answer from their indexed views (`store.queries`), the in-memory store
from its events (`store.memory`). Reports import this module and never a store's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from prognos.domain.state import NO_LIMIT, Check

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent
    from prognos.domain.state import Kept

LineRow = tuple[str, str, "str | None", int]  # code, name, parent, position added
# An amount with its place in the year: month * 2**32 + position orders entries by
# month, then by recording order, as one integer.
Keyed = tuple[str, int, int]  # line, amount, order key
Change = tuple[str, int, int, str, int]  # line, month, position, kind, amount
Revision = tuple[str, int, int, int]  # line, month, position, amount
LineEntry = tuple[int, str, "int | None", "str | None"]  # position, kind, year, reversed by
Details = tuple[int, str, dict[str, Any]]  # position, kind, the event's stored state


class Snapshot(Protocol):
    """One consistent view of a ledger, as report, history and the bridge read it.

    Every query of one year is bounded by the months `after` (exclusive) and `through`
    (inclusive), by `upto` (the last position known, see `cutoff`), and by `only` (a
    few lines; None for all)."""

    def cutoff(self, known_at: datetime | None) -> int:
        """The last position recorded at or before `known_at` (NO_LIMIT when None)."""
        ...

    def lines(self, upto: int = NO_LIMIT) -> list[LineRow]:
        """The lines of the tree added up to position `upto`, in no particular order."""
        ...

    def latest(
        self, kinds: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[Keyed]:
        """Each line's latest entry of these kinds in the year, by (month, position)."""
        ...

    def entries(
        self, kinds: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> list[Keyed]:
        """Every entry of these kinds in the year (kinds that are few, such as transfers)."""
        ...

    def sums(
        self, kinds: Sequence[str], year: int, through: int, upto: int, only: Sequence[str] | None
    ) -> Iterable[tuple[str, int]]:
        """Each line's sum of its entries of these kinds in the year, exactly."""
        ...

    def command_ends(self, upto: int) -> list[tuple[int, str]]:
        """(last position, recorded at) of every command up to `upto`, in order."""
        ...

    def changes(
        self, kinds: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> list[Change]:
        """Every entry of these kinds in the months after..through, in no particular order."""
        ...

    def revisions(
        self, kinds: Sequence[str], year: int, after: int, through: int, upto: int,
        only: Sequence[str] | None,
    ) -> Iterable[Revision]:
        """The entries of these kinds in the months after..through, ordered by line, month and
        position (many: streamed)."""
        ...

    def line_entries(self, codes: Sequence[str], year: int | None) -> Iterator[LineEntry]:
        """Every event on these lines in position order: of the year if given (else every
        event, those of no year too), each with the reversal that reverses it."""
        ...

    def details(self, positions: Iterable[int]) -> Iterator[Details]:
        """The stored state of the events at these positions, in the order given."""
        ...

    def head_seal(self, upto: int) -> tuple[int, str] | None:
        """The last seal at or before position `upto`: (its position, its digest in hex);
        None where there is none (nothing sealed yet, or a store that keeps no seals)."""
        ...


class AuditedSnapshot(Snapshot, Protocol):
    """A snapshot that can also be checked against its own log (`prognos check`)."""

    def years(self) -> list[int]:
        """Every budget year any event belongs to."""
        ...

    def events(self) -> Iterator[LedgerEvent]:
        """The whole log, in order, validated against the models."""
        ...

    def integrity(self) -> Integrity:
        """The store's checks of itself, fed the log one event at a time."""
        ...

    def transfer_fault(self) -> str | None:
        """A transfer whose sides do not net to zero (its id), or None."""
        ...

    def reversal_fault(self) -> str | None:
        """What is wrong with the reversal links, or None."""
        ...


class Integrity(Protocol):
    """A store's checks of itself over the log: before (the views are current), as the log
    is read (`see`), and after."""

    def before(self) -> list[Check]: ...

    def see(self, event: LedgerEvent) -> None: ...

    def after(self) -> list[Check]: ...

    def unreadable(self, error: Exception) -> list[Check]:
        """The checks as failed, when the log holds an event that cannot be read."""
        ...

    def last(self) -> list[Check]:
        """Checks reported after every other (the seals)."""
        ...


class LedgerSource(Protocol):
    """A store, as the reports see it."""

    def snapshot(self) -> AbstractContextManager[Snapshot]: ...


class AuditedSource(Protocol):
    def snapshot(self) -> AbstractContextManager[AuditedSnapshot]: ...

    def head(self) -> tuple[int, str] | None:
        """(position, digest) of the last seal: the head `check` prints as SEAL@POSITION."""
        ...

    def kept(self, digest: str, position: int) -> Kept:
        """Whether the log as it stands still extends a head kept earlier."""
        ...

"""`prognos check`: does the store still hold together?

Each check re-derives something from the log and compares it with what the store
holds. The store checks itself (its views, the tables the rules decide on, the marks
where commands end, its seals: `AuditedSnapshot.integrity`); here the log is replayed
through the ledger's own rules (`domain.log_rules`), the reports read from the views are
compared with a replay of the log and checked to add up, and the log's transfers and
reversals with what they must be. The log is read once per year (once
at least), every check fed from the same pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prognos.domain.log_rules import NAME as LOG_RULES
from prognos.domain.log_rules import LogRules
from prognos.domain.state import Check
from prognos.events.errors import UnreadableEventError
from prognos.events.period import YearMonth
from prognos.projections.reports.replay import replay_reports
from prognos.projections.reports.report import report_of
from prognos.projections.reports.rollup import AMOUNT_FIELDS, Report
from prognos.projections.reports.source import AuditedSnapshot, AuditedSource

if TYPE_CHECKING:
    from prognos.events.ledger import LedgerEvent

# The checks here that replay the log, in the order they are reported.
REPLAYED = (LOG_RULES, "reports_equal_replay", "rollups_sum_children")


def run_checks(store: AuditedSource) -> list[Check]:
    """Every check, in the order they are reported."""
    with store.snapshot() as snap:
        years = snap.years()
        integrity = snap.integrity()
        first = integrity.before()
        log_rules = LogRules()
        log = _fed(snap.events(), integrity.see, log_rules.see)
        try:
            reports = _reports_hold(snap, years, log)
            for _ in log:  # no year to replay: the checks still see every event
                pass
            from_log = [*integrity.after(), log_rules.result(), *reports]
        except UnreadableEventError as e:
            from_log = [*integrity.unreadable(e),
                        *(Check(name, False, f"not checked: {e}") for name in REPLAYED)]
        transfer, reversal = snap.transfer_fault(), snap.reversal_fault()
        return [
            *first,
            *from_log,
            Check("transfers_net_to_zero", False, f"transfer {transfer} does not net to zero",
                  "transfer_off", (("transfer", transfer),)) if transfer
            else Check("transfers_net_to_zero", True,
                       "every transfer has two sides summing to zero", "transfers_ok"),
            Check("reversal_links", False, reversal) if reversal
            else Check("reversal_links", True, "every reversal opposes one booking, once",
                       "reversals_ok"),
            *integrity.last(),
        ]


def _fed(
    events: Iterator[LedgerEvent], *sees: Callable[[LedgerEvent], None]
) -> Iterator[LedgerEvent]:
    for event in events:
        for see in sees:
            see(event)
        yield event


def _reports(snap: AuditedSnapshot, year: int) -> Iterator[Report]:
    """The live report as of each month of the year, one at a time (bounded memory)."""
    return (report_of(snap, year, YearMonth(year, m)) for m in range(1, 13))


def _same(a: Report, b: Report) -> bool:
    return a.rows == b.rows and a.total == b.total


def _reports_hold(
    snap: AuditedSnapshot, years: list[int], log: Iterator[LedgerEvent]
) -> list[Check]:
    """Each month's live report, built once, equals the replay and adds up. The first
    year is replayed from `log`; later years read the log again."""
    replay_fault = rollup_fault = None
    for i, year in enumerate(years):
        months = [YearMonth(year, m) for m in range(1, 13)]
        replayed = replay_reports(log if i == 0 else snap.events(), year, months)
        for month, live, fresh in zip(months, _reports(snap, year), replayed):
            if replay_fault is None and not _same(live, fresh):
                replay_fault = f"report {year} as of {month} differs"
            rollup_fault = rollup_fault or _rollup_fault(live)
    return [
        Check("reports_equal_replay", False, replay_fault) if replay_fault
        else Check("reports_equal_replay", True, f"{len(years)} year(s), 12 months each",
                   "reports_ok", (("years", len(years)),)),
        Check("rollups_sum_children", False, rollup_fault) if rollup_fault
        else Check("rollups_sum_children", True, "every roll-up equals the sum of its children",
                   "rollups_ok"),
    ]


def _rollup_fault(rep: Report) -> str | None:
    children: dict[str | None, list[Any]] = {}
    for row in rep.rows:
        children.setdefault(row.parent, []).append(row)
    parents = [(r.code, r) for r in rep.rows if not r.is_leaf] + [(None, rep.total)]
    for code, parent in parents:
        for name in AMOUNT_FIELDS:
            total = sum(getattr(k, name) for k in children.get(code, []))
            if total != getattr(parent, name):
                return (f"{code or 'total'} {name} {getattr(parent, name)} != {total} "
                        f"({rep.year} as of {rep.as_of})")
    return None


def kept_head(store: AuditedSource, digest: str, position: int) -> Check:
    """`--expect-head`: does the log as it stands still extend a head kept earlier?"""
    found = store.kept(digest, position)
    values = (("status", found.status), ("position", found.position), ("last", found.last))
    details = {
        "same": f"the log ends at the kept head at position {position}",
        "grown": f"the log extends the kept head at position {position} (and has grown to "
                 f"position {found.last})",
        "differs": f"the log no longer extends the kept head: the events up to position "
                   f"{position} were rewritten",
        "truncated": f"the log no longer extends the kept head: it ends at position "
                     f"{found.last}, before the head's position {position}",
    }
    return Check("expected_head", found.extends, details[found.status],
                 f"head_{found.status}", values)

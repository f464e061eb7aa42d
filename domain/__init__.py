"""Decisions: the rules of the ledger and the commands that follow them.

- `application`: the ledger's commands (`Ledger`), the only writer of events; each
  decides against a unit of work (`state`) and records in one transaction.
- `rules`: every rule, each raising a specific error before anything is recorded.
- `state`: what a command decides on (`UnitOfWork`, `LineState`) and the one fold of
  it from events (`DecisionState`); `log_rules`: the same rules replayed over the log
  itself, for `check`.
- `money`, `clock`, `ids`, `identity`: exact amounts and their notations, recording
  time, event ids, who records.
- `importing/`: a file in (options, rows, the decider); `tables`: reading CSV and xlsx.
- `reconcile/`: auditing a published table's printed figures.

Of prognos it imports only `events`: the stores implement `state.UnitOfWork`, and the
domain never imports them.
"""

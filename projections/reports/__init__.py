"""The views a person reads, computed from a store's answers or from a replay of the log.

- `source`: what a report reads from a store (the `Snapshot` protocol): the contract.
- `report` (with `figures`: the budget fold, the deviation, the budget to date; and
  `rollup`: the one roll-up rule), `history`, `bridge` (why a forecast changed).
- `replay`: the same report by a plain fold over events: what the views must match.
- `check`: `prognos check`, the store's own checks with the reports' beside them.

May import `domain`, `events` and `reports.source`; never a store's internals
(`store.*`): a store is whatever answers `source.Snapshot`.
"""

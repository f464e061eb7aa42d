"""Everything kept or computed from the log.

- `store/`: where events are stored and the views are written (SQLite, PostgreSQL, in
  memory).
- `reports/`: the report, history, the forecast bridge, the replay and `check`, read
  through `reports.source.Snapshot`, never from a store's internals.
- `demo/`: the city's interim report as a ledger, for `prognos demo`.

May import `domain` and `events`; nothing here imports `cli`.
"""

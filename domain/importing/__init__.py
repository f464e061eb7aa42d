"""Importing a file: budgets, forecasts, actuals or the line tree, from CSV or xlsx.

- `options`: what the user asked (options and a mapping file), checked into a plan
  before any store is opened (`plan_import`).
- `rows`: which column holds what, and each row read into a line, an amount and a month.
- `decider`: the ledger's rules (`domain.rules`) applied row by row, and each event
  written in its stored form; `Ledger.import_file` records it all or nothing.

Reading the file's cells is `domain.tables`. May import `domain` and `events`.
"""

"""The ledger's vocabulary: what happened, and the values and errors it is told in.

- `kinds`: every kind of event, declared once (fields, month, year, effect, version);
  light to import, so any reader can name and describe kinds.
- `ledger`: those kinds as frozen pydantic models (importing it loads pydantic).
- `types`, `period`: the values events are made of (exact money, `YearMonth`, UTC
  instants, a file row's source); `upcasting`: reading older versions of an event.
- `errors`: every error prognos reports, rooted in `LedgerError`.

Imports nothing else of prognos: every other package builds on this one.
"""

"""Auditing a published report: which printed figures do not follow from the others?

- `printed`: printed tables, the rules that derive one printed figure from others,
  and the findings (rounding apart from real discrepancies).
- `spec`: reading a reconciliation spec (TOML/JSON) or one table's CSV.

Reads no events and keeps no ledger: it needs only money (`domain.money`) and the
file reader (`domain.tables`). May import `domain` and `events`.
"""

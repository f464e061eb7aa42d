"""Views of the ledger: indexed tables, reports, history, the forecast bridge, checks."""

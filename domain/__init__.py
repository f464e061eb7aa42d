"""The domain: value types, rules, and the ledger application (the only writer)."""

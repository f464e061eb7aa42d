"""`prognos demo`: the city's interim report of August 2024 as a ledger, its tables
reproduced from that ledger, and its published figures reconciled.

- `seed_ledger`: the transcribed tables as ledger commands, and tables 1.1-1.4 from the
  ledger's reports; `run`: the whole demo as one function.

The transcription itself ships as package data of `prognos.cli` (cli/seed), whose
command hands its folder in. May import `domain`, `events`, `store` and `reports`.
"""

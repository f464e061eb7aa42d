"""The `prognos` command line: typer commands that parse their options, call one function
of `domain` or `projections`, and render its result (rich tables in Swedish notation,
or one JSON document).

- `main`: the command groups joined, and the console script; `app`: the error boundary
  (one line on stderr, exit 1 or 2).
- `ledger_commands`, `read_commands`, `import_commands`, `reconcile_command`, `demo`,
  `export_command`: one module per group; `texts`: every word in Swedish and English;
  `tables`, `findings`, `render`: tables, sentences and JSON; `files/`: the files people
  open (xlsx, CSV); `context`, `options`, `console`: what they share. `seed/`: the
  city's report, transcribed, for the demo.

May import anything of prognos; nothing imports `cli`.
"""

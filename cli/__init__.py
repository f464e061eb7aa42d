"""The prognos command line (typer)."""

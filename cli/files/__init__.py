"""The files prognos writes for people to open and forward.

- `sheet`: the report's columns as a spreadsheet holds them (codes, names, parents and
  the figures in kronor), and the neutralising of any text a spreadsheet would take for
  a formula.
- `xlsx`: the report, the history of its lines, its notes and what it was made from, as
  an Excel workbook; `delimited`: the report as CSV for Swedish Excel.
- `charts`, `page` (with `page_assets`): charts, and the HTML report; `whole`: a file
  written whole or not at all.

May import all of prognos, as the rest of `cli` does.
"""

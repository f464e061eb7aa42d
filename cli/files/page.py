"""The HTML audit report: one self-contained file an auditor opens in a browser.

The tree is written as HTML (`details`/`summary`: expanded and collapsed by mouse and by
keyboard, with no script); a line's history, its forecast bridge and its notes are built
by the page's own script from data embedded in the file, when the line is opened, so a
ledger of 5,000 lines opens at once. Nothing is fetched: the styles, the script and the
charts (SVG) are in the file.

Every text from the ledger is escaped where it is written (`html.escape`), the embedded
data cannot end its `<script>` element (`<`, `>` and `&` are written as JSON escapes), and
the script shows data only as text (`textContent`), never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

import orjson

from prognos.cli.files.page_assets import SCRIPT, STYLE

if TYPE_CHECKING:
    from prognos.cli.files.sheet import Made
    from prognos.cli.texts import Texts
    from prognos.domain.state import Check
    from prognos.projections.reports.audit import Audit
    from prognos.projections.reports.rollup import Row

FIGURES = ("budget", "forecast", "forecast_deviation", "budget_ytd", "actual_ytd",
           "actual_deviation")
HEADERS = ("report.budget", "report.forecast", "report.deviation", "report.budget_ytd",
           "report.actual_ytd", "report.deviation_ytd")
# What the page's script says, in the page's language.
SCRIPT_TEXTS = ("html.bridge", "html.history", "html.notes", "html.no_history",
                "html.no_steps", "html.no_notes", "html.show_all", "html.change_total",
                "html.opening", "html.closing", "html.position", "html.recorded_at",
                "html.user", "html.kind", "html.line", "html.month", "html.amount",
                "html.ref", "html.reason", "html.before", "html.delta", "html.after")
SHOWN_FIRST = 300  # history rows a panel shows before "show all"


def write_html(out: IO[str], found: Audit, made: Made, checks: list[Check],
               charts: list[tuple[str, str]], t: Texts) -> int:
    """Write the page; the number of report lines in it."""
    rep = found.report
    e = html.escape
    title = t("report.title", year=rep.year, as_of=rep.as_of,
              known=t("report.known", at=made.known_at) if made.known_at else "",
              unit=made.unit)
    out.write(f'<!doctype html>\n<html lang="{t.lang}">\n<head>\n<meta charset="utf-8">\n'
              '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
              f"<title>{e(title)} – prognos</title>\n<style>{STYLE}</style>\n</head>\n<body>\n")
    out.write(f'<a class="skip" href="#rapport">{e(t("html.skip"))}</a>\n<header>\n'
              f"<h1>{e(title)}</h1>\n<p>{e(t('report.sign.own'))} · {e(t('html.unit'))} "
              f"{e(made.unit)}</p>\n<nav aria-label=\"{e(t('html.contents'))}\">"
              f'<a href="#rapport">{e(t("html.report"))}</a> '
              f'<a href="#kommentarer">{e(t("html.notes"))}</a> '
              f'<a href="#diagram">{e(t("html.charts"))}</a> '
              f'<a href="#kontroll">{e(t("html.check"))}</a> '
              f'<a href="#underlag">{e(t("html.made"))}</a> '
              f'<button type="button" id="expand-all">{e(t("html.expand_all"))}</button> '
              f'<button type="button" id="collapse-all">{e(t("html.collapse_all"))}</button>'
              "</nav>\n</header>\n<main>\n")
    lines = _tree(out, rep, made.unit, t)
    _notes(out, rep, t)
    _charts(out, charts, t)
    _checks(out, checks, found, t)
    _made(out, made, found, t)
    out.write("</main>\n")
    _data(out, found, t)
    out.write(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return lines


def _tree(out: IO[str], rep: Any, unit: str, t: Texts) -> int:
    e = html.escape
    out.write(f'<section id="rapport" aria-labelledby="rapport-h">\n'
              f'<h2 id="rapport-h">{e(t("html.report"))}</h2>\n'
              f'<p class="hint">{e(t("html.hint"))}</p>\n'
              '<div class="tree">\n<div class="row head" aria-hidden="true">'
              f'<span class="name">{e(t("report.line"))}</span>')
    for key in HEADERS:
        out.write(f'<span class="n">{e(t(key))}</span>')
    out.write("<span></span></div>\n")
    rows: list[Row] = rep.rows
    open_depths: list[int] = []  # the depths of the roll-ups whose <details> are open
    for i, row in enumerate(rows):
        while open_depths and open_depths[-1] >= row.depth:
            out.write("</div></details>\n")
            open_depths.pop()
        cells = _cells(row, unit, t)
        name = e(row.name) + (" *" if row.forecast_revised else "")
        more = (f'<button type="button" class="more" aria-expanded="false" '
                f'aria-controls="p{i}" data-i="{i}">'
                f'<span class="sr">{e(t("html.details_of", name=row.name))}</span>'
                '<span aria-hidden="true">≡</span></button>')
        depth = f'style="--d:{row.depth}"'
        if row.is_leaf:
            out.write(f'<div class="line leaf" data-i="{i}" data-code="{e(row.code)}">'
                      f'<div class="row" {depth}><span class="name" title="{e(row.code)}">'
                      f"{name}</span>{cells}{more}</div>"
                      f'<div class="panel" id="p{i}" hidden></div></div>\n')
        else:
            opened = " open" if row.depth == 0 else ""
            out.write(f'<details class="line" data-i="{i}" data-code="{e(row.code)}"{opened}>'
                      f'<summary class="row" {depth}><span class="name" title="{e(row.code)}">'
                      f"{name}</span>{cells}<span></span></summary>"
                      f'<div class="kids"><div class="tools" {depth}>{more}</div>'
                      f'<div class="panel" id="p{i}" hidden></div>\n')
            open_depths.append(row.depth)
    out.write("</div></details>\n" * len(open_depths))
    total = _cells(rep.total, unit, t)
    out.write(f'<div class="row total"><span class="name">{e(t("report.total"))}</span>'
              f"{total}<span></span></div>\n</div>\n"
              f'<p class="hint">{e(t("html.legend"))}</p>\n</section>\n')
    return len(rows)


def _cells(row: Any, unit: str, t: Texts) -> str:
    """The six figures; each says its column to a screen reader (the header row is drawn
    for the eye only)."""
    has_actual = getattr(row, "has_actual", True)
    shown = []
    for key, header in zip(FIGURES, HEADERS):
        said = f'<span class="sr">{html.escape(t(header))}: </span>'
        if key.startswith("actual") and not has_actual:
            shown.append(f'<span class="n">{said}</span>')  # no data is not zero
        else:
            figure = t.amount(getattr(row, key), unit)  # type: ignore[arg-type]
            shown.append(f'<span class="n">{said}{figure}</span>')
    return "".join(shown)


def _notes(out: IO[str], rep: Any, t: Texts) -> None:
    e = html.escape
    out.write(f'<section id="kommentarer" aria-labelledby="kommentarer-h">'
              f'<h2 id="kommentarer-h">{e(t("html.notes"))}</h2>\n')
    if not rep.notes:
        out.write(f"<p>{e(t('html.no_notes'))}</p>\n</section>\n")
        return
    out.write('<ol class="notes">\n')
    for note in rep.notes:
        out.write(f"<li><strong>{e(note.line)}, {e(note.period)}</strong>: {e(note.text)} "
                  f'<span class="who">({e(note.user)}, {e(note.recorded_at[:16])}, '
                  f"#{note.position})</span></li>\n")
    out.write("</ol>\n</section>\n")


def _charts(out: IO[str], charts: list[tuple[str, str]], t: Texts) -> None:
    e = html.escape
    out.write(f'<section id="diagram" aria-labelledby="diagram-h">'
              f'<h2 id="diagram-h">{e(t("html.charts"))}</h2>\n')
    for caption, svg in charts:
        out.write(f'<figure role="group" aria-label="{e(caption)}">{svg}'
                  f"<figcaption>{e(caption)}</figcaption></figure>\n")
    out.write("</section>\n")


def _checks(out: IO[str], checks: list[Check], found: Audit, t: Texts) -> None:
    e = html.escape
    ok = all(c.ok for c in checks)
    out.write(f'<section id="kontroll" aria-labelledby="kontroll-h">'
              f'<h2 id="kontroll-h">{e(t("html.check"))}</h2>\n'
              f'<p class="{"ok" if ok else "fail"}">'
              f"{e(t('html.check_ok') if ok else t('html.check_fail'))}</p>\n"
              f'<table class="checks"><thead><tr><th scope="col">{e(t("html.result"))}</th>'
              f'<th scope="col">{e(t("html.check_name"))}</th>'
              f'<th scope="col">{e(t("html.found"))}</th></tr></thead><tbody>\n')
    for c in checks:
        out.write(f'<tr><td class="{"ok" if c.ok else "fail"}">'
                  f"{e(t('check.ok').strip() if c.ok else t('check.fail'))}</td>"
                  f"<td><code>{e(c.name)}</code></td><td>{e(t.check(c))}</td></tr>\n")
    out.write("</tbody></table>\n</section>\n")


def _made(out: IO[str], made: Made, found: Audit, t: Texts) -> None:
    e = html.escape
    seal = found.head_seal
    facts = [
        ("export.year", str(made.year)),
        ("export.as_of", made.as_of),
        ("export.known_at", made.known_at or t("export.known_now")),
        ("export.store", made.store),
        ("export.head_seal", f"{seal[1]}@{seal[0]}" if seal else t("export.no_seal")),
        ("export.version", made.version),
        ("html.made_at", made.exported_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    out.write(f'<section id="underlag" aria-labelledby="underlag-h">'
              f'<h2 id="underlag-h">{e(t("html.made"))}</h2>\n<dl class="made">\n')
    for key, value in facts:
        out.write(f"<dt>{e(t(key))}</dt><dd>{e(value)}</dd>\n")
    out.write("</dl>\n</section>\n")


def _data(out: IO[str], found: Audit, t: Texts) -> None:
    """The data the script builds the panels from, as one JSON document that cannot close
    its element: every `<`, `>` and `&` in it is a JSON escape."""
    rep = found.report
    index = {row.code: i for i, row in enumerate(rep.rows)}
    strings: dict[str, int] = {}

    def s(text: str | None) -> int:
        if text is None:
            return -1
        found_at = strings.get(text)
        if found_at is None:
            found_at = strings[text] = len(strings)
        return found_at

    out.write('<script type="application/json" id="prognos-data">{"events":[')
    for n, chunk in enumerate(_chunks(_event_rows(found.history, index, s), 2000)):
        out.write(("," if n else "") + _safe(orjson.dumps(chunk)[1:-1]))
    parents = [index.get(row.parent, -1) if row.parent else -1 for row in rep.rows]
    doc = {
        "lines": [[row.code, row.name, parents[i], 1 if row.is_leaf else 0, row.depth]
                  for i, row in enumerate(rep.rows)],
        "opening": {str(index[code]): ore for code, ore in found.opening.items()
                    if code in index},
        "changes": [[index[leaf], month, command, position, change]
                     for leaf, month, command, position, change in found.changes
                     if leaf in index],
        "notes": [[index.get(note.line, -1), note.position, note.period, note.text,
                   note.user, note.recorded_at] for note in rep.notes],
        "kinds": {kind: t.kind(kind) for kind in _kinds()},
        "texts": {key.removeprefix("html."): t(key) for key in SCRIPT_TEXTS},
        "year": rep.year,
        "asOf": str(rep.as_of),
        "lang": t.lang,
    }
    doc["strings"] = list(strings)  # after the events: they fill it
    out.write("]," + _safe(orjson.dumps(doc)[1:]) + "</script>\n")


def _event_rows(history: Iterable[dict[str, Any]], index: dict[str, int],
                s: Any) -> Iterator[list[Any]]:
    for e in history:
        amount = e["amount"]
        yield [index.get(e["line"], -1), e["position"], e["kind"], e["recorded_at"],
               s(e["user"]), e["month"], None if amount is None else _ore(amount),
               e.get("ref"), s(e.get("text") or e.get("reason")), e["event_id"],
               e.get("corrects")]


def _chunks(rows: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    chunk: list[list[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ore(amount: str) -> int:
    return int(Decimal(amount) * 100)


def _safe(json: bytes) -> str:
    return (json.decode().replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _kinds() -> list[str]:
    from prognos.cli.texts import KIND_NAMES

    return list(KIND_NAMES)

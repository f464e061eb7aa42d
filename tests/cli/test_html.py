"""`prognos html` (issue 12), read as a file: one self-contained page, every text of the
ledger escaped, the data it embeds the same as the ledger's. In a real browser:
tests/browser/test_html_in_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

Y = ("--year", "2024")
EVIL = "<script>window.__pwned = 1</script>"


@pytest.fixture
def ledger(tree: None, ok: Any) -> None:
    ok("line", "add", "evil", "--name", EVIL, "--parent", "skola")
    ok("budget", "set", "it-sak", "1 200 000", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "it-drift", "800 000", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "evil", "1 000", *Y, "--reason", '"><img src=x onerror=alert(1)>')
    ok("forecast", "set", "it-sak", "1 350 000", *Y, "--as-of", "2024-03", "--reason",
       "</script><script>window.__pwned = 2</script>")
    ok("actual", "book", "it-sak", "300 000", "--period", "2024-02")
    ok("note", "add", "it-sak", "Licenser & <b>konsulter</b>", *Y, "--period", "2024-03")


def page(ok: Any, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "rapport.html"
    result = ok("html", *Y, "--as-of", "2024-05", "-o", str(out), *extra)
    assert str(out) in result.stdout
    return out.read_text(encoding="utf-8")


def embedded(text: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="prognos-data">(.*?)</script>',
                      text, re.S)
    assert found
    return json.loads(found[1])  # type: ignore[no-any-return]


def test_the_page_needs_nothing_from_outside(ledger: None, ok: Any, tmp_path: Path) -> None:
    text = page(ok, tmp_path)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"<link\b", text, re.I)  # no external stylesheet or font
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", text, re.I)
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?https?:", text)
    assert text.startswith("<!doctype html>") and '<html lang="sv">' in text


def test_every_text_of_the_ledger_is_escaped(ledger: None, ok: Any, tmp_path: Path) -> None:
    text = page(ok, tmp_path)
    assert EVIL not in text and "window.__pwned = 2</script>" not in text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text  # shown as text
    assert "<img src=x" not in text and "<b>konsulter</b>" not in text
    assert text.count("</script>") == 2  # the data's and the script's own: no other
    data = embedded(text)  # and the data hold the texts exactly
    assert EVIL in [line[1] for line in data["lines"]]
    assert "</script><script>window.__pwned = 2</script>" in data["strings"]


def test_the_embedded_data_are_the_ledgers(ledger: None, ok: Any, cli: Any,
                                           tmp_path: Path) -> None:
    data = embedded(page(ok, tmp_path))
    report = cli.json("report", *Y, "--as-of", "2024-05")
    assert [line[0] for line in data["lines"]] == [line["code"] for line in report["lines"]]
    events = [e for root in ("it", "skola") for e in cli.json("history", root, *Y)["events"]]
    assert sorted(e[1] for e in data["events"]) == sorted(e["position"] for e in events)
    assert [n[3] for n in data["notes"]] == ["Licenser & <b>konsulter</b>"]
    # Every leaf's changes add up to its bridge, as `why` gives it.
    index = {line[0]: i for i, line in enumerate(data["lines"])}
    for code in ("it-sak", "it-drift"):
        why = cli.json("why", code, *Y, "--from", "2024-01", "--to", "2024-05")
        change = sum(c[4] for c in data["changes"] if c[0] == index[code])
        assert change == round(float(why["change"]) * 100)
        assert data["opening"][str(index[code])] == round(float(why["from"]["forecast"]) * 100)


def test_the_page_holds_the_tree_the_check_and_what_it_was_made_from(
    ledger: None, ok: Any, cli: Any, tmp_path: Path
) -> None:
    text = page(ok, tmp_path)
    assert text.count('class="line leaf"') == 3 and text.count('<details class="line"') == 2
    assert "1 200 000" in text and "\u2212" in text  # Swedish notation
    assert f"<dd>{cli.json('check')['head']}</dd>" in text  # as check prints it, SEAL@POSITION
    assert "Alla kontroller godkända." in text
    assert "<svg" in text and "Prognos för helåret 2024" in text  # the charts, inline
    for fact in ("År", "Per månad", "Huvud (sigill@position)", "prognos-version", "Skapad"):
        assert f"<dt>{fact}</dt>" in text


def test_english_on_request(ledger: None, ok: Any, tmp_path: Path) -> None:
    text = page(ok, tmp_path, "--lang", "en")
    assert '<html lang="en">' in text and "Every check passed." in text


@pytest.mark.parametrize("name", ["r.pdf", "r"])
def test_only_an_html_file_is_written(ledger: None, usage_error: Any, tmp_path: Path,
                                      name: str) -> None:
    usage_error("html", *Y, "--as-of", "2024-05", "-o", str(tmp_path / name), names=name)
    assert list(tmp_path.iterdir()) == []

"""`prognos chart` (issue 12): a line's year and its forecast bridge as PNG or SVG. The
tests check the data the drawing is handed and read back from the figure, not pixels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

Y = ("--year", "2024")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def year(tree: None, ok: Any) -> None:
    """A budget moved in April, two revisions with reasons, bookings in two months."""
    ok("budget", "set", "it-sak", "1 200 000", *Y, "--reason", "KF-beslut")
    ok("budget", "set", "it-drift", "800 000", *Y, "--reason", "KF-beslut")
    ok("budget", "transfer", "it-drift", "it-sak", "100 000", *Y, "--effective", "2024-04",
       "--reason", "Ny tjänst")
    ok("forecast", "set", "it-sak", "1 350 000", *Y, "--as-of", "2024-03",
       "--reason", "Fler licenser <b>&</b>")
    ok("forecast", "set", "it-drift", "650 000", *Y, "--as-of", "2024-06", "--reason", "Lägre")
    ok("actual", "book", "it-sak", "300 000", "--period", "2024-02")
    ok("actual", "book", "it-drift", "-50 000", "--period", "2024-05")


def texts(lang: str = "sv") -> Any:
    from prognos.cli.texts import texts as make

    return make(lang)


def chart_of(cli: Any, code: str) -> Any:
    from prognos.cli.files.charts import forecast_chart
    from prognos.projections.reports.series import series
    from prognos.projections.store import open_reader

    store = open_reader(str(cli.store_path))
    try:
        return forecast_chart(series(store, code, 2024), texts())
    finally:
        store.close()


def test_each_month_is_the_report_as_of_that_month(year: None, cli: Any) -> None:
    chart = chart_of(cli, "it")
    assert chart.months == list(range(1, 13))
    for month in range(1, 13):
        doc = cli.json("report", *Y, "--as-of", f"2024-{month:02d}")
        it = {line["code"]: line for line in doc["lines"]}["it"]
        assert chart.budget[month - 1] == Decimal(it["budget"]), month
        assert chart.forecast[month - 1] == Decimal(it["forecast"]), month
    # The transfer stays within `it`; it-sak's budget steps up in April.
    assert chart_of(cli, "it-sak").budget[2:4] == [Decimal(1_200_000), Decimal(1_300_000)]
    # The actual to date, drawn up to the last month anything was booked in.
    assert chart.actual_months == [1, 2, 3, 4, 5]
    may = cli.json("report", *Y, "--as-of", "2024-05")
    assert chart.actual[-1] == Decimal(may["total"]["actual_ytd"]) == Decimal(250_000)
    assert chart.actual[0] == 0  # January: nothing booked yet, drawn at zero


def test_each_step_of_the_forecast_is_marked_with_its_reason(year: None, cli: Any) -> None:
    chart = chart_of(cli, "it")
    steps = cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-12")["steps"]
    assert [(m, after) for m, after, _ in chart.marks] == [
        (int(s["month"][5:]), Decimal(s["after"])) for s in steps]
    assert any("Fler licenser <b>&</b>" in text for _, _, text in chart.marks)


def test_the_figure_draws_what_it_was_handed(year: None, cli: Any) -> None:
    from prognos.cli.files.charts import draw_forecast

    chart = chart_of(cli, "it")
    figure, hover = draw_forecast(chart, texts())
    axes = figure.axes[0]
    budget, forecast, actual = axes.lines[:3]
    assert list(budget.get_xdata()) == chart.months
    assert [Decimal(str(y)) * 1000 for y in budget.get_ydata()] == chart.budget  # in tkr
    assert [Decimal(str(y)) * 1000 for y in forecast.get_ydata()] == chart.forecast
    assert list(actual.get_xdata()) == chart.actual_months
    assert budget.get_drawstyle() == "steps-post"  # a step where the budget changed
    assert len(hover) == len(chart.marks)
    assert [t.get_text() for t in axes.get_xticklabels()][:3] == ["jan", "feb", "mar"]


def test_an_svg_says_each_reason_on_hover_and_a_png_is_a_png(
    year: None, ok: Any, tmp_path: Path
) -> None:
    svg = tmp_path / "it.svg"
    assert str(svg) in ok("chart", "it", *Y, "-o", str(svg)).stdout
    root = ET.parse(svg).getroot()
    titles = [e.text or "" for e in root.iter(f"{SVG}title")]
    assert any("Fler licenser <b>&</b>" in title for title in titles)  # escaped, then read
    assert any("Lägre" in title for title in titles)
    assert "http" not in svg.read_text().replace("http://www.w3.org", "")
    png = tmp_path / "it.png"
    ok("chart", "it", *Y, "-o", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_waterfall_bars_sum_exactly_to_the_change(year: None, cli: Any, ok: Any,
                                                      tmp_path: Path) -> None:
    from prognos.cli.files.charts import draw_waterfall, waterfall
    from prognos.events.period import YearMonth
    from prognos.projections.reports.bridge import bridge
    from prognos.projections.store import open_reader

    store = open_reader(str(cli.store_path))
    try:
        found = bridge(store, "it", 2024, YearMonth(2024, 1), YearMonth(2024, 12))
    finally:
        store.close()
    chart = waterfall(found, texts())
    doc = cli.json("why", "it", *Y, "--from", "2024-01", "--to", "2024-12")
    assert chart.adds_up
    assert chart.start[1] == Decimal(doc["from"]["forecast"])
    assert chart.end[1] == Decimal(doc["to"]["forecast"])
    assert [delta for _, delta, _ in chart.steps] == [Decimal(s["delta"]) for s in doc["steps"]]
    assert sum(delta for _, delta, _ in chart.steps) == Decimal(doc["change"])
    assert any("Lägre" in label for label, _, _ in chart.steps)  # labelled with its reason
    figure, hover = draw_waterfall(chart, texts())
    bars = figure.axes[0].patches
    assert len(bars) == len(chart.steps) + 2
    widths = [Decimal(str(b.get_width())) * 1000 for b in bars[1:-1]]  # tkr
    assert widths == [abs(delta) for _, delta, _ in chart.steps]
    out = tmp_path / "bridge.svg"
    ok("chart", "it", *Y, "--bridge", "--from", "2024-01", "--to", "2024-12", "-o", str(out))
    titles = [e.text or "" for e in ET.parse(out).getroot().iter(f"{SVG}title")]
    assert sum("Lägre" in title for title in titles) == 1


def test_english_on_request(year: None, cli: Any) -> None:
    from prognos.cli.files.charts import draw_forecast, forecast_chart
    from prognos.projections.reports.series import series
    from prognos.projections.store import open_reader

    store = open_reader(str(cli.store_path))
    try:
        chart = forecast_chart(series(store, "it", 2024), texts("en"))
    finally:
        store.close()
    figure, _ = draw_forecast(chart, texts("en"))
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["Budget", "Full-year forecast"]
    assert chart.title.startswith("Full-year forecast 2024")


def test_the_default_file_is_named_after_the_line(year: None, ok: Any, tmp_path: Path,
                                                  monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    ok("chart", "it", *Y)
    ok("chart", "it", *Y, "--bridge", "--from", "2024-01", "--to", "2024-06")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["it-2024-bridge.svg", "it-2024.svg"]


@pytest.mark.parametrize("args, names", [
    (("--bridge",), "--from"),
    (("--bridge", "--from", "2024-01"), "--to"),
    (("--from", "2024-01", "--to", "2024-02"), "--bridge"),
    (("-o", "it.pdf"), "it.pdf"),
    (("--bridge", "--from", "2024-13", "--to", "2024-12"), "2024-13"),
])
def test_what_cannot_be_drawn_is_a_usage_error(year: None, usage_error: Any, tmp_path: Path,
                                               args: tuple[str, ...], names: str) -> None:
    usage_error("chart", "it", *Y, *args, names=names)
    assert list(tmp_path.glob("*.pdf")) == []


def test_an_unknown_line_is_refused(year: None, refused: Any) -> None:
    refused("chart", "nope", *Y, names="nope")

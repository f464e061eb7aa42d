"""A line's year as charts (matplotlib, Agg: no screen; imported only by the commands that
draw): the full-year forecast month by month against the budget in effect (a step where
it changed) and the actual to date, each step of the forecast marked; and the forecast
bridge as a waterfall, one bar per step, from the first forecast to the last.

What is plotted is computed first, exactly (`ForecastChart`, `Waterfall`: Decimal kronor),
so a test reads the data the drawing was handed; the drawing turns it into floats in
the chart's unit. In SVG every mark and bar carries a `<title>`: its reason on hover.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from prognos.domain.money import UNIT_SCALE

if TYPE_CHECKING:
    from prognos.cli.texts import Texts
    from prognos.projections.reports.bridge import Bridge
    from prognos.projections.reports.series import Series

LABEL = 60  # characters of a reason shown beside a bar (the whole reason on hover)


@dataclass
class ForecastChart:
    title: str
    unit: str
    months: list[int]  # 1..12
    budget: list[Decimal]
    forecast: list[Decimal]
    actual_months: list[int]  # January up to the last month anything was booked
    actual: list[Decimal]
    marks: list[tuple[int, Decimal, str]] = field(default_factory=list)  # month, after, why


@dataclass
class Waterfall:
    title: str
    unit: str
    start: tuple[str, Decimal]  # the first forecast
    steps: list[tuple[str, Decimal, str]]  # label, delta, hover text
    end: tuple[str, Decimal]  # the last forecast: start + every delta, exactly

    @property
    def adds_up(self) -> bool:
        return self.start[1] + sum(delta for _, delta, _ in self.steps) == self.end[1]


def unit_for(values: list[Decimal]) -> str:
    """mkr from ten million, tkr from ten thousand, else kr: axis labels stay short."""
    top = max((abs(v) for v in values), default=Decimal(0))
    return "mkr" if top >= 10_000_000 else "tkr" if top >= 10_000 else "kr"


def forecast_chart(s: Series, t: Texts) -> ForecastChart:
    last = s.last_booked
    booked = [m for m in s.months if last is not None and m.month <= last]
    marks = []
    if s.bridge is not None:
        for step in s.bridge.steps:
            marks.append((step.month.month, step.after, step_text(step, t)))
    values = [m.budget for m in s.months] + [m.forecast for m in s.months]
    return ForecastChart(
        title=t("chart.title", name=s.name, code=s.code, year=s.year),
        unit=unit_for(values),
        months=[m.month.month for m in s.months],
        budget=[m.budget for m in s.months],
        forecast=[m.forecast for m in s.months],
        actual_months=[m.month.month for m in booked],
        actual=[m.actual_ytd or Decimal(0) for m in booked],
        marks=marks,
    )


def waterfall(b: Bridge, t: Texts) -> Waterfall:
    steps = [(_short(f"{step.month} {step.line}: {step.reason or t.kind(step.kind)}"),
              step.delta, step_text(step, t)) for step in b.steps]
    values = [b.from_forecast, b.to_forecast, *(s.before for s in b.steps)]
    return Waterfall(
        title=t("chart.bridge.title", code=b.code, year=b.year, from_month=b.from_month,
                to_month=b.to_month),
        unit=unit_for(values),
        start=(t("chart.bridge.from", month=b.from_month), b.from_forecast),
        steps=steps,
        end=(t("chart.bridge.to", month=b.to_month), b.to_forecast),
    )


def step_text(step: Any, t: Texts) -> str:
    """What a mark or bar says on hover: when, what, how much, who and why."""
    said = (f"{step.month} · {t.kind(step.kind)} · {step.line} · "
            f"{t.amount(step.delta, 'kr')} kr → {t.amount(step.after, 'kr')} kr · {step.user}")
    return f"{said}\n{step.reason}" if step.reason else said


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


MONTHS = {"sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov",
                 "dec"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")}


def draw_forecast(chart: ForecastChart, t: Texts) -> tuple[Any, dict[str, str]]:
    """The figure, and the hover text of each mark by its SVG id."""
    figure, axes = _figure(10, 5.2)
    scale = UNIT_SCALE[chart.unit]
    shown = _floats(scale)
    axes.plot(chart.months, shown(chart.budget), drawstyle="steps-post", color="#555555",
              linewidth=2, label=t("chart.budget"))
    axes.plot(chart.months, shown(chart.forecast), color="#1f5fa8", linewidth=2.2,
              marker="o", markersize=3, label=t("chart.forecast"))
    if chart.actual:
        axes.plot(chart.actual_months, shown(chart.actual), color="#2e7d32", linewidth=2,
                  linestyle="--", label=t("chart.actual"))
    hover: dict[str, str] = {}
    for i, (month, after, text) in enumerate(chart.marks):
        gid = f"mark-{i}"
        axes.plot([month], shown([after]), marker="D", markersize=8, color="#c62828",
                  linestyle="none", gid=gid, label=t("chart.step") if i == 0 else None)
        hover[gid] = text
    axes.set_xticks(chart.months, [MONTHS[t.lang][m - 1] for m in chart.months])
    axes.set_xlim(0.7, 12.3)
    _money_axis(axes.yaxis, chart.unit, t)
    axes.set_title(chart.title, loc="left", fontsize=12)
    axes.legend(loc="best", frameon=False, fontsize=9)
    return figure, hover


def draw_waterfall(chart: Waterfall, t: Texts) -> tuple[Any, dict[str, str]]:
    """The figure, and the hover text of each bar by its SVG id: one row per step from the
    first forecast (top) to the last, rising green and falling red, each labelled with
    its reason and its amount. The axis spans the forecasts, not zero: the steps are
    small beside the whole."""
    count = len(chart.steps) + 2
    figure, axes = _figure(11, min(2.2 + 0.34 * count, 60))
    scale = UNIT_SCALE[chart.unit]
    running = [chart.start[1]]
    for _, delta, _ in chart.steps:
        running.append(running[-1] + delta)
    low, high = min(running), max(running)
    pad = (high - low) * Decimal("0.15") or abs(high) * Decimal("0.01") or Decimal(1)
    floor = low - pad
    hover: dict[str, str] = {}
    labels = [chart.start[0]]
    axes.barh(0, float((chart.start[1] - floor) / scale), left=float(floor / scale),
              color="#1f5fa8", gid="bar-start")
    for i, (label, delta, text) in enumerate(chart.steps, start=1):
        left = running[i - 1] if delta >= 0 else running[i]
        axes.barh(i, float(abs(delta) / scale), left=float(left / scale),
                  color="#2e7d32" if delta >= 0 else "#c62828", gid=f"bar-{i}")
        axes.annotate(t.amount(delta, chart.unit, 1 if chart.unit != "kr" else 0),  # type: ignore[arg-type]
                      (float(max(running[i - 1], running[i]) / scale), i),
                      xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
        hover[f"bar-{i}"] = text
        labels.append(label)
    axes.barh(count - 1, float((chart.end[1] - floor) / scale), left=float(floor / scale),
              color="#1f5fa8", gid="bar-end")
    labels.append(chart.end[0])
    axes.set_yticks(range(count), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(float(floor / scale), float((high + pad) / scale))
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    _money_axis(axes.xaxis, chart.unit, t)
    axes.set_title(chart.title, loc="left", fontsize=12)
    return figure, hover


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _floats(scale: Decimal) -> Any:
    return lambda values: [float(v / scale) for v in values]


def _money_axis(axis: Any, unit: str, t: Texts) -> None:
    """An axis of amounts in Swedish notation, its unit named."""
    from matplotlib.ticker import FuncFormatter

    decimals = 1 if unit == "mkr" else 0
    axis.set_major_formatter(FuncFormatter(
        lambda y, _: t.amount(Decimal(str(float(y))) * UNIT_SCALE[unit], unit, decimals)))  # type: ignore[arg-type]
    axis.set_label_text(unit)


def save(figure: Any, hover: dict[str, str], path: str, fmt: str) -> None:
    """A PNG, or an SVG whose marks say their reason on hover."""
    if fmt == "svg":
        with open(path, "w", encoding="utf-8") as out:
            out.write(svg(figure, hover, standalone=True))
    else:
        figure.savefig(path, format="png", dpi=120)


def svg(figure: Any, hover: dict[str, str], standalone: bool = False) -> str:
    """The figure as SVG, each id'd mark given its `<title>`; inline (no XML prologue) unless
    `standalone`. Text is drawn as paths: no font is needed where it is shown."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "prognos"}):
        figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    for gid, said in hover.items():
        text = text.replace(f'<g id="{gid}">',
                            f'<g id="{gid}"><title>{escape(said)}</title>', 1)
    if not standalone:
        text = text[text.index("<svg"):]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)

"""The forecast chart: observed counts, the median and the 80 % band, with axes and a legend."""

import re
from datetime import timedelta

from django.utils import translation

from refuge.forecast import charts, curves, flow
from refuge.lib.charts import BAND, CROSSED, FORECAST


def drawn(hours: int = 80, language: str = "en") -> str:
    curve = curves.shaped_2023()
    seen = [r for r in curve.reports if r.at <= curve.start + timedelta(hours=hours)]
    with translation.override(language):
        return str(charts.chart(charts.series(flow.forecast(seen, curve.expected), seen)))


def test_it_draws_what_was_seen_the_median_and_the_band():
    svg = drawn()
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert f'stroke="{CROSSED}"' in svg
    assert f'stroke="{FORECAST}"' in svg
    band = re.search(r'<polygon points="([^"]+)" fill="' + BAND, svg)
    assert band and len(band.group(1).split()) == 2 * 49
    observed = re.search(r'<polyline points="([^"]+)" fill="none" stroke="'
                         + CROSSED, svg)
    assert len(observed.group(1).split()) >= 48  # two days of hourly reports


def test_it_has_axes_a_legend_a_title_and_the_expected_total():
    svg = drawn()
    assert 'role="img"' in svg and "<title>Arrivals: " in svg
    for label in ("crossed", "forecast", "80 % interval", "now", "expected 120,000"):
        assert f">{label}" in svg, label
    assert ">0</text>" in svg  # the y axis starts at nought
    assert re.search(r">\d{1,2} Sep</text>", svg)  # days under the x axis


def test_the_band_lies_above_the_median_line_where_the_forecast_is_unsure():
    svg = drawn()
    band = re.search(r'<polygon points="([^"]+)"', svg).group(1).split()
    upper, lower = band[:49], band[49:][::-1]
    last_upper, last_lower = float(upper[-1].split(",")[1]), float(lower[-1].split(",")[1])
    assert last_upper < last_lower  # SVG y grows downwards: p90 is drawn higher


def test_it_is_translated():
    svg = drawn(language="ru")
    assert ">crossed<" not in svg and ">80 % interval<" not in svg
    assert re.search(r">\d{1,2} [А-Яа-я]{3,}\.?</text>", svg)


def test_the_chart_draws_without_an_expected_range_or_reports_before_its_window():
    curve = curves.shaped_2023()
    seen = curve.reports[:10]
    forecast = flow.forecast(seen, curve.expected)
    forecast.expected = None
    svg = str(charts.chart(charts.series(forecast, seen)))
    assert "expected" not in svg and "<polygon" in svg

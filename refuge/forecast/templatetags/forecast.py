"""The forecast's part of the dashboard: {% load forecast %}."""

from django import template
from django.utils.html import format_html

from refuge.forecast import charts, situation

register = template.Library()


@register.simple_tag
def forecast_shown(figures: dict) -> dict:
    """The section's figures as shown, in the page's language."""
    return situation.shown(figures)


@register.simple_tag
def forecast_chart(figures: dict):
    """The chart twice: wide beside its table, and narrow for a phone, where the wide one
    would shrink its text to nothing (CSS shows one)."""
    return format_html('<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>',
                       charts.chart(figures["chart"], width=640, height=280),
                       charts.chart(figures["chart"], width=360, height=260))

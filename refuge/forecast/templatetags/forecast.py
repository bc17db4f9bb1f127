"""The forecast's part of the dashboard: {% load forecast %}."""

from django import template

from refuge.forecast import charts, situation

register = template.Library()


@register.simple_tag
def forecast_shown(figures: dict) -> dict:
    """The section's figures as shown, in the page's language."""
    return situation.shown(figures)


@register.simple_tag
def forecast_chart(figures: dict):
    return charts.chart(figures["chart"])

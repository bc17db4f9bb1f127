"""Filters every template has without {% load %} (TEMPLATES' "builtins")."""

from django import template

from refuge.lib import provinces

register = template.Library()


@register.filter
def province(value: str) -> str:
    """A province in the page's language: {{ site.province|province }} shows Սյունիք."""
    return provinces.shown(value or "")

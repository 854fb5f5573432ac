"""Outputs that static/js/live-totals.js updates as people type: the server renders the value
it computed, inside an element the script knows by its data- attribute.

    {% load live_totals %}
    {% live_total "income" budget.income as income %}
    {% blocktranslate with amount=income %}¥{{ amount }}{% endblocktranslate %}
"""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def live_total(name: str, amount) -> SafeString:
    """`<span data-total="name">1,234</span>`: a total in yen (without the ¥)."""
    return format_html('<span data-total="{}">{}</span>', name, intcomma(amount))


@register.simple_tag
def live_param(name: str, value) -> SafeString:
    """`<span data-param="rate">1/2</span>`: the rate or cap of the chosen option (a cap as
    1,234)."""
    shown = intcomma(value) if isinstance(value, int) else value
    return format_html('<span data-param="{}">{}</span>', name, shown)

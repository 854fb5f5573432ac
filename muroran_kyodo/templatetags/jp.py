"""Japanese dates in templates: `{% load jp %}`, then `{{ day|wareki }}` (令和8年12月5日) or
`{{ day|wareki_both }}` (令和8年12月5日（2026年12月5日）). Aware datetimes are read in
Asia/Tokyo (muroran_kyodo/lib/jp.py); an empty value, or a date before 明治, prints as given
rather than failing the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from muroran_kyodo.lib import jp

register = template.Library()


def _dated(function, value: Any) -> str:
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    try:
        return function(value)
    except ValueError:
        return value.isoformat()


@register.filter
def wareki(value: Any) -> str:
    """令和8年12月5日; 令和元年5月1日 for the first year of an era."""
    return _dated(jp.wareki_date, value)


@register.filter
def wareki_both(value: Any) -> str:
    """令和8年12月5日（2026年12月5日）."""
    return _dated(jp.wareki_with_western, value)

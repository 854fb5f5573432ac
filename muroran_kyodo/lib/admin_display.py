"""Short changelist columns, so that a list fits a 1280 px screen beside the admin's menu and
filters, with its status on screen (static/css/admin.css keeps short columns on one line).

    list_display = [
        "number",
        "status",                                   # where the record stands: early
        short_text("title", _("title")),            # 18 characters, the full text on hover
        short_text("programme", _("programme"), getter=lambda o: o.programme.title),
        yen("requested_amount", _("requested")),    # ¥120,000
    ]

A shortened value keeps its full text in the cell's `title` attribute (no inline style).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

SHORT = 18


def clipped(text: Any, length: int = SHORT) -> str:
    """`text` as is when short, else its first characters and "…" (plain text)."""
    text = "" if text is None else str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def shorten(text: Any, length: int = SHORT) -> str | SafeString:
    """`text` as is when short, else its first characters and "…" with the whole in `title`."""
    text = "" if text is None else str(text)
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}</span>', text, clipped(text, length))


def short_text(
    field: str,
    description: Any,
    *,
    length: int = SHORT,
    getter: Callable[[Any], Any] | None = None,
    ordering: str | None = None,
) -> Callable[[Any], str | SafeString]:
    """A changelist column showing `field` (or `getter(obj)`) shortened to `length`."""

    def column(obj: Any) -> str | SafeString:
        return shorten(getter(obj) if getter else getattr(obj, field), length)

    column.__name__ = f"short_{field}"
    return admin.display(description=description, ordering=ordering or field)(column)


def yen(field: str, description: Any) -> Callable[[Any], str]:
    """A changelist column of an amount in whole yen: ¥120,000 (— when empty)."""

    def column(obj: Any) -> str:
        amount = getattr(obj, field)
        return "—" if amount is None else f"¥{amount:,}"

    column.__name__ = f"yen_{field}"
    return admin.display(description=description, ordering=field)(column)


def short_date(field: str, description: Any) -> Callable[[Any], str]:
    """A changelist column of a date or a moment as 2026-12-05 (local date; — when empty)."""

    def column(obj: Any) -> str:
        value = getattr(obj, field)
        if value is None:
            return "—"
        if isinstance(value, dt.datetime):
            value = timezone.localdate(value)
        return value.isoformat()

    column.__name__ = f"date_{field}"
    return admin.display(description=description, ordering=field)(column)

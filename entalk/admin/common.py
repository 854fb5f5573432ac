"""What the enとーく admin modules share: the read-only inline, the time formats and a link
to an admin page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from muroran_kyodo.lib.admin_inlines import ReadOnlyInline  # noqa: F401 (re-exported)


def local(moment: dt.datetime | None) -> str:
    """2026/07/20 14:00 in Japan time; — when empty."""
    return "—" if moment is None else f"{timezone.localtime(moment):%Y/%m/%d %H:%M}"


def admin_link(model: str, pk: int, text: str):
    """A link to the change page of an enとーく record."""
    return format_html(
        '<a href="{}">{}</a>', reverse(f"admin:entalk_{model}_change", args=[pk]), text
    )

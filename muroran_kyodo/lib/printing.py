"""Printable documents: 受付票 (a receipt slip for anything a person submits), notices
(交付決定, 変更承認, …) and certificates, all on `templates/print/base.html` with
`static/css/print.css`.

An app builds a `Receipt` from its record (`partners/receipts.py`, `subsidies/receipts.py`)
and renders `print/receipt.html`; a notice extends `print/base.html` and fills its blocks.
The admin links each record to its documents with `PrintablesAdminMixin`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .jp import fiscal_year

DEFAULT_ISSUER = "室蘭市 地域生活課"


def issuer() -> str:
    """Who issues the portal's documents: the setting `PRINT_ISSUER`, else 室蘭市 地域生活課."""
    return getattr(settings, "PRINT_ISSUER", "") or DEFAULT_ISSUER


def derived_number(prefix: str, at: dt.datetime | dt.date, pk: int) -> str:
    """A receipt number for a record that has none of its own: 'PU-2026-00042' (prefix, the
    年度 it was received in, its id). Stable for ever, unique per kind; unlike the registration
    and application numbers it is not gap-free, as the ids are shared by every year."""
    return f"{prefix}-{fiscal_year(at)}-{pk:05d}"


@dataclass(frozen=True)
class Line:
    """One row of what was received: a label and the value as the person gave it."""

    label: str
    value: Any


@dataclass(frozen=True)
class Receipt:
    """A 受付票: what the city received, from whom, when and how. No status: a receipt says
    what arrived, not what became of it."""

    subject: str  # what kind of submission, e.g. "Partner registration"
    number: str
    received_at: dt.datetime
    channel: str  # the Channel's label: Web, Paper, …
    submitted_by: str
    lines: list[Line]
    attachments: list[str] = field(default_factory=list)
    back_url: str = ""
    back_label: str = ""
    addressee: str = ""  # the organisation or partner it was received from


def render_receipt(
    request: HttpRequest,
    receipt: Receipt,
    *,
    template: str = "print/receipt.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The 受付票 page (templates/print/receipt.html on print/base.html). An app may extend
    print/receipt.html in its own `template` (another issuer or contact, a note on what
    happens next) with its `context`."""
    return render(
        request,
        template,
        {
            **(context or {}),
            "receipt": receipt,
            "document_title": _("Receipt slip"),
            "document_number": receipt.number,
            "number_label": _("Receipt number"),
            "document_date": receipt.received_at,
            "back_url": receipt.back_url,
            "back_label": receipt.back_label,
        },
    )


class PrintablesAdminMixin:
    """Links on an admin change form (object tools) to the record's printable documents.
    Define `printables(request, obj) -> list[(label, url)]`."""

    change_form_template = "admin/change_form_printables.html"

    def printables(self, request: HttpRequest, obj: Any) -> list[tuple[str, str]]:
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # type: ignore[no-untyped-def]
        if obj is not None:
            context["printables"] = self.printables(request, obj)
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

"""The mayor's diary for staff: the times the mayor is unavailable (`Block`, entered through
`services.block_create`, refused over a confirmed session), and the month view of requests
and sessions (a calendar table: the preferred dates of requests waiting for an answer, the
dates proposed to groups, the confirmed sessions and the blocks), in four queries whatever
the month holds."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import ServiceRefusalsOnTheFormMixin

from .. import services
from ..models import Block, Request, Slot
from .common import local

S = Request.Status


class BlockForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ["starts_at", "ends_at", "kind", "note"]


@admin.register(Block)
class BlockAdmin(ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
    """A block is entered through the service (the diary's lock, refused over a confirmed
    session); a change replaces it the same way, inside one transaction."""

    form = BlockForm
    list_display = ["starts", "ends", "kind", "note", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["created_by"]
    date_hierarchy = "starts_at"
    search_fields = ["note"]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(description=_("from"), ordering="starts_at")
    def starts(self, obj):
        return local(obj.starts_at)

    @admin.display(description=_("until"), ordering="ends_at")
    def ends(self, obj):
        return local(obj.ends_at)

    def get_fields(self, request, obj=None):
        fields = ["starts_at", "ends_at", "kind", "note"]
        return fields if obj is None else [*fields, "created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if change:
                    # The block's own time is freed, then taken again under the diary's lock.
                    Block.objects.filter(pk=obj.pk).delete()
                block = services.block_create(
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    kind=data["kind"],
                    note=data.get("note") or "",
                    by=request.user,
                )
        except ValidationError as error:
            self.refused(error)
        obj.pk = block.pk
        obj.created_by = block.created_by
        obj.created_at = block.created_at
        obj._state.adding = False


# --- the month view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str  # "requested", "proposed", "confirmed", "block"
    at: dt.datetime
    label: str
    url: str = ""


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """The first day of ?month=YYYY-MM within ten years of today; the current month for
    anything else (the diary has nothing further, and far years overflow the calendar)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if abs(year - today.year) <= 10:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def month_weeks(first: dt.date) -> list[list[dt.date]]:
    """The weeks (Monday to Sunday) that show the month of `first`."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_entries(start: dt.date, end: dt.date) -> dict[dt.date, list[Entry]]:
    """What the diary holds from `start` to `end` (exclusive), by day. Four queries."""
    since, until = _aware(start), _aware(end)
    by_day: dict[dt.date, list[Entry]] = {}

    def add(day: dt.date, entry: Entry) -> None:
        by_day.setdefault(day, []).append(entry)

    def request_url(pk: int) -> str:
        return reverse("admin:entalk_request_change", args=[pk])

    slots = (
        Slot.objects.filter(request__status=S.REQUESTED, starts_at__gte=since, starts_at__lt=until)
        .select_related("request")
        .only("starts_at", "position", "request__number", "request__group_name")
    )
    for slot in slots:
        request = slot.request
        add(
            timezone.localdate(slot.starts_at),
            Entry(
                "requested",
                slot.starts_at,
                f"{request.number} {request.group_name} ({slot.position})",
                request_url(slot.request_id),
            ),
        )
    scheduled = Request.objects.filter(
        status__in=[S.PROPOSED, *Request.HELD_STATES], starts_at__gte=since, starts_at__lt=until
    ).only("number", "group_name", "status", "starts_at")
    for request in scheduled:
        kind = "proposed" if request.status == S.PROPOSED else "confirmed"
        add(
            timezone.localdate(request.starts_at),
            Entry(
                kind,
                request.starts_at,
                f"{request.number} {request.group_name}",
                request_url(request.pk),
            ),
        )
    blocks = Block.objects.filter(starts_at__lt=until, ends_at__gt=since)
    for block in blocks:
        day = max(timezone.localdate(block.starts_at), start)
        last = timezone.localdate(block.ends_at - dt.timedelta(microseconds=1))
        while day <= last and day < end:
            add(
                day,
                Entry(
                    "block",
                    max(block.starts_at, _aware(day)),
                    f"{block.get_kind_display()} {block.note}".strip(),
                    reverse("admin:entalk_block_change", args=[block.pk]),
                ),
            )
            day += dt.timedelta(days=1)
    for entries in by_day.values():
        entries.sort(key=lambda entry: entry.at)
    return by_day


KIND_LABELS = {
    "requested": _("Preferred (希望)"),
    "proposed": _("Proposed"),
    "confirmed": _("Confirmed"),
    "block": _("Unavailable"),
}


def month_view(modeladmin, request):
    first = parse_month(request.GET.get("month"), timezone.localdate())
    weeks = month_weeks(first)
    start, end = weeks[0][0], weeks[-1][-1] + dt.timedelta(days=1)
    entries = month_entries(start, end)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    url = reverse("admin:entalk_request_month")
    rows = [
        [
            {
                "day": day,
                "in_month": day.month == first.month,
                "entries": [
                    {
                        "kind": entry.kind,
                        "kind_label": KIND_LABELS[entry.kind],
                        "time": f"{timezone.localtime(entry.at):%H:%M}",
                        "label": entry.label,
                        "url": entry.url,
                    }
                    for entry in entries.get(day, [])
                ],
            }
            for day in week
        ]
        for week in weeks
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Month view: %(month)s") % {"month": f"{first:%Y-%m}"},
        "opts": modeladmin.model._meta,
        "month": first,
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "rows": rows,
        "previous_url": f"{url}?month={previous:%Y-%m}",
        "next_url": f"{url}?month={following:%Y-%m}",
        "previous": previous,
        "next": following,
    }
    return TemplateResponse(request, "admin/entalk/request/month.html", context)

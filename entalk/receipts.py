"""受付票 of an enとーく request (EN-2026-00012), as muroran_kyodo/lib/printing.py's pattern:
the request turned into a `Receipt`; views/group.py looks it up and checks who may see it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.models import Channel
from muroran_kyodo.lib.printing import Line, Receipt

from .models import Request


def _yes_no_unknown(value: bool | None) -> str:
    if value is None:
        return _("Don't know")
    return _("Yes") if value else _("No")


def request_receipt(request: Request) -> Receipt:
    """Needs `venue_district`, `themes` and `slots` loaded (or a query each)."""
    lines = [
        Line(_("Group"), request.group_name),
        Line(_("Contact person"), request.contact_name),
        Line(_("E-mail"), request.email),
        Line(_("Phone"), request.phone),
        Line(_("Theme categories"), "、".join(str(theme) for theme in request.themes.all()) or "—"),
        Line(_("What you want to talk about with the mayor"), request.theme),
    ]
    for slot in request.slots.all():
        lines.append(
            Line(
                _("Preference %(n)s") % {"n": slot.position},
                f"{timezone.localtime(slot.starts_at):%Y/%m/%d %H:%M}",
            )
        )
    lines += [
        Line(_("Venue"), request.venue_name),
        Line(
            _("Address of the venue"),
            f"〒{request.venue_postal_code} {request.venue_address}（{request.venue_district}）",
        ),
        Line(_("Can the venue be reached without steps?"), _yes_no_unknown(request.step_free)),
        Line(_("Expected participants"), request.participants_expected),
        Line(
            _("The group may be named in public"),
            _("Yes") if request.public_naming else _("No"),
        ),
    ]
    if request.note:
        lines.append(Line(_("Anything else"), request.note))
    return Receipt(
        subject=_("Request for an en-talk session with the mayor"),
        number=request.number,
        received_at=request.received_at,
        channel=str(Channel(request.channel).label),
        submitted_by=request.contact_name,
        addressee=request.group_name,
        lines=lines,
        back_url=reverse("entalk:request_detail", args=[request.pk]),
        back_label=_("Back to the request"),
    )

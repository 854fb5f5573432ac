"""受付票 of what partners submit: the registration, activity reports and the three kinds of
request (muroran_kyodo/lib/printing.py's pattern). Each function turns one record into a
`Receipt`; the views (views/receipts.py) look the record up and check who may see it.

Registrations have their own number (MP-2026-00001); reports and requests get one derived from
the 年度 and their id (`derived_number`): AR- for a report, PU-/SU-/EL- for the requests."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.models import Channel
from muroran_kyodo.lib.printing import Line, Receipt, derived_number

from .models import (
    ActivityReport,
    EquipmentLoan,
    PickupRequest,
    Registration,
    Signup,
    SupplyRequest,
)

PREFIXES = {PickupRequest: "PU", SupplyRequest: "SU", EquipmentLoan: "EL"}
REPORT_PREFIX = "AR"
SIGNUP_PREFIX = "SG"


def _who(created_by, fallback: str) -> str:
    name = created_by.get_full_name() if created_by else ""
    return name or fallback


def registration_receipt(registration: Registration) -> Receipt:
    """Needs places, activity_kinds prefetched (or two queries)."""
    places = [str(place) for place in registration.places.all()]
    kinds = [str(kind) for kind in registration.activity_kinds.all()]
    lines = [
        Line(_("Programme"), registration.get_programme_display()),
        Line(_("Registering as"), registration.get_kind_display()),
        Line(_("Name"), registration.display_name),
        Line(_("Number of people"), registration.member_count),
        Line(_("Person responsible"), registration.contact_name),
        Line(_("District"), str(registration.district)),
        Line(_("Activity places"), "\n".join(places)),
        Line(_("Activities"), "、".join(kinds)),
        Line(_("Usual frequency"), registration.get_frequency_display()),
        Line(_("Skills and wishes"), registration.skills),
    ]
    if registration.agreed_terms_at:
        lines.append(Line(_("Agreed to the terms"), _("Yes")))
    return Receipt(
        subject=_("Partner registration"),
        number=registration.number,
        received_at=registration.created_at,
        channel=Channel(registration.channel).label,
        submitted_by=_who(registration.created_by, registration.contact_name)
        if registration.channel == Channel.WEB
        else registration.contact_name,
        addressee=registration.display_name,
        lines=lines,
        back_url=registration.get_absolute_url(),
        back_label=_("Back to the registration"),
    )


def report_receipt(report: ActivityReport) -> Receipt:
    registration = report.registration
    place = str(report.place) if report.place else report.place_other
    return Receipt(
        subject=_("Activity report"),
        number=derived_number(REPORT_PREFIX, report.created_at, report.pk),
        received_at=report.created_at,
        channel=Channel(report.channel).label,
        submitted_by=_who(report.created_by, registration.display_name),
        addressee=f"{registration.display_name}（{registration.number}）",
        lines=[
            Line(_("Date of the activity"), report.activity_date.strftime("%Y-%m-%d")),
            Line(_("Place"), place),
            Line(_("Participants"), report.participants),
            Line(_("Bags of burnable rubbish"), report.burnable_bags),
            Line(_("Bags of non-burnable rubbish"), report.non_burnable_bags),
            Line(_("Notes"), report.notes),
        ],
        # The uploader's file name is never kept (it may carry personal information).
        attachments=[_("Photo")] if report.photo else [],
        back_url=reverse("partners:report_list", args=[registration.pk]),
        back_label=_("Back to the reports"),
    )


def request_receipt(request_obj, *, back_url: str) -> Receipt:
    """A pickup, supply or loan request; supply lines need `lines__item` prefetched."""
    registration = request_obj.registration
    model = type(request_obj)
    lines: list[Line] = []
    if isinstance(request_obj, PickupRequest):
        lines = [
            Line(_("District"), str(request_obj.district)),
            Line(_("Where the bags are"), request_obj.location),
            Line(_("Bags of burnable rubbish"), request_obj.burnable_bags),
            Line(_("Bags of non-burnable rubbish"), request_obj.non_burnable_bags),
            Line(
                _("Bags out from"),
                request_obj.available_from and _local(request_obj.available_from),
            ),
        ]
    elif isinstance(request_obj, SupplyRequest):
        lines = [
            Line(str(line.item), f"{line.quantity}{line.item.unit}")
            for line in request_obj.lines.all()
        ]
        lines.append(Line(_("Where to deliver or collect"), request_obj.delivery_note))
    elif isinstance(request_obj, EquipmentLoan):
        lines = [
            Line(_("Equipment"), str(request_obj.equipment)),
            Line(_("Lent from"), request_obj.lend_on.strftime("%Y-%m-%d")),
            Line(_("Return by"), request_obj.return_by.strftime("%Y-%m-%d")),
        ]
    lines.append(Line(_("Notes"), request_obj.notes))
    return Receipt(
        subject=str(model._meta.verbose_name),
        number=derived_number(PREFIXES[model], request_obj.created_at, request_obj.pk),
        received_at=request_obj.created_at,
        channel=Channel(request_obj.channel).label,
        submitted_by=_who(request_obj.created_by, registration.display_name),
        addressee=f"{registration.display_name}（{registration.number}）",
        lines=lines,
        back_url=back_url,
        back_label=_("Back to the requests"),
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def signup_receipt(signup: Signup) -> Receipt:
    """A sign-up for a shift (SG-…). Not its status: a receipt says what arrived."""
    registration = signup.registration
    shift = signup.shift
    opportunity = shift.opportunity
    starts = timezone.localtime(shift.starts_at)
    ends = timezone.localtime(shift.ends_at)
    return Receipt(
        subject=_("Shift sign-up"),
        number=derived_number(SIGNUP_PREFIX, signup.created_at, signup.pk),
        received_at=signup.created_at,
        channel=Channel(signup.channel).label,
        submitted_by=_who(signup.created_by, registration.display_name),
        addressee=f"{registration.display_name}（{registration.number}）",
        lines=[
            Line(_("Opportunity"), opportunity.title),
            Line(_("Date of the shift"), starts.strftime("%Y-%m-%d")),
            Line(_("Time"), f"{starts:%H:%M}〜{ends:%H:%M}"),
            Line(_("Place"), opportunity.place),
        ],
        back_url=reverse("partners:opportunity_detail", args=[opportunity.pk]),
        back_label=_("Back to the opportunity"),
    )

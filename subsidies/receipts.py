"""受付票 of what a group submits for a subsidy: the application, a change request (変更承認申請),
the completion report (実績報告) and a prior consultation (事前相談), after
muroran_kyodo/lib/printing.py's pattern. Each function turns one record into a `Receipt`;
views/printing.py looks it up and checks access.

The application has its receipt number (HS-2026-00001); the report's is the application's
with -R; a change request's and a consultation's are derived from the 年度 and the id
(CR-2026-00007, CN-2026-00003)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from muroran_kyodo.lib.models import Channel
from muroran_kyodo.lib.printing import Line, Receipt, derived_number

from .models import Application, AttachmentType, ChangeRequest, Consultation

CHANGE_PREFIX = "CR"
CONSULTATION_PREFIX = "CN"


def _yen(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}円"


def _period(application: Application) -> str:
    if application.starts_on and application.ends_on:
        return f"{application.starts_on:%Y-%m-%d} – {application.ends_on:%Y-%m-%d}"
    return ""


def _attachments(application: Application, stage: str) -> list[str]:
    """Needs `attachments__type` prefetched."""
    return [
        f"{attachment.type}：{attachment.original_name}"
        for attachment in application.attachments.all()
        if attachment.type.stage == stage
    ]


def change_number(change_request: ChangeRequest) -> str:
    return derived_number(CHANGE_PREFIX, change_request.requested_at, change_request.pk)


def application_receipt(application: Application) -> Receipt:
    return Receipt(
        subject=_("Subsidy application"),
        number=application.number,
        # Given with the number on the first submission; a record without it (keyed in
        # before the field existed) falls back to when it was created.
        received_at=application.submitted_at or application.created_at,
        channel=Channel(application.channel).label,
        submitted_by=application.applicant.get_full_name(),
        addressee=application.organization.name,
        lines=[
            Line(_("Programme"), application.programme.title),
            Line(_("Category"), application.category.name if application.category else ""),
            Line(_("Project title"), application.title),
            Line(_("Project period"), _period(application)),
            Line(_("Place"), application.place),
            Line(_("Amount requested"), _yen(application.requested_amount)),
        ],
        attachments=_attachments(application, AttachmentType.Stage.APPLICATION),
        back_url=application.get_absolute_url(),
        back_label=_("Back to the application"),
    )


def report_receipt(application: Application, *, back_url: str) -> Receipt:
    """The completion report; `expense_lines`, `income_lines` totals are read from the lines."""
    assert application.reported_at is not None
    return Receipt(
        subject=_("Completion report"),
        number=f"{application.number}-R",
        received_at=application.reported_at,
        channel=Channel(application.channel).label,
        submitted_by=application.applicant.get_full_name(),
        addressee=application.organization.name,
        lines=[
            Line(_("Receipt number of the application"), application.number),
            Line(_("Project title"), application.title),
            Line(_("What was done"), application.report_summary),
            Line(_("Participants"), application.report_participants),
            Line(_("Effects"), application.report_effects),
        ],
        attachments=_attachments(application, AttachmentType.Stage.REPORT),
        back_url=back_url,
        back_label=_("Back to the completion report"),
    )


def change_receipt(change_request: ChangeRequest, *, back_url: str) -> Receipt:
    application = change_request.application
    requested_by = change_request.requested_by
    return Receipt(
        subject=_("Change request"),
        number=change_number(change_request),
        received_at=change_request.requested_at,
        channel=Channel.WEB.label,
        submitted_by=requested_by.get_full_name() if requested_by else "",
        addressee=application.organization.name,
        lines=[
            Line(_("Receipt number of the application"), application.number),
            Line(_("Project title"), application.title),
            Line(_("What changes and why"), change_request.description),
            Line(
                _("New grant amount"),
                _yen(change_request.new_amount)
                if change_request.new_amount is not None
                else _("No change"),
            ),
        ],
        back_url=back_url,
        back_label=_("Back to the change requests"),
    )


def consultation_receipt(consultation: Consultation, *, back_url: str, back_label: str) -> Receipt:
    """A prior consultation (CN-…), booked by the group or recorded by staff; needs
    organization, programme and recorded_by loaded. Not whether it was held: a receipt says
    what arrived. It has no channel of its own (a booking on the portal, or staff keying in
    one held at the counter or by phone), so the slip says "—"."""
    recorded_by = consultation.recorded_by
    lines = [
        Line(_("Programme"), consultation.programme.title),
        Line(_("Date of the consultation"), consultation.held_on.strftime("%Y-%m-%d")),
        Line(_("What you would like to consult about"), consultation.topic),
    ]
    if consultation.consulted_with:
        lines.append(
            Line(
                capfirst(Consultation._meta.get_field("consulted_with").verbose_name),
                consultation.consulted_with,
            )
        )
    return Receipt(
        subject=_("Prior consultation"),
        number=derived_number(CONSULTATION_PREFIX, consultation.created_at, consultation.pk),
        received_at=consultation.created_at,
        channel="",
        submitted_by=recorded_by.get_full_name() if recorded_by else "",
        addressee=consultation.organization.name,
        lines=lines,
        back_url=back_url,
        back_label=back_label,
    )

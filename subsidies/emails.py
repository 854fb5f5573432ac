"""One function per e-mail the subsidy sends: to the person who applied, to a reviewer when
assigned, to the group and 地域生活課 about a 事前相談."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send, send_once
from organizations.models import Membership

from .models import Application, ChangeRequest, Consultation, Repayment, ReviewAssignment
from .permissions import STAFF_GROUPS


def _to(application: Application) -> list[str]:
    return [application.applicant.email]


def application_url(application: Application) -> str:
    """The full address of the group's application page, for the link in every e-mail."""
    return absolute_url(application.get_absolute_url())


def status_changed(application: Application, *, old: str, reason: str) -> None:
    status = application.status
    if old == Application.Status.DRAFT and status == Application.Status.WITHDRAWN:
        return  # the group discarded its own draft: nothing was ever received
    send(
        "subsidies_application_status_changed",
        _to(application),
        {
            "application": application,
            "old": Application.Status(old).label if old else "",
            "new": Application.Status(status).label,
            "reason": reason,
            # What the message adds to the change, decided here rather than by status strings
            # in the template.
            "show_receipt": status == Application.Status.SUBMITTED,
            "show_decision": status == Application.Status.ADOPTED,
            "show_confirmed": status == Application.Status.CONFIRMED,
            # 取消 / 中止・廃止承認: what must be paid back, and by when.
            "ended_early": status in Application.ENDED_EARLY,
            "repayment": (
                application.repayments.filter(kind=Repayment.Kind.CANCELLED).first()
                if status in Application.ENDED_EARLY
                else None
            ),
            "url": application_url(application),
        },
    )


def change_request_decided(change_request: ChangeRequest) -> None:
    send(
        "subsidies_change_request_decided",
        _to(change_request.application),
        {
            "change_request": change_request,
            "application": change_request.application,
            "result": ChangeRequest.Status(change_request.status).label,
            "url": application_url(change_request.application),
        },
    )


def report_reminder(application: Application, *, due_on: dt.date) -> bool:
    """The reminder before the 実績報告 is due, once per application and due date; True if it
    is sent now."""
    return send_once(
        f"subsidies.report_reminder:{application.pk}:{due_on.isoformat()}",
        "subsidies_report_reminder",
        _to(application),
        {
            "application": application,
            "due_on": due_on,
            "url": absolute_url(reverse("subsidies:report", args=[application.pk])),
        },
    )


# --- the committee -------------------------------------------------------------------------


def reviewer_assigned(assignment: ReviewAssignment) -> None:
    send(
        "subsidies_reviewer_assigned",
        [assignment.reviewer.email],
        {
            "assignment": assignment,
            "application": assignment.application,
            "url": absolute_url(reverse("subsidies:review_detail", args=[assignment.pk])),
            "list_url": absolute_url(reverse("subsidies:review_list")),
        },
    )


# --- 事前相談 --------------------------------------------------------------------------------


def _staff() -> list[str]:
    """地域生活課's clerks, who hold the consultations."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=STAFF_GROUPS)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _group(consultation: Consultation) -> list[str]:
    """The member who booked it; for one staff recorded, the group's 代表者 and 担当者."""
    booker = consultation.recorded_by
    members = Membership.objects.filter(organization=consultation.organization_id)
    if booker is not None and members.filter(user=booker).exists():
        return [booker.email]
    return list(
        members.managers()
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


def _consultation_context(consultation: Consultation) -> dict[str, object]:
    return {
        "consultation": consultation,
        "organization": consultation.organization,
        "programme": consultation.programme,
        "url": absolute_url(reverse("subsidies:application_list")),
    }


def consultation_booked(consultation: Consultation, *, by_staff: bool) -> None:
    """The group is told the booking is received (or that staff recorded one); when the group
    booked it, 地域生活課 is told too, with the link to the record in the admin."""
    context = _consultation_context(consultation)
    send(
        "subsidies_consultation_booked",
        _group(consultation),
        {**context, "by_staff": by_staff},
    )
    if not by_staff:
        send(
            "subsidies_consultation_booked_staff",
            _staff(),
            {
                **context,
                "admin_url": absolute_url(
                    reverse("admin:subsidies_consultation_change", args=[consultation.pk])
                ),
            },
        )


def consultation_held(consultation: Consultation) -> None:
    """The group is told the consultation is recorded as held: it now counts for a programme
    that requires one."""
    send("subsidies_consultation_held", _group(consultation), _consultation_context(consultation))

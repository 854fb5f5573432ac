"""One function per e-mail the subsidy sends; every one goes to the person who applied."""

from __future__ import annotations

from muroran_kyodo.lib.mail import absolute_url, send

from .models import Application, ChangeRequest, Repayment


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

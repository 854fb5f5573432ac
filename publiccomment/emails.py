"""One function per e-mail パブリックコメント sends: the copy of a submission to the address
given with it, and the news that a case's result is out (or that it was abandoned) to every
submitter who gave an address. No individual replies: the result page is the answer."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send, send_once

from .models import Case, Submission


def submission_received(submission: Submission) -> None:
    """A copy of what was sent, with the receipt number, to the address typed on the form or
    keyed in by staff."""
    if not submission.email:
        return
    send(
        "publiccomment_submission_received",
        [submission.email],
        {
            "submission": submission,
            "case": submission.case,
            "opinions": list(submission.opinions.select_related("section").order_by("position")),
            "url": absolute_url(submission.case.get_absolute_url()),
        },
    )


def case_status_changed(case: Case, *, old: str, reason: str) -> None:
    """Result published or case abandoned: every submitter with an e-mail address is told once
    (a key per submission and outcome, so a repeated call sends nothing twice)."""
    if case.status == Case.Status.RESULT_PUBLISHED:
        url = absolute_url(reverse("publiccomment:case_result", args=[case.pk]))
    elif case.status == Case.Status.ABANDONED:
        url = absolute_url(case.get_absolute_url())
    else:
        return
    submissions = (
        Submission.objects.filter(case=case)
        .exclude(email="")
        .only("pk", "number", "email", "case_id")
    )
    for submission in submissions:
        send_once(
            f"publiccomment.outcome:{submission.pk}:{case.status}",
            "publiccomment_case_outcome",
            [submission.email],
            {
                "case": case,
                "submission": submission,
                "abandoned": case.status == Case.Status.ABANDONED,
                "reason": reason,
                "url": url,
            },
        )
    Submission.objects.filter(case=case).exclude(email="").update(
        result_notified_at=case.status_changed_at
    )

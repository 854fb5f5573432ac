"""Sending an opinion (意見の提出): the public form, 入力 → 確認 → 完了 without JavaScript and
without an account, and its 受付票.

- `submit`: while the case is open, the form (signed-in people get their name and contact
  filled in); a case not open shows when it takes opinions instead, a draft or unknown case
  is 404. The confirmation step shows everything as typed; "Send" counts one attempt against
  the rate limit (only then, so a mistyped form costs nothing) and calls
  `services.submission_create`, whose refusals (closed meanwhile, …) come back on the form
  with everything kept. The form's key (`token`) makes a second POST of the same form (a
  double click, a reload) land on the first receipt.
- `submission_receipt`: the receipt page, printable; for the submitter (their account, or
  this browser's session for a submission made without one) and staff who may view
  submissions. Anyone else 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from muroran_kyodo.lib import pagecache, ratelimit
from muroran_kyodo.lib.confirm import STEP_INPUT, confirm_flow
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.printing import render_receipt

from .. import receipts, services
from ..forms import SubmissionForm
from ..models import Case, Opinion, Submission
from ..permissions import can_view_submission

# The submissions made in this browser session (without an account they are the only proof
# of who sent them): their receipts open for it, for an hour (long enough to print or save the
# receipt; not for the next person at a library's computer, where the session may last).
SESSION_KEY = pagecache.unread_by_public_pages("publiccomment.submissions")
SESSION_KEEPS = 20
SESSION_RECEIPT_SECONDS = 60 * 60

FORM_TEMPLATE = "publiccomment/submission_form.html"


def _remember(request: HttpRequest, submission: Submission) -> None:
    """{pk: when it was sent, in seconds}, the newest SESSION_KEEPS."""
    kept = {pk: at for pk, at in _remembered(request).items() if pk != str(submission.pk)}
    kept[str(submission.pk)] = int(timezone.now().timestamp())
    request.session[SESSION_KEY] = dict(list(kept.items())[-SESSION_KEEPS:])


def _remembered(request: HttpRequest) -> dict[str, int]:
    value = request.session.get(SESSION_KEY, {})
    return value if isinstance(value, dict) else {}


def _made_here(request: HttpRequest, submission: Submission) -> bool:
    sent_at = _remembered(request).get(str(submission.pk))
    if sent_at is None:
        return False
    return timezone.now().timestamp() - sent_at < SESSION_RECEIPT_SECONDS


def _same_form(submission: Submission, form: SubmissionForm, request: HttpRequest) -> bool:
    """A form key already used: the same form posted again (a double click, a reload) when it
    comes from the same person with the same details. Anything else is a key copied from
    another form, which must not open someone else's receipt."""
    if _made_here(request, submission) or can_view_submission(request.user, submission):
        return True
    data = form.cleaned_data
    return (
        submission.case_id == form.case.pk
        and submission.user_id == (request.user.pk if request.user.is_authenticated else None)
        and submission.name == data["name"].strip()
        and submission.email == (data.get("email") or "").strip()
        and submission.address == data["address"].strip()
    )


def _opinions_differ(submission: Submission, posted: list[services.OpinionInput]) -> bool:
    """Whether the opinions posted again differ from those the first sending recorded."""
    recorded = [
        (opinion.section_id, opinion.text) for opinion in submission.opinions.order_by("position")
    ]
    sent = [
        (opinion.section.pk if opinion.section else None, opinion.text)
        for opinion in posted
        if opinion.text.strip()
    ]
    return recorded != sent


def _window_refusal(case: Case) -> ValidationError | None:
    """The service's own refusal of a case that is not open now (the same words)."""
    now = timezone.now()
    try:
        services.check_window(case, received_at=now, now=now)
    except ValidationError as error:
        return error
    return None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.public(), pk=pk)
    refusal = _window_refusal(case)
    if refusal is not None and request.method != "POST":
        return render(
            request,
            "publiccomment/submission_closed.html",
            {"case": case, "phase": case.phase},
        )

    form = SubmissionForm(
        request.POST or None,
        case=case,
        initial=SubmissionForm.initial_from_profile(request.user),
    )
    context = {"case": case}

    def form_again(form: SubmissionForm) -> HttpResponse:
        return render(request, FORM_TEMPLATE, {**context, "form": form, "step": STEP_INPUT})

    if request.method == "POST" and "_add" in request.POST:
        # "Add another opinion": the same form with one row more, nothing checked yet.
        return form_again(SubmissionForm.again(form, rows=form.rows + 1))

    if refusal is not None:
        # Closed (or not yet open) while the person was typing: said on top, nothing lost.
        form.is_valid()
        put_refusal_on_form(form, refusal)
        return form_again(form)

    def on_submit(form: SubmissionForm) -> HttpResponse:
        fields = form.submission_fields()
        already = Submission.objects.filter(token=fields["token"]).exists()
        if not already and not ratelimit.hit(
            request, "publiccomment.submission", email=fields["email"]
        ):
            form.add_error(None, ratelimit.LIMITED)
            return form_again(form)
        try:
            submission, created = services.submission_create(case=case, user=request.user, **fields)
        except ValidationError as error:
            put_refusal_on_form(form, error)
            return form_again(form)
        if not created and not _same_form(submission, form, request):
            form.add_error(
                None,
                _("This form was already used. Reload the page to write a new one."),
            )
            return form_again(form)
        _remember(request, submission)
        if created:
            messages.success(
                request,
                _("Your opinion has been sent. Your receipt number is %(number)s.")
                % {"number": submission.number},
            )
        elif _opinions_differ(submission, fields["opinions"]):
            # The same form sent again after a change (the back button, then editing): the
            # first sending stands; say so rather than let the change vanish unnoticed.
            messages.warning(
                request,
                _(
                    "This form had already been sent (receipt number %(number)s): the changes "
                    "made afterwards were not sent. To send another opinion, open the form again."
                )
                % {"number": submission.number},
            )
        return redirect("publiccomment:submission_receipt", pk=submission.pk)

    return confirm_flow(
        request,
        form,
        template=FORM_TEMPLATE,
        confirm_template="publiccomment/submission_confirm.html",
        on_submit=on_submit,
        context=context,
    )


@never_cache
@require_safe
def submission_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    opinions = Opinion.objects.select_related("section").order_by("position")
    submission = get_object_or_404(
        Submission.objects.select_related("case").prefetch_related(
            Prefetch("opinions", queryset=opinions)
        ),
        pk=pk,
    )
    if not (_made_here(request, submission) or can_view_submission(request.user, submission)):
        raise Http404
    return render_receipt(
        request,
        receipts.submission_receipt(submission),
        template="publiccomment/submission_receipt.html",
        context={"case": submission.case, "submission": submission},
    )


urlpatterns = [
    path("publiccomment/<int:pk>/submit/", submit, name="submit"),
    path("publiccomment/submissions/<int:pk>/", submission_receipt, name="submission_receipt"),
]

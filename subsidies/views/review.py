"""The reviewer's page (審査委員): the applications assigned to the signed-in person, grouped by
programme, and one score sheet per application, saved through `services.scores_save`. Views
and routes, in that order (the score sheet's form is in forms.py). Staff work in the admin; a staff member who is also assigned
uses this page like any reviewer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from muroran_kyodo.lib.forms import put_refusal_on_form

from .. import money, permissions, services
from ..forms import ScoreSheetForm
from ..models import Application, BudgetStage, ReviewAssignment
from ..permissions import can_score
from ..second_factor import reviewer_gate

S = Application.Status
REVIEW_LIST_SIZE = 50
# The plan as the committee reads it, in the order of the application form.
PLAN_FIELDS = ("title", "purpose", "content", "place", "expected_effects")


# --- views ----------------------------------------------------------------------------------


def _my_assignment(request, pk):
    """One of the signed-in reviewer's own assignments; another reviewer's id gives 404."""
    return get_object_or_404(
        ReviewAssignment.objects.filter(reviewer=request.user).select_related(
            "application__programme",
            "application__category",
            "application__window",
            "application__collaboration_form",
            "application__organization__actor_type",
            "application__organization__district",
        ),
        pk=pk,
    )


def _scoring_state(scored: int, criteria: int) -> tuple[str, str]:
    if criteria and scored >= criteria:
        return "scored", _("Scored")
    if scored:
        return "partly", _("Partly scored")
    return "not_scored", _("Not scored yet")


def _closed_message(application) -> str:
    if application.status in (S.SUBMITTED, S.RETURNED, S.ACCEPTED):
        return _("Scoring opens when the city starts the review of this application.")
    if application.status == S.WITHDRAWN:
        return _("The group has withdrawn this application; it is not scored.")
    return _("The review of this application is closed. Your scores are shown read-only.")


@never_cache
@login_required
def review_list(request):
    """The reviewer's assigned applications, grouped by programme, with their scoring state.
    Five queries (session, user, second factor, count, page) whatever the number of
    assignments. A reviewer gives the second factor first (`subsidies.second_factor`)."""
    gate = reviewer_gate(request)
    if gate is not None:
        return gate
    assignments = (
        ReviewAssignment.objects.filter(reviewer=request.user)
        .select_related(
            "application__programme", "application__organization", "application__category"
        )
        .annotate(
            scored=Count("scores", distinct=True),
            criteria_count=Count("application__programme__criteria", distinct=True),
        )
        .order_by(
            "-application__programme__fiscal_year",
            "application__programme__track",
            "application__programme_id",
            "application__number",
            "pk",
        )
    )
    page = Paginator(assignments, REVIEW_LIST_SIZE).get_page(request.GET.get("page"))
    for assignment in page:
        assignment.state, assignment.state_label = _scoring_state(
            assignment.scored, assignment.criteria_count
        )
        assignment.open = assignment.application.status == S.UNDER_REVIEW
    return render(request, "subsidies/review_list.html", {"page": page})


@never_cache
@login_required
def review_detail(request, pk):
    """The application as the committee reads it and the reviewer's score sheet.

    The sheet is saved whole or not at all: every criterion is required, and every score goes
    through `services.score_save` in one transaction, so a refusal on any row keeps none."""
    assignment = _my_assignment(request, pk)
    gate = reviewer_gate(request)
    if gate is not None:
        return gate
    application = assignment.application
    programme = application.programme
    criteria = list(programme.criteria.all())
    existing = {score.criterion_id: score for score in assignment.scores.all()}
    conflict = permissions.reviewer_conflict(request.user, application)
    editable = can_score(request.user, assignment) and not conflict

    if request.method == "POST":
        if not editable:
            messages.error(request, _refusal(request.user, application, conflict))
            return redirect("subsidies:review_detail", pk=assignment.pk)
        form = ScoreSheetForm(request.POST, criteria=criteria)
        if form.is_valid():
            refusal = _save_scores(request, assignment, form)
            if refusal is None:
                messages.success(
                    request,
                    _(
                        "Your scores for “%(title)s” are saved. You can change them until the "
                        "review closes."
                    )
                    % {"title": application.title},
                )
                return redirect("subsidies:review_list")
            if refusal:
                messages.error(request, refusal)
                return redirect("subsidies:review_detail", pk=assignment.pk)
    else:
        initial = {}
        for criterion_pk, score in existing.items():
            initial[f"score_{criterion_pk}"] = score.score
            initial[f"comment_{criterion_pk}"] = score.comment
        form = ScoreSheetForm(initial=initial, criteria=criteria)

    income = list(application.income_lines.filter(stage=BudgetStage.PLAN))
    expenses = list(application.expense_lines.filter(stage=BudgetStage.PLAN))
    budget = money.totals(income, expenses)
    eligible = (
        money.category_eligible_amount(application.category, budget.eligible_expenses)
        if application.category
        else None
    )
    return render(
        request,
        "subsidies/review_detail.html",
        {
            "assignment": assignment,
            "application": application,
            "programme": programme,
            "organization": application.organization,
            "organization_fields": list(application.organization.fields.all()),
            "plan": [
                (
                    capfirst(Application._meta.get_field(name).verbose_name),
                    getattr(application, name),
                )
                for name in PLAN_FIELDS
            ],
            "partners": list(application.partner_organizations.all()),
            "income": income,
            "expenses": expenses,
            "budget": budget,
            "eligible_amount": eligible,
            "attachments": list(application.attachments.select_related("type")),
            "form": form,
            "editable": editable,
            "conflict": conflict,
            "closed_message": "" if editable or conflict else _closed_message(application),
            "scored_rows": [(criterion, existing.get(criterion.pk)) for criterion in criteria],
        },
    )


def _refusal(user, application, conflict: bool) -> str:
    if conflict:
        return _(
            "%(reviewer)s is a member of %(organization)s and cannot review its application."
        ) % {"reviewer": user, "organization": application.organization}
    return _("Scores can be given only while the application is under review. Nothing was saved.")


def _save_scores(request, assignment, form) -> str | None:
    """The whole sheet through the service. None when saved; else the message to show (the form
    carries field errors when the message is empty)."""
    try:
        services.scores_save(assignment=assignment, scores=form.scores(), by=request.user)
    except PermissionDenied:
        conflict = permissions.reviewer_conflict(request.user, assignment.application)
        return _refusal(request.user, assignment.application, conflict)
    except ValidationError as error:
        put_refusal_on_form(form, error)
        return ""
    return None


# --- routes ---------------------------------------------------------------------------------

urlpatterns = [
    path("subsidies/review/", review_list, name="review_list"),
    path("subsidies/review/<int:pk>/", review_detail, name="review_detail"),
]

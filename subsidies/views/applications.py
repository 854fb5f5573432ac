"""The group's application in the browser: starting a draft, the plan and budget
(save as draft at any point), documents, 確認 → 申請 → 完了, the application page with its
history and buttons, withdrawing, and resubmitting after 差戻し.

Every lookup goes through `Application.objects.visible_to(user)`, so another group's id is a
404; every change goes through `services` (the plan and budget through
`services.application_update`, which locks the editable row, so a concurrent submission is
never overwritten). A GET writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import STEP_INPUT
from muroran_kyodo.lib.forms import REASON_REFUSED, posted_reason, put_refusal_on_form
from muroran_kyodo.lib.uploads import serve_private_file
from organizations.models import Membership

from .. import money, services
from ..eligibility import consultation_for, submission_errors
from ..forms import (
    AttachmentForm,
    DeclarationsForm,
    ExpenseFormSet,
    IncomeFormSet,
    PlanForm,
    StartForm,
    line_initial,
    verified_member_organizations,
    with_more_rows,
)
from ..models import (
    DECLARATIONS,
    Application,
    Attachment,
    AttachmentType,
    BudgetStage,
    Consultation,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
    Repayment,
)
from ..permissions import GROUP, can_act_for, can_view_attachment, is_subsidy_staff, may_act
from ..second_factor import reviewer_gate_for
from . import followup

S = Application.Status
S_EDITABLE = Application.EDITABLE
LIST_PAGE_SIZE = 20
HISTORY_SHOWN = 30

# Where each key of eligibility.submission_errors is fixed, and what the person calls it.
ERROR_PLACES = {
    "organization": (gettext_lazy("Organisation"), None),
    "window": (gettext_lazy("Intake window"), None),
    "category": (gettext_lazy("Category"), "edit"),
    "title": (gettext_lazy("Project title"), "edit"),
    "purpose": (gettext_lazy("Purpose"), "edit"),
    "content": (gettext_lazy("What the project will do"), "edit"),
    "starts_on": (gettext_lazy("Schedule"), "edit"),
    "ends_on": (gettext_lazy("Schedule"), "edit"),
    "member_count": (gettext_lazy("Number of members"), "edit"),
    "youth_count": (gettext_lazy("Members in the programme's age band"), "edit"),
    "attachments": (gettext_lazy("Documents"), "documents"),
    "income_lines": (gettext_lazy("Income"), "edit"),
    "expense_lines": (gettext_lazy("Expenses"), "edit"),
    "requested_amount": (gettext_lazy("Amount requested"), "edit"),
    "consultation": (gettext_lazy("Prior consultation"), "consultation"),
    NON_FIELD_ERRORS: (gettext_lazy("Application"), None),
}


# --- lookups --------------------------------------------------------------------------------


def _visible(request):
    return Application.objects.visible_to(request.user).select_related(
        "programme", "category", "organization", "window", "collaboration_form", "applicant"
    )


def _own_application(request, pk, queryset=None) -> Application:
    """An application the user may act for (a member of its organisation; staff); 404 for
    anything they cannot see, 403 for one they only review."""
    application = get_object_or_404(queryset if queryset is not None else _visible(request), pk=pk)
    if not may_act(request.user, application, GROUP):
        raise PermissionDenied
    return application


def _editable_or_redirect(request, application):
    if application.is_editable:
        return None
    messages.error(
        request,
        _("This application can no longer be changed: it is “%(status)s”.")
        % {"status": application.get_status_display()},
    )
    return redirect("subsidies:application_detail", pk=application.pk)


def _plan_lines(application):
    income = [line for line in application.income_lines.all() if line.stage == BudgetStage.PLAN]
    expenses = [line for line in application.expense_lines.all() if line.stage == BudgetStage.PLAN]
    return income, expenses


def _budget_context(application, income, expenses) -> dict:
    """Totals of the saved plan and the most the group may request (money.eligible_amount)."""
    budget = money.totals(income, expenses)
    category = application.category
    limit = (
        money.category_eligible_amount(category, budget.eligible_expenses)
        if category is not None
        else None
    )
    return {
        "budget": budget,
        "difference": budget.income - budget.expenses,
        "eligible_limit": limit,
        "rounding_unit": money.ROUNDING_UNIT,
        "category": category,
        "income_lines": income,
        "expense_lines": expenses,
    }


def _page_context(application, income, expenses) -> dict:
    """What the confirmation and the application page both show: the plan, budget, documents."""
    return {
        "application": application,
        "programme": application.programme,
        "partners": list(application.partner_organizations.all()),
        **_budget_context(application, income, expenses),
        **_documents(application),
    }


def _with_lines(queryset):
    plan = BudgetStage.PLAN
    return queryset.prefetch_related(
        Prefetch("income_lines", queryset=IncomeLine.objects.filter(stage=plan)),
        Prefetch("expense_lines", queryset=ExpenseLine.objects.filter(stage=plan)),
    )


def _documents(application) -> dict:
    """The documents attached, and each required application-stage type present or missing."""
    attached = list(application.attachments.select_related("type"))
    present = {a.type_id for a in attached}
    required = [
        {"type": t, "present": t.pk in present}
        for t in application.programme.required_attachment_types.filter(
            stage=AttachmentType.Stage.APPLICATION
        )
    ]
    return {
        "attachments": attached,
        "required_documents": required,
        "missing_documents": [r["type"] for r in required if not r["present"]],
    }


# --- starting an application --------------------------------------------------------------------


@never_cache
@login_required
def application_start(request, pk):
    """Choose the organisation and category: a draft is created and the plan opens."""
    programme = get_object_or_404(Programme.objects.published(), pk=pk)
    window = IntakeWindow.objects.open().filter(programme=programme).order_by("closes_at").first()
    form = StartForm(request.POST or None, programme=programme, user=request.user)
    organizations = list(form.fields["organization"].queryset)
    limited = (
        request.method == "POST"
        and window is not None
        and form.is_valid()
        and not ratelimit.hit(request, "subsidies.application")
    )
    if limited:
        form.add_error(None, ratelimit.LIMITED)
    elif request.method == "POST" and window is not None and form.is_valid():
        application = Application(
            programme=programme,
            window=window,
            category=form.cleaned_data["category"],
            organization=form.cleaned_data["organization"],
            title=form.cleaned_data["title"],
        )
        try:
            services.application_create(application=application, by=request.user)
        except PermissionDenied:
            # Not allowed for this organisation: said next to the organisation chosen.
            put_refusal_on_form(
                form,
                ValidationError(
                    {
                        "organization": _(
                            "You can apply only for a verified organisation you are a member of."
                        )
                    }
                ),
            )
        else:
            messages.success(
                request,
                _("Your draft is saved. Fill in the plan and the budget; save at any point."),
            )
            return redirect("subsidies:application_edit", pk=application.pk)
    return render(
        request,
        "subsidies/application_start.html",
        {
            "programme": programme,
            "window": window,
            "form": form,
            "organizations": organizations,
            "needs_consultation": programme.consultation_required
            and bool(organizations)
            and not Consultation.objects.filter(
                programme=programme, organization__in=organizations
            ).exists(),
            "step": STEP_INPUT,
        },
    )


# --- the plan and budget --------------------------------------------------------------------------


def _formsets(request, income, expenses):
    if request.method != "POST":
        return (
            IncomeFormSet(prefix="income", initial=line_initial(income, ("kind", "description"))),
            ExpenseFormSet(
                prefix="expense",
                initial=line_initial(expenses, ("item", "description", "eligible")),
            ),
        )
    data = request.POST.copy()
    for prefix, button in (("income", "_more_income"), ("expense", "_more_expense")):
        if button in data:
            data = with_more_rows(data, prefix)
    return IncomeFormSet(data, prefix="income"), ExpenseFormSet(data, prefix="expense")


def _save_plan(application, *, by, values, income, expenses) -> bool:
    """Write the plan's valid fields and the budget rows through the service, all or nothing.
    False when the application stopped being editable (submitted meanwhile)."""
    partners = values.pop("partner_organizations", None)
    try:
        services.application_update(
            application=application,
            by=by,
            values=values,
            partners=partners,
            income_lines=income,
            expense_lines=expenses,
        )
    except services.TransitionError:
        return False
    return True


@never_cache
@login_required
def application_edit(request, pk):
    application = _own_application(request, pk, _with_lines(_visible(request)))
    if response := _editable_or_redirect(request, application):
        return response
    income, expenses = _plan_lines(application)
    form = PlanForm(request.POST if request.method == "POST" else None, application=application)
    income_set, expense_set = _formsets(request, income, expenses)

    if request.method == "POST":
        form.is_valid()
        income_set.is_valid()
        expense_set.is_valid()
        new_income = income_set.lines_keeping(income)
        new_expenses = expense_set.lines_keeping(expenses)
        if not _save_plan(
            application,
            by=request.user,
            values=form.valid_values(),
            income=new_income,
            expenses=new_expenses,
        ):
            messages.error(
                request,
                _("Someone else changed this application just now. Reload and try again."),
            )
            return redirect("subsidies:application_detail", pk=application.pk)
        if new_income is not None:
            income = new_income
        if new_expenses is not None:
            expenses = new_expenses
        all_valid = form.is_valid() and income_set.is_valid() and expense_set.is_valid()
        adding_rows = "_more_income" in request.POST or "_more_expense" in request.POST
        if all_valid and not adding_rows:
            if "_confirm" in request.POST:
                return redirect("subsidies:application_confirm", pk=application.pk)
            messages.success(request, _("Your draft is saved."))
            return redirect("subsidies:application_edit", pk=application.pk)
        if not all_valid:
            messages.error(
                request,
                _(
                    "What was entered correctly is saved. Correct the fields marked below; "
                    "what you typed there is kept on this page but not saved yet."
                ),
            )

    return render(
        request,
        "subsidies/application_form.html",
        {
            "application": application,
            "programme": application.programme,
            "form": form,
            "income_set": income_set,
            "expense_set": expense_set,
            "step": STEP_INPUT,
            **_budget_context(application, income, expenses),
            **_documents(application),
        },
    )


# --- documents --------------------------------------------------------------------------------


@never_cache
@login_required
def application_documents(request, pk):
    application = _own_application(request, pk)
    editable = application.is_editable
    form = AttachmentForm(
        request.POST or None, request.FILES or None, programme=application.programme
    )
    if request.method == "POST":
        if not editable:
            return _editable_or_redirect(request, application)
        limited = form.is_valid() and not ratelimit.hit(request, "subsidies.attachment")
        if limited:
            form.add_error(None, ratelimit.LIMITED)
        elif form.is_valid():
            try:
                services.attachment_add(
                    application=application,
                    attachment_type=form.cleaned_data["type"],
                    file=form.cleaned_data["file"],
                    by=request.user,
                )
            except ValidationError as error:
                # Whatever the service refuses is about the file chosen.
                put_refusal_on_form(form, ValidationError({"file": error.messages}))
            else:
                messages.success(
                    request,
                    _("“%(name)s” is attached.") % {"name": form.cleaned_data["file"].name},
                )
                return redirect("subsidies:application_documents", pk=application.pk)
    return render(
        request,
        "subsidies/application_documents.html",
        {
            "application": application,
            "programme": application.programme,
            "form": form,
            "editable": editable,
            **_documents(application),
        },
    )


@require_POST
@login_required
def attachment_delete(request, pk, attachment_pk):
    application = _own_application(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("type"), pk=attachment_pk, application=application
    )
    attachment.application = application
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.original_name})
    return redirect("subsidies:application_documents", pk=application.pk)


@never_cache
@login_required
def attachment_download(request, pk):
    """A document, to the group, its reviewers and staff only; anyone else gets 404."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("application__organization"),
        pk=pk,
        application__in=Application.objects.visible_to(request.user).values("pk"),
    )
    gate = reviewer_gate_for(request, attachment.application)
    if gate is not None:
        return gate
    if not can_view_attachment(request.user, attachment):
        raise Http404
    return serve_private_file(
        request,
        attachment.file,
        content_type=attachment.content_type,
        download_name=attachment.original_name,
    )


# --- 確認 → 申請 → 完了 --------------------------------------------------------------------------


def _error_rows(application, errors) -> list[dict]:
    rows = []
    for field, field_messages in errors.items():
        label, where = ERROR_PLACES.get(field, (ERROR_PLACES[NON_FIELD_ERRORS]))
        url = None
        if where == "edit":
            url = reverse("subsidies:application_edit", args=[application.pk])
        elif where == "documents":
            url = reverse("subsidies:application_documents", args=[application.pk])
        elif where == "consultation":
            url = reverse("subsidies:consultation_book", args=[application.programme_id])
        for message in field_messages:
            rows.append({"label": label, "message": message, "url": url})
    return rows


@never_cache
@login_required
def application_confirm(request, pk):
    """Everything as the person reads it, every reason it cannot be submitted yet, and the
    submit button only when there is none."""
    application = _own_application(request, pk)
    if response := _editable_or_redirect(request, application):
        return response
    application = _with_lines(_visible(request)).get(pk=application.pk)
    errors = {}
    declarations = DeclarationsForm(request.POST or None, application=application)
    if request.method == "POST" and declarations.is_valid():
        try:
            # A draft started in 第1期 and finished in 第2期 is submitted in the window open now.
            services.application_move_to_open_window(application=application, by=request.user)
            services.application_submit(
                application=application, by=request.user, declarations=declarations.cleaned_data
            )
        except ValidationError as error:
            errors = (
                error.message_dict
                if hasattr(error, "error_dict")
                else {NON_FIELD_ERRORS: error.messages}
            )
        except (services.TransitionError, PermissionDenied) as error:
            messages.error(
                request,
                str(error) or _("You cannot submit this application."),
            )
            return redirect("subsidies:application_detail", pk=application.pk)
        else:
            return redirect("subsidies:application_submitted", pk=application.pk)
    else:
        # What the submission would do, shown without writing: the window open now.
        application.window = services.open_window_for(application)
        errors = submission_errors(application, by=request.user)
    # The declarations are ticked on this page: the service's refusals of them go next to
    # their boxes (the form's own errors are there already); before a submission, none.
    submitted = request.method == "POST" and declarations.is_valid()
    for name, _text in DECLARATIONS:
        for message in errors.pop(name, []):
            if submitted:
                declarations.add_error(name, message)
    income, expenses = _plan_lines(application)
    return render(
        request,
        "subsidies/application_confirm.html",
        {
            **_page_context(application, income, expenses),
            "errors": _error_rows(application, errors),
            "declarations": declarations,
            "consultation": consultation_for(application),
            "step": "confirm",
        },
    )


@never_cache
@login_required
def application_submitted(request, pk):
    application = _own_application(request, pk)
    if application.status != S.SUBMITTED:
        return redirect("subsidies:application_detail", pk=application.pk)
    return render(
        request,
        "subsidies/application_submitted.html",
        {"application": application, "step": "done"},
    )


# --- the application page ----------------------------------------------------------------------


@never_cache
@login_required
def application_detail(request, pk):
    application = get_object_or_404(_with_lines(_visible(request)), pk=pk)
    gate = reviewer_gate_for(request, application)
    if gate is not None:
        return gate
    income, expenses = _plan_lines(application)
    history = list(application.status_changes.select_related("by")[:HISTORY_SHOWN])
    member = can_act_for(request.user, application)
    targets = services.allowed_targets(application, request.user)
    returned_reason = ""
    if application.status == S.RETURNED:
        returned_reason = next(
            (change.reason for change in history if change.new_status == S.RETURNED), ""
        )
    return render(
        request,
        "subsidies/application_detail.html",
        {
            **_page_context(application, income, expenses),
            "history": history,
            "returned_reason": returned_reason,
            "is_member": member,
            # The consultations' 受付票 are the group's and staff's; not the reviewers'.
            "can_print_consultations": member or is_subsidy_staff(request.user),
            "can_edit": application.is_editable and member,
            "can_withdraw": S.WITHDRAWN in targets and member,
            "can_request_stop": S.STOP_REQUESTED in targets and member,
            # 取消 or 中止・廃止: what the group must pay back, by when.
            "ended_repayment": (
                application.repayments.filter(kind=Repayment.Kind.CANCELLED).first()
                if application.status in Application.ENDED_EARLY
                else None
            ),
            # After the decision: the notices, 変更承認 and 実績報告 (followup.py).
            "has_decision_notice": application.status in followup.DECISION_STATUSES,
            "has_confirmation_notice": application.status in followup.CONFIRMATION_STATUSES
            and application.confirmed_amount is not None,
            "has_report": application.status in followup.REPORT_STATUSES,
            "consultations": list(
                Consultation.objects.filter(
                    organization=application.organization_id, programme=application.programme_id
                )
            ),
        },
    )


@never_cache
@login_required
def application_withdraw(request, pk):
    """取下げ, after a page that says what it means."""
    application = _own_application(request, pk)
    if S.WITHDRAWN not in services.allowed_targets(application, request.user):
        messages.error(
            request,
            _("This application can no longer be withdrawn: it is “%(status)s”.")
            % {"status": application.get_status_display()},
        )
        return redirect("subsidies:application_detail", pk=application.pk)
    if request.method == "POST":
        reason = posted_reason(request)
        if reason is None:
            messages.error(request, REASON_REFUSED)
            # What was typed comes back, without the characters that could not be stored.
            typed = request.POST.get("reason", "").replace("\x00", "")[:1000]
            return render(
                request,
                "subsidies/application_withdraw.html",
                {"application": application, "typed_reason": typed},
            )
        try:
            services.application_withdraw(application=application, by=request.user, reason=reason)
        except (services.TransitionError, PermissionDenied) as error:
            messages.error(request, str(error) or _("You cannot withdraw this application."))
        else:
            messages.success(request, _("The application is withdrawn."))
        return redirect("subsidies:application_detail", pk=application.pk)
    return render(request, "subsidies/application_withdraw.html", {"application": application})


@never_cache
@login_required
def application_list(request):
    """The applications of the user's organisations, and their prior consultations."""
    member_of = Membership.objects.filter(user=request.user).values("organization_id")
    applications = (
        Application.objects.visible_to(request.user)
        .filter(organization__in=member_of)
        .select_related("programme", "organization", "category")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(applications, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    open_programmes = list(
        Programme.objects.published()
        .filter(windows__in=IntakeWindow.objects.open())
        .distinct()
        .order_by("-fiscal_year", "track", "pk")
    )
    return render(
        request,
        "subsidies/application_list.html",
        {
            "page": page,
            "consultations": list(
                Consultation.objects.filter(organization__in=member_of)
                .select_related("organization", "programme")
                .order_by("-held_on", "-pk")[:20]
            ),
            "open_programmes": open_programmes,
            "has_verified_organization": verified_member_organizations(request.user).exists(),
        },
    )


urlpatterns = [
    path("subsidies/applications/", application_list, name="application_list"),
    path("subsidies/applications/<int:pk>/", application_detail, name="application_detail"),
    path("subsidies/applications/<int:pk>/edit/", application_edit, name="application_edit"),
    path(
        "subsidies/applications/<int:pk>/documents/",
        application_documents,
        name="application_documents",
    ),
    path(
        "subsidies/applications/<int:pk>/documents/<int:attachment_pk>/delete/",
        attachment_delete,
        name="attachment_delete",
    ),
    path(
        "subsidies/applications/<int:pk>/confirm/",
        application_confirm,
        name="application_confirm",
    ),
    path(
        "subsidies/applications/<int:pk>/submitted/",
        application_submitted,
        name="application_submitted",
    ),
    path(
        "subsidies/applications/<int:pk>/withdraw/",
        application_withdraw,
        name="application_withdraw",
    ),
    path("subsidies/attachments/<int:pk>/", attachment_download, name="attachment"),
    path("subsidies/programmes/<int:pk>/apply/", application_start, name="apply"),
]

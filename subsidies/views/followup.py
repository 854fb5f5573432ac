"""After the decision, in the browser: the printable notices (交付決定通知書, 不交付決定通知書,
額の確定通知書), 変更承認 requests, and the completion report (実績報告) with its income and
expense lines and its documents. Helpers, views and routes, in that order (the forms are in
forms.py).

Every page is the group's and the city's: an application is looked up among those the user
may see (`Application.objects.visible_to`), then a reviewer — who may see the application
itself — is refused too, with 404, so that an id reveals nothing."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import STEP_CONFIRM, STEP_INPUT, confirm_flow
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.jp import fiscal_year_label, wareki_date
from organizations.models import Membership

from .. import money, services
from ..eligibility import missing_documents, report_errors
from ..forms import (
    ChangeRequestForm,
    DocumentForm,
    ExpenseFormSet,
    IncomeFormSet,
    ReportForm,
    with_more_rows,
)
from ..models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    AttachmentType,
    BudgetStage,
    ChangeRequest,
    ExpenseLine,
    IncomeLine,
    Payment,
    Repayment,
)
from ..permissions import can_act_for, is_subsidy_staff

S = Application.Status
# The decision notice exists once the application is decided: 交付決定 for an adopted project at
# whatever stage after, 不交付決定 for a rejected one.
DECISION_STATUSES = (
    *Application.ADOPTED_STATUSES,
    S.REJECTED,
    *Application.ENDED_EARLY,
)
CONFIRMATION_STATUSES = (S.CONFIRMED, S.PAID, S.REPAID, S.CLOSED)
# The report page shows a form while the grant runs, then what was filed.
REPORT_STATUSES = (S.GRANTED, S.REPORTED, S.CONFIRMED, S.PAID, S.REPAID, S.CLOSED)
# Blank rows shown below the lines, and added by “add more rows”.
EXTRA_ROWS = 3
MAX_ROWS = 50

# --- helpers ------------------------------------------------------------------------------------


def application_url(application) -> str:
    """The group's application page (views/applications.py)."""
    return application.get_absolute_url()


def attachment_url(attachment) -> str:
    return reverse("subsidies:attachment", args=[attachment.pk])


def _group_application(request, pk) -> Application:
    """An application of the user's group (staff: any); 404 for anyone else, reviewers too."""
    user = request.user
    queryset = Application.objects.visible_to(user).select_related(
        "programme", "organization", "category"
    )
    application = get_object_or_404(queryset, pk=pk)
    staff = is_subsidy_staff(user)
    if not (staff or can_act_for(user, application)):
        raise Http404
    application.viewer_is_staff = staff
    return application


def _representative(application) -> Membership | None:
    return (
        Membership.objects.filter(
            organization_id=application.organization_id, role=Membership.Role.REPRESENTATIVE
        )
        .select_related("user")
        .first()
    )


def _notice_context(application, issued_at) -> dict:
    representative = _representative(application)
    issued_on = timezone.localdate(issued_at) if issued_at else None
    return {
        "application": application,
        "application_url": application_url(application),
        # templates/print/base.html: the link above the sheet
        "back_url": application_url(application),
        "back_label": _("Back to the application"),
        "representative": representative.user.get_full_name() if representative else "",
        "issued_on": issued_on,
        "issued_on_wareki": wareki_date(issued_on) if issued_on else "",
        "fiscal_year": fiscal_year_label(application.programme.fiscal_year),
    }


# --- printable notices --------------------------------------------------------------------------


@never_cache
@require_safe
@login_required
def notice_decision(request, pk):
    """交付決定通知書 of an adopted project, or 不交付決定通知書 of a rejected one."""
    application = _group_application(request, pk)
    if application.status not in DECISION_STATUSES:
        raise Http404
    if application.status == S.REJECTED:
        context = _notice_context(application, application.decided_at)
        return render(request, "subsidies/notice_rejection.html", context)
    if application.decided_amount is None:
        raise Http404
    # The grant decision (交付決定) is the adopted → granted change; before it, the notice is
    # dated with the selection.
    granted = (
        ApplicationStatusChange.objects.filter(
            application=application, old_status=S.ADOPTED, new_status=S.GRANTED
        )
        .order_by("at", "pk")
        .values_list("at", flat=True)
        .first()
    )
    context = _notice_context(application, granted or application.decided_at)
    context["granted"] = granted is not None
    return render(request, "subsidies/notice_decision.html", context)


@never_cache
@require_safe
@login_required
def notice_confirmation(request, pk):
    """額の確定通知書: the confirmed amount, what was paid in advance, and the balance the city
    pays or the repayment the group owes."""
    application = _group_application(request, pk)
    if application.status not in CONFIRMATION_STATUSES or application.confirmed_amount is None:
        raise Http404
    advances = (
        Payment.objects.filter(application=application, kind=Payment.Kind.ADVANCE).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    repayment = Repayment.objects.filter(
        application=application, kind=Repayment.Kind.OVERPAID
    ).first()
    confirmed = application.confirmed_amount
    context = _notice_context(application, application.confirmed_at)
    context.update(
        {
            "advances": advances,
            "balance": max(confirmed - advances, 0),
            "repayment": repayment,
            "repayment_amount": repayment.amount if repayment else max(advances - confirmed, 0),
        }
    )
    return render(request, "subsidies/notice_confirmation.html", context)


# --- 変更承認 -------------------------------------------------------------------------------------


@never_cache
@login_required
def change_request(request, pk):
    """The group asks to change the plan or budget of a granted project (入力 → 確認 → 完了),
    and sees its requests with the city's answers."""
    application = _group_application(request, pk)
    requests = list(
        ChangeRequest.objects.filter(application=application).order_by("-requested_at", "-pk")
    )
    open_request = next((r for r in requests if r.status == ChangeRequest.Status.REQUESTED), None)
    may_ask = (
        application.status == S.GRANTED
        and open_request is None
        and (application.viewer_is_staff or can_act_for(request.user, application))
    )
    context = {
        "application": application,
        "application_url": application_url(application),
        "requests": requests,
        "open_request": open_request,
        "may_ask": may_ask,
    }
    if not may_ask:
        if request.method == "POST":
            messages.error(request, _("You cannot ask for a change of this application now."))
            return redirect("subsidies:change_request", pk=pk)
        return render(request, "subsidies/change_list.html", context)

    form = ChangeRequestForm(request.POST or None, application=application)

    def on_submit(form):
        if not ratelimit.hit(request, "subsidies.change_request"):
            form.add_error(None, ratelimit.LIMITED)
            return render(
                request, "subsidies/change_list.html", {**context, "form": form, "step": STEP_INPUT}
            )
        try:
            services.change_request_create(
                application=application,
                by=request.user,
                description=form.cleaned_data["description"],
                new_amount=form.cleaned_data.get("new_amount"),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            put_refusal_on_form(form, error)
            return render(
                request, "subsidies/change_list.html", {**context, "form": form, "step": STEP_INPUT}
            )
        messages.success(
            request,
            _("Your change request is sent. The city will answer by e-mail."),
        )
        return redirect("subsidies:change_request", pk=pk)

    return confirm_flow(
        request,
        form,
        template="subsidies/change_list.html",
        confirm_template="subsidies/change_confirm.html",
        on_submit=on_submit,
        context=context,
    )


# --- 実績報告 -------------------------------------------------------------------------------------


def _actual_lines(application):
    return (
        list(application.income_lines.filter(stage=BudgetStage.ACTUAL)),
        list(application.expense_lines.filter(stage=BudgetStage.ACTUAL)),
    )


def _initial_lines(application):
    """The lines filed before (a returned report), or the plan's as a starting point."""
    if not hasattr(application, "_stored_lines"):
        application._stored_lines = [
            *application.income_lines.all(),
            *application.expense_lines.all(),
        ]
    lines = application._stored_lines
    actual = [line for line in lines if line.stage == BudgetStage.ACTUAL]
    chosen = actual or [line for line in lines if line.stage == BudgetStage.PLAN]
    income = [
        {"kind": line.kind, "description": line.description, "amount": line.amount}
        for line in chosen
        if isinstance(line, IncomeLine)
    ]
    expenses = [
        {
            "item": line.item,
            "description": line.description,
            "amount": line.amount,
            "eligible": line.eligible,
        }
        for line in chosen
        if isinstance(line, ExpenseLine)
    ]
    return income, expenses


def _report_documents(application):
    documents = list(
        Attachment.objects.filter(
            application=application, type__stage=AttachmentType.Stage.REPORT
        ).select_related("type")
    )
    for document in documents:
        document.url = attachment_url(document)
    return documents


def _missing_documents(application, documents) -> list[AttachmentType]:
    present = {document.type_id for document in documents}
    return missing_documents(application, AttachmentType.Stage.REPORT, present)


def _formula_amount(application, budget: money.Budget) -> int | None:
    """What 額の確定 would give on these lines: min(decided, the formula)."""
    if application.category is None or application.decided_amount is None:
        return None
    formula = money.category_eligible_amount(application.category, budget.eligible_expenses)
    return min(application.decided_amount, formula)


def _save_report(application, *, by, form, income, expenses) -> None:
    """File the report with its actual lines, in one service call."""
    services.application_report(
        application=application,
        by=by,
        summary=form.cleaned_data["summary"],
        participants=form.cleaned_data.get("participants"),
        effects=form.cleaned_data.get("effects") or "",
        income_lines=income.lines(),
        expense_lines=expenses.lines(),
    )


def _returned_reason(application) -> str:
    """Staff's reason when the report was returned (reported → granted), while it is."""
    if application.status != S.GRANTED:
        return ""
    change = (
        ApplicationStatusChange.objects.filter(application=application)
        .filter(Q(old_status=S.REPORTED, new_status=S.GRANTED) | Q(new_status=S.REPORTED))
        .order_by("-at", "-pk")
        .first()
    )
    if change is None or change.new_status != S.GRANTED:
        return ""
    return change.reason


@never_cache
@login_required
def report(request, pk):
    """The completion report (実績報告): 入力 → 確認 → 完了 while the grant runs; what was
    filed afterwards. Documents are added and removed with buttons of the same form, so that
    nothing typed is lost."""
    application = _group_application(request, pk)
    if application.status not in REPORT_STATUSES:
        raise Http404
    documents = _report_documents(application)
    context = {
        "application": application,
        "application_url": application_url(application),
        "documents": documents,
    }
    may_report = application.status == S.GRANTED and (
        application.viewer_is_staff or can_act_for(request.user, application)
    )
    if not may_report:
        if request.method == "POST":
            messages.error(request, _("The completion report has already been filed."))
            return redirect("subsidies:report", pk=pk)
        income_lines, expense_lines = _actual_lines(application)
        budget = money.totals(income_lines, expense_lines)
        context.update(
            {
                "income_lines": income_lines,
                "expense_lines": expense_lines,
                "budget": budget,
                "formula_amount": _formula_amount(application, budget),
            }
        )
        return render(request, "subsidies/report_detail.html", context)
    return _report_form(request, application, context)


def _report_form(request, application, context):
    user = request.user
    if request.method != "POST":
        income_initial, expense_initial = _initial_lines(application)
        form = ReportForm(
            initial={
                "summary": application.report_summary,
                "participants": application.report_participants,
                "effects": application.report_effects,
            }
        )
        income = IncomeFormSet(prefix="income", initial=income_initial)
        expenses = ExpenseFormSet(prefix="expense", initial=expense_initial)
        return _render_report(
            request, application, context, form, income, expenses, _document_form()
        )

    data = request.POST.copy()
    if "_more_income" in data:
        data = with_more_rows(data, "income")
    if "_more_expense" in data:
        data = with_more_rows(data, "expense")
    form = ReportForm(data)
    income = IncomeFormSet(data, prefix="income")
    expenses = ExpenseFormSet(data, prefix="expense")
    document_form = _documents_posted(request, application, context["documents"])

    # Adding rows or a document, or going back from the confirmation, is not a step forward:
    # the same page with everything typed, and no errors but the file's.
    buttons = ("_more_income", "_more_expense", "_remove_document", "_upload", "_back")
    if any(button in data for button in buttons) or document_form.errors:
        return _render_report(
            request, application, context, form, income, expenses, document_form, quiet=True
        )

    form_valid = form.is_valid()
    budget = None
    if income.is_valid() and expenses.is_valid():
        budget = money.totals(income.lines(), expenses.lines())
    line_errors = report_errors(budget, _missing_documents(application, context["documents"]))
    ready = form_valid and budget is not None and not line_errors
    if ready and "_submit" not in data:
        return render(
            request,
            "subsidies/report_confirm.html",
            {
                **context,
                "step": STEP_CONFIRM,
                "form": form,
                "income": income,
                "expenses": expenses,
                "income_lines": income.lines(),
                "expense_lines": expenses.lines(),
                "budget": budget,
                "formula_amount": _formula_amount(application, budget),
            },
        )
    if ready:
        try:
            _save_report(application, by=user, form=form, income=income, expenses=expenses)
        except PermissionDenied:
            raise Http404 from None
        except services.TransitionError as error:
            messages.error(request, str(error))
            return redirect("subsidies:report", pk=application.pk)
        except ValidationError as error:
            line_errors = _service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your completion report is filed. The city will check it and confirm "
                    "the amount."
                ),
            )
            return redirect(context["application_url"])
    return _render_report(
        request, application, context, form, income, expenses, document_form, line_errors
    )


def _documents_posted(request, application, documents) -> DocumentForm:
    """Remove the document whose button was pressed, and store a file chosen, whichever button
    was pressed (a browser never sends a chosen file again)."""
    removed = request.POST.get("_remove_document")
    if removed:
        document = next((d for d in documents if str(d.pk) == removed), None)
        if document is not None:
            try:
                services.attachment_remove(attachment=document, by=request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                documents.remove(document)
                messages.success(
                    request,
                    _("The document “%(name)s” is removed.") % {"name": document.original_name},
                )
    document_form = _document_form(request.POST, request.FILES)
    if not (document_form.is_valid() and document_form.cleaned_data.get("document")):
        return document_form
    if not ratelimit.hit(request, "subsidies.attachment"):
        document_form.add_error("document", ratelimit.LIMITED)
        return document_form
    try:
        attachment = services.attachment_add(
            application=application,
            attachment_type=document_form.types[document_form.cleaned_data["document_type"]],
            file=document_form.cleaned_data["document"],
            by=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        # Whatever the service refuses is about the file chosen.
        put_refusal_on_form(document_form, ValidationError({"document": error.messages}))
        return document_form
    attachment.url = attachment_url(attachment)
    documents.append(attachment)
    messages.success(
        request, _("The document “%(name)s” is added.") % {"name": attachment.original_name}
    )
    return _document_form(types=list(document_form.types.values()))


def _document_form(*args, types=None) -> DocumentForm:
    if types is None:
        types = list(AttachmentType.objects.filter(stage=AttachmentType.Stage.REPORT))
    return DocumentForm(*args, types=types)


def _service_errors(form, error: ValidationError) -> dict[str, list[str]]:
    """The service's refusal: the lines' and documents' beside their tables, the rest on the
    form (the summary's next to it)."""
    tables = ("income_lines", "expense_lines", "attachments")
    by_field = error.message_dict if hasattr(error, "error_dict") else {}
    rest = {
        "summary" if field == "report_summary" else field: errors
        for field, errors in by_field.items()
        if field not in tables
    }
    if rest or not by_field:
        put_refusal_on_form(form, ValidationError(rest) if rest else error)
    return {field: errors for field, errors in by_field.items() if field in tables}


def _render_report(
    request,
    application,
    context,
    form,
    income,
    expenses,
    document_form,
    line_errors=None,
    *,
    quiet=False,
):
    # The formula on the lines typed when they are valid, else on those stored (or planned).
    if income.is_bound and income.is_valid() and expenses.is_valid():
        budget = money.totals(income.lines(), expenses.lines())
    else:
        budget = money.totals(*_initial_budget_lines(application))
    if quiet:
        # Bound forms whose errors are emptied render what was typed without messages.
        form.is_valid()
        for bound in (form, *income.forms, *expenses.forms):
            bound._errors = forms.utils.ErrorDict()
        for formset in (income, expenses):
            formset._errors = [forms.utils.ErrorDict() for _form in formset.forms]
            formset._non_form_errors = formset.error_class()
    line_errors = line_errors or {}
    return render(
        request,
        "subsidies/report_form.html",
        {
            **context,
            "step": STEP_INPUT,
            "form": form,
            "income": income,
            "expenses": expenses,
            "document_form": document_form,
            "line_errors": line_errors,
            "has_errors": bool(
                line_errors
                or form.errors
                or income.total_error_count()
                or expenses.total_error_count()
                or document_form.errors
            ),
            "budget": budget,
            "formula_amount": _formula_amount(application, budget),
            "returned_reason": _returned_reason(application),
            "missing_documents": _missing_documents(application, context["documents"]),
        },
    )


def _initial_budget_lines(application):
    income, expenses = _initial_lines(application)
    return (
        [SimpleNamespace(**line) for line in income],
        [SimpleNamespace(**line) for line in expenses],
    )


urlpatterns = [
    path(
        "subsidies/applications/<int:pk>/notice/decision/",
        notice_decision,
        name="notice_decision",
    ),
    path(
        "subsidies/applications/<int:pk>/notice/confirmation/",
        notice_confirmation,
        name="notice_confirmation",
    ),
    path("subsidies/applications/<int:pk>/change/", change_request, name="change_request"),
    path("subsidies/applications/<int:pk>/report/", report, name="report"),
]

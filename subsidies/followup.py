"""After the decision, in the browser: the printable notices (交付決定通知書, 不交付決定通知書,
額の確定通知書), 変更承認 requests, and the completion report (実績報告) with its income and
expense lines and its documents. Forms, helpers, views and routes, in that order.

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
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.confirm import STEP_CONFIRM, STEP_INPUT, confirm_flow
from muroran_kyodo.lib.jp import fiscal_year_label, nfkc, wareki_date
from organizations.models import Membership

from . import money, services
from .attachments import attachment_add, attachment_remove
from .models import (
    MAX_YEN,
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
from .permissions import can_act_for, is_subsidy_staff

S = Application.Status
# The decision notice exists once the application is decided: 交付決定 for an adopted project at
# whatever stage after, 不交付決定 for a rejected one.
DECISION_STATUSES = (*Application.ADOPTED_STATUSES, S.REJECTED)
CONFIRMATION_STATUSES = (S.CONFIRMED, S.PAID, S.REPAID, S.CLOSED)
# The report page shows a form while the grant runs, then what was filed.
REPORT_STATUSES = (S.GRANTED, S.REPORTED, S.CONFIRMED, S.PAID, S.REPAID, S.CLOSED)
# Blank rows shown below the lines, and added by “add more rows”.
EXTRA_ROWS = 3
MAX_ROWS = 50

# --- forms --------------------------------------------------------------------------------------


class YenField(forms.IntegerField):
    """Whole yen; accepts full-width digits, “12,000”, “¥12,000” and “12,000円”."""

    def __init__(self, **kwargs):
        message = kwargs.pop(
            "message", gettext_lazy("Enter the amount in whole yen, for example 12000.")
        )
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_YEN)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)
        for key in ("invalid", "min_value", "max_value", "required"):
            self.error_messages[key] = message

    def to_python(self, value):
        if isinstance(value, str):
            value = nfkc(value).replace(",", "").replace("¥", "").replace("円", "").strip()
        return super().to_python(value)


class _LineForm(forms.Form):
    """One budget line. A row with neither description nor amount is blank and skipped, so
    the fixed extra rows may stay empty."""

    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    amount = YenField(
        label=gettext_lazy("Amount (yen)"),
        required=False,
        message=gettext_lazy("Enter the amount in whole yen, for example 12000."),
    )

    def __init__(self, *args, **kwargs):
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        super().__init__(*args, **kwargs)

    def has_changed(self):
        if not self.is_bound:
            return super().has_changed()
        return any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("description", "amount")
        )

    def clean(self):
        data = super().clean()
        if self.has_changed() and data.get("amount") in (None, "") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount in whole yen, for example 12000."))
        return data

    @property
    def is_blank(self) -> bool:
        return not self.has_changed()


class IncomeLineForm(_LineForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IncomeLine.Kind.choices)
    field_order = ["kind", "description", "amount"]


class ExpenseLineForm(_LineForm):
    item = forms.ChoiceField(label=gettext_lazy("Expense item"), choices=ExpenseLine.Item.choices)
    eligible = forms.BooleanField(label=gettext_lazy("Eligible"), required=False, initial=True)
    field_order = ["item", "description", "amount", "eligible"]


class _LineFormSet(forms.BaseFormSet):
    model: type[IncomeLine] | type[ExpenseLine]

    def lines(self) -> list:
        """The filled rows of a valid formset, as unsaved lines of stage “actual”."""
        return [
            self.model(stage=BudgetStage.ACTUAL, sort_order=order, **form.cleaned_data)
            for order, form in enumerate(
                (form for form in self.forms if not form.is_blank and form.cleaned_data), 1
            )
        ]


class _IncomeFormSet(_LineFormSet):
    model = IncomeLine


class _ExpenseFormSet(_LineFormSet):
    model = ExpenseLine


IncomeFormSet = forms.formset_factory(
    IncomeLineForm,
    formset=_IncomeFormSet,
    extra=EXTRA_ROWS,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)
ExpenseFormSet = forms.formset_factory(
    ExpenseLineForm,
    formset=_ExpenseFormSet,
    extra=EXTRA_ROWS,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("What was done"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": gettext_lazy("Describe what the project did.")},
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Participants"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("How many people took part, in total."),
        error_messages={
            "invalid": gettext_lazy("Enter the number of participants as a number."),
            "min_value": gettext_lazy("Enter the number of participants as a number."),
            "max_value": gettext_lazy("Enter the number of participants as a number."),
        },
    )
    effects = forms.CharField(
        label=gettext_lazy("Effects"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            key = self.add_prefix("participants")
            if data.get(key):
                data[key] = nfkc(data[key]).replace(",", "")
            self.data = data


class DocumentForm(forms.Form):
    """A report-stage document, added from the report page."""

    document_type = forms.TypedChoiceField(
        label=gettext_lazy("Document"), coerce=int, required=False
    )
    document = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
        help_text=gettext_lazy(
            "PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx). Only your group and the city's "
            "staff can see it."
        ),
    )

    def __init__(self, *args, types: list[AttachmentType], **kwargs):
        super().__init__(*args, **kwargs)
        self.types = {attachment_type.pk: attachment_type for attachment_type in types}
        self.fields["document_type"].choices = [(pk, str(t)) for pk, t in self.types.items()]

    def clean(self):
        data = super().clean()
        if data.get("document") and data.get("document_type") not in self.types:
            self.add_error("document_type", _("Choose which document the file is."))
        return data


class ChangeRequestForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("What changes and why"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=gettext_lazy(
            "The part of the plan or budget that changes, how, and the reason for it."
        ),
        error_messages={"required": gettext_lazy("Describe what changes and why.")},
    )
    new_amount = YenField(
        label=gettext_lazy("New grant amount (yen)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Only when the change needs a different grant amount."),
        message=gettext_lazy("Enter the new amount in whole yen, for example 80000."),
    )

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)

    def clean_new_amount(self):
        amount = self.cleaned_data.get("new_amount")
        requested = self.application.requested_amount
        if amount is not None and amount > requested:
            raise ValidationError(
                _("The new amount must be between ¥1 and the ¥%(requested)s requested.")
                % {"requested": f"{requested:,}"}
            )
        return amount

    @property
    def summary(self):
        amount = self.cleaned_data.get("new_amount")
        return [
            (self.fields["description"].label, self.cleaned_data["description"]),
            (
                self.fields["new_amount"].label,
                f"¥{amount:,}" if amount is not None else _("No change"),
            ),
        ]


# --- helpers ------------------------------------------------------------------------------------


def application_url(application) -> str:
    """The group's application page (subsidies/applications.py)."""
    try:
        return reverse("subsidies:application_detail", args=[application.pk])
    except NoReverseMatch:  # the page is built in another module; its address is agreed
        return f"/subsidies/applications/{application.pk}/"


def attachment_url(attachment) -> str:
    try:
        return reverse("subsidies:attachment", args=[attachment.pk])
    except NoReverseMatch:
        return ""


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
    repayment = Repayment.objects.filter(application=application).first()
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
            _add_errors(form, error)
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


def _add_errors(form, error: ValidationError) -> None:
    """A service's errors next to the form's fields; the rest on top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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


def _with_more_rows(data, prefix: str):
    """The posted data with EXTRA_ROWS more blank rows for `prefix` (within MAX_ROWS)."""
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + EXTRA_ROWS, MAX_ROWS))
    return data


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
    return [
        attachment_type
        for attachment_type in application.programme.required_attachment_types.all()
        if attachment_type.stage == AttachmentType.Stage.REPORT
        and attachment_type.pk not in present
    ]


def _line_errors(budget: money.Budget | None, missing) -> dict[str, list[str]]:
    """The service's checks of a report, on the lines typed (None: some rows are wrong), so
    that the group sees them with every other message before the confirmation page (the
    service checks them again when the report is filed)."""
    errors: dict[str, list[str]] = {}
    if budget is None:
        pass
    elif budget.expenses == 0:
        errors["expense_lines"] = [_("Enter the actual expenses, by expense item.")]
    if budget is not None and not budget.balanced:
        errors["income_lines"] = [
            _("Actual income (¥%(income)s) and expenses (¥%(expenses)s) must be equal.")
            % {"income": f"{budget.income:,}", "expenses": f"{budget.expenses:,}"}
        ]
    if missing:
        errors["attachments"] = [
            _("Attach the following documents: %(documents)s.")
            % {"documents": "、".join(str(t) for t in missing)}
        ]
    return errors


def _formula_amount(application, budget: money.Budget) -> int | None:
    """What 額の確定 would give on these lines: min(decided, the formula)."""
    if application.category is None or application.decided_amount is None:
        return None
    formula = money.category_eligible_amount(application.category, budget.eligible_expenses)
    return min(application.decided_amount, formula)


def _save_report(application, *, by, form, income, expenses) -> None:
    """File the report with its actual lines, in one service call."""
    lines = [*income.lines(), *expenses.lines()]
    services.application_report(
        application=application,
        by=by,
        summary=form.cleaned_data["summary"],
        participants=form.cleaned_data.get("participants"),
        effects=form.cleaned_data.get("effects") or "",
        income_lines=[line for line in lines if isinstance(line, IncomeLine)],
        expense_lines=[line for line in lines if isinstance(line, ExpenseLine)],
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
        data = _with_more_rows(data, "income")
    if "_more_expense" in data:
        data = _with_more_rows(data, "expense")
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
    line_errors = _line_errors(budget, _missing_documents(application, context["documents"]))
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
                attachment_remove(attachment=document, by=request.user)
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
    try:
        attachment = attachment_add(
            application=application,
            attachment_type=document_form.types[document_form.cleaned_data["document_type"]],
            file=document_form.cleaned_data["document"],
            by=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        document_form.add_error("document", error.messages)
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
    """The service's refusal: the summary's message next to it, the lines' and documents'
    beside their tables."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return {}
    line_errors = {}
    for field, errors in error.message_dict.items():
        if field == "report_summary":
            form.add_error("summary", errors)
        elif field in ("income_lines", "expense_lines", "attachments"):
            line_errors[field] = errors
        else:
            form.add_error(None, errors)
    return line_errors


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

"""The forms of an application: starting it, the plan, one budget-line formset for the plan
and the report, documents, the eligibility declarations. Every field tolerates what people type
on a phone in Japanese (全角 digits, commas in amounts, 2026/11/28; see muroran_kyodo.lib.fields),
and each error says what to do next to the field. Forms validate; services persist."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import CountField, ModelMultipleChoiceField, YenField
from muroran_kyodo.lib.fields import DateField as JapaneseDateField
from muroran_kyodo.lib.widgets import SearchableCheckboxSelectMultiple, SelectWithOptionData
from organizations.models import Organization

from ..models import (
    DECLARATIONS,
    AttachmentType,
    BudgetStage,
    Category,
    ExpenseLine,
    IncomeLine,
)

# Empty rows under the filled ones; "add rows" gives this many more, up to MAX_ROWS.
EXTRA_ROWS = 3
MAX_ROWS = 40


def member_organizations(user):
    """Organisations the user belongs to (any role)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.filter(memberships__user=user).distinct().order_by("name_kana", "pk")
    )


def verified_member_organizations(user):
    """Verified organisations the user belongs to: the only ones they may apply for."""
    return member_organizations(user).filter(status=Organization.Status.VERIFIED)


# --- starting an application -------------------------------------------------------------------


class StartForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation applying"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose"),
        help_text=_("Only verified organisations you are a member of."),
        error_messages={
            "required": _("Choose the organisation you apply for."),
            "invalid_choice": _(
                "You can apply only for a verified organisation you are a member of."
            ),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose"),
        error_messages={"required": _("Choose the category you apply for.")},
    )
    title = forms.CharField(
        label=_("Project title"),
        max_length=200,
        error_messages={"required": _("Enter the project title.")},
    )

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["organization"].queryset = verified_member_organizations(user).select_related(
            "actor_type"
        )
        self.fields["category"].queryset = programme.categories.all()

    def clean_organization(self):
        organization = self.cleaned_data["organization"]
        eligible = list(self.programme.eligible_actor_types.all())
        if eligible and organization.actor_type_id not in {t.pk for t in eligible}:
            raise ValidationError(
                _("This programme is open to %(types)s only.")
                % {"types": "、".join(str(t) for t in eligible)}
            )
        return organization


# --- the plan ----------------------------------------------------------------------------------

PLAN_FIELDS = (
    "category",
    "title",
    "purpose",
    "content",
    "place",
    "starts_on",
    "ends_on",
    "expected_effects",
    "partner_organizations",
    "partner_text",
    "member_count",
    "youth_count",
    "requested_amount",
)


def describe_organization(organization) -> str:
    """An organisation's type and district, shown beside its name in the list of partners."""
    parts = [str(organization.actor_type)]
    if organization.district_id:
        parts.append(str(organization.district))
    return "・".join(parts)


def category_option_data(category) -> dict[str, str]:
    """A category's rate and cap on its <option>, for static/js/live-totals.js."""
    return {"rate": category.rate_label, "cap": str(category.cap)}


class PlanForm(forms.Form):
    """The plan of a draft. A plain form (not a ModelForm): on "save as draft" each valid field
    is kept even when others are wrong, so it must not touch the instance while validating."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose"),
        required=False,
        widget=SelectWithOptionData(option_data=category_option_data),
    )
    title = forms.CharField(
        label=_("Project title"),
        max_length=200,
        error_messages={"required": _("Enter the project title.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content = forms.CharField(
        label=_("What the project will do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = JapaneseDateField(label=_("Starts on"), required=False)
    ends_on = JapaneseDateField(label=_("Ends on"), required=False)
    expected_effects = forms.CharField(
        label=_("Expected effects"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    partner_organizations = ModelMultipleChoiceField(
        label=_("Partner organisations (registered in the portal)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=SearchableCheckboxSelectMultiple(
            describe=describe_organization,
            keywords=lambda organization: organization.name_kana,
            search_label=_("Find an organisation by name, type or district"),
        ),
        help_text=_("Verified organisations of the registry. Tick every partner."),
        error_messages={
            "invalid_choice": _(
                "Choose partner organisations from the list: %(value)s is not a verified "
                "organisation of the registry."
            ),
            "invalid_pk_value": _(
                "Choose partner organisations from the list: “%(pk)s” is not one of them."
            ),
        },
    )
    partner_text = forms.CharField(
        label=_("Other partners"),
        max_length=300,
        required=False,
        help_text=_("Partners not in the registry, as text."),
    )
    member_count = CountField(label=_("Number of members"))
    youth_count = CountField(label=_("Members in the programme's age band"))
    requested_amount = YenField(label=_("Amount requested (yen)"), required=False)

    def __init__(self, *args, application, **kwargs):
        self.application = application
        programme = application.programme
        kwargs.setdefault("initial", self.initial_from(application))
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = programme.categories.all()
        self.fields["partner_organizations"].queryset = (
            Organization.objects.verified()
            .exclude(pk=application.organization_id)
            .select_related("actor_type", "district")
            .order_by("name_kana", "pk")
        )
        if programme.min_members or programme.age_band_share_percent is not None:
            self.fields["youth_count"].label = _("Members aged %(low)s to %(high)s") % {
                "low": programme.age_band_min,
                "high": programme.age_band_max,
            }
            self.fields["member_count"].help_text = _(
                "Attach the member list (名簿) as the evidence."
            )
            self.asks_members = True
        else:
            del self.fields["member_count"]
            del self.fields["youth_count"]
            self.asks_members = False
        self.fields["requested_amount"].help_text = _(
            "The same amount as the income line “This subsidy”."
        )
        self.fields["requested_amount"].widget.attrs["data-sum"] = "requested"

    @staticmethod
    def initial_from(application) -> dict:
        initial = {name: getattr(application, name) for name in PLAN_FIELDS}
        initial["category"] = application.category_id
        initial["partner_organizations"] = [o.pk for o in application.partner_organizations.all()]
        initial["requested_amount"] = (
            f"{application.requested_amount:,}" if application.requested_amount else ""
        )
        return initial

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must be on or after the start date."))
        members, youth = data.get("member_count"), data.get("youth_count")
        if members is not None and youth is not None and youth > members:
            self.add_error("youth_count", _("This cannot be more than the number of members."))
        return data

    def valid_values(self) -> dict:
        """What can be saved now: every field without an error, in a combination the
        database accepts (the schedule in order, the age band within the members)."""
        values = {
            name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data
        }
        if "requested_amount" in values and values["requested_amount"] is None:
            values["requested_amount"] = 0
        application = self.application
        starts = values.get("starts_on", application.starts_on)
        ends = values.get("ends_on", application.ends_on)
        if starts and ends and ends < starts:
            values.pop("starts_on", None)
            values.pop("ends_on", None)
        members = values.get("member_count", application.member_count)
        youth = values.get("youth_count", application.youth_count)
        if members is not None and youth is not None and youth > members:
            values.pop("member_count", None)
            values.pop("youth_count", None)
        return values


class BudgetLineForm(forms.Form):
    """One budget row, of the plan or of the report. A row with neither description nor amount
    is blank and no line (whatever its kind says); any other row needs its kind and amount."""

    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = YenField(label=_("Amount (yen)"), required=False)

    KIND_FIELD = ""
    kind_required = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Which totals of static/js/live-totals.js this row's amount adds to, and when.
        self.fields["amount"].widget.attrs["data-sum"] = self.live_sums()

    def live_sums(self) -> str:
        return ""

    def clean(self):
        data = super().clean()
        kind = data.get(self.KIND_FIELD)
        amount = data.get("amount")
        # The kind alone makes no line: a row with neither description nor amount is blank.
        self.is_blank = not data.get("description") and amount is None and not self.errors
        if self.is_blank:
            return data
        if not kind and self.KIND_FIELD not in self.errors:
            self.add_error(self.KIND_FIELD, self.kind_required)
        if amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount in yen."))
        return data


class IncomeLineForm(BudgetLineForm):
    kind = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("Choose"))] + list(IncomeLine.Kind.choices),
        required=False,
    )
    field_order = ["kind", "description", "amount"]
    KIND_FIELD = "kind"
    kind_required = _("Choose where this income comes from.")

    def live_sums(self) -> str:
        # money.totals: every income line; "this subsidy" only the lines of that kind.
        return f"income; this_subsidy if {self['kind'].auto_id}={IncomeLine.Kind.THIS_SUBSIDY}"

    @staticmethod
    def line(data) -> IncomeLine:
        return IncomeLine(
            kind=data["kind"], description=data.get("description", ""), amount=data["amount"]
        )


class ExpenseLineForm(BudgetLineForm):
    item = forms.ChoiceField(
        label=_("Expense item"),
        choices=[("", _("Choose"))] + list(ExpenseLine.Item.choices),
        required=False,
    )
    eligible = forms.BooleanField(label=_("Eligible for the subsidy"), required=False, initial=True)
    field_order = ["item", "description", "amount", "eligible"]
    KIND_FIELD = "item"
    kind_required = _("Choose the expense item.")

    def live_sums(self) -> str:
        # money.totals: every expense line; the eligible expenses only the lines ticked.
        return f"expenses; eligible if {self['eligible'].auto_id}"

    @staticmethod
    def line(data) -> ExpenseLine:
        return ExpenseLine(
            item=data["item"],
            description=data.get("description", ""),
            amount=data["amount"],
            eligible=bool(data.get("eligible")),
        )


class BudgetLineFormSet(forms.BaseFormSet):
    """The rows of one budget table (income or expenses), of the plan or of the report."""

    def is_filled(self, form) -> bool:
        return not getattr(form, "is_blank", True) and form.has_changed()

    def lines(self, stage: str = BudgetStage.ACTUAL) -> list:
        """The filled rows of a valid formset, as unsaved lines of `stage`, in order."""
        lines = []
        for order, form in enumerate((f for f in self.forms if self.is_filled(f)), 1):
            line = form.line(form.cleaned_data)
            line.stage, line.sort_order = stage, order
            lines.append(line)
        return lines

    def lines_keeping(self, saved) -> list | None:
        """The rows to save now: each valid row as typed; a row with an error keeps the line
        saved at its place before (if any), so nothing saved is lost by a typo. None when the
        row count was tampered with: leave the saved lines as they are."""
        if self.non_form_errors():
            return None
        kept = []
        for n, form in enumerate(self.forms):
            if form.errors:
                if n < len(saved):
                    kept.append(saved[n])
            elif self.is_filled(form):
                kept.append(form.line(form.cleaned_data))
        return kept


def _line_formset(form):
    return forms.formset_factory(
        form,
        formset=BudgetLineFormSet,
        extra=EXTRA_ROWS,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


IncomeFormSet = _line_formset(IncomeLineForm)
ExpenseFormSet = _line_formset(ExpenseLineForm)


def with_more_rows(data, prefix: str):
    """The posted data with EXTRA_ROWS more blank rows for `prefix` (within MAX_ROWS)."""
    key = f"{prefix}-TOTAL_FORMS"
    try:
        rows = int(data.get(key, 0))
    except ValueError:
        rows = 0
    data[key] = str(min(MAX_ROWS, max(0, rows) + EXTRA_ROWS))
    return data


def line_initial(lines, fields) -> list[dict]:
    return [
        {
            **{name: getattr(line, name) for name in fields},
            "amount": f"{line.amount:,}",
        }
        for line in lines
    ]


# --- documents ---------------------------------------------------------------------------------


class AttachmentForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("Document"),
        queryset=AttachmentType.objects.none(),
        empty_label=_("Choose"),
        error_messages={"required": _("Choose which document this is.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx)."),
        error_messages={"required": _("Choose the file to attach.")},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = programme.required_attachment_types.filter(
            stage=AttachmentType.Stage.APPLICATION
        )


# --- 事前相談 ------------------------------------------------------------------------------------


class DeclarationsForm(forms.Form):
    """The declarations the group ticks on the confirmation page before it submits; every one
    is required (the service refuses the submission too, with the same message)."""

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault(
            "initial", {name: getattr(application, name) for name, _text in DECLARATIONS}
        )
        super().__init__(*args, **kwargs)
        for name, text in DECLARATIONS:
            self.fields[name] = forms.BooleanField(
                label=text,
                required=True,
                error_messages={
                    "required": _(
                        "Tick this declaration: an application without it cannot be submitted."
                    )
                },
            )

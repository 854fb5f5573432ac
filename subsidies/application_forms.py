"""Forms of the group's application: starting one, the plan with its budget rows, documents and
the prior consultation. Every field tolerates what people type on a phone in Japanese (全角
digits, commas in amounts, 2026/11/28), and each error says what to do next to the field."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import ModelMultipleChoiceField
from muroran_kyodo.lib.jp import DateInput, nfkc
from organizations.models import CollaborationForm, Organization

from .models import (
    AttachmentType,
    Category,
    ExpenseLine,
    IncomeLine,
)

# No line of a community-activity budget comes near ¥100 million: above it is a typo.
MAX_LINE_YEN = 100_000_000
MAX_MEMBERS = 100_000
# Empty rows under the filled ones; "add rows" gives this many more, up to MAX_ROWS.
EXTRA_ROWS = 3
MAX_ROWS = 40
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


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


class YenField(forms.CharField):
    """Whole yen. Full-width digits, commas, ¥ and 円 are accepted; negatives, fractions and
    absurd amounts are refused with a message that says what to type."""

    default_error_messages = {
        "invalid": _("Enter the amount in yen using digits only, for example 120,000."),
        "negative": _("Amounts cannot be negative. Enter 0 or more."),
        "fraction": _("Enter whole yen, without a decimal point."),
        "too_large": _("Enter at most ¥%(limit)s."),
    }

    def __init__(self, *, max_value=MAX_LINE_YEN, **kwargs):
        self.max_value = max_value
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 30}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = nfkc(super().to_python(value))
        text = re.sub(r"[,\s¥￥円]", "", text.replace("\\", ""))
        if not text:
            return None
        if len(text) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if text[0] in "-−△▲":
            raise ValidationError(self.error_messages["negative"], code="negative")
        if re.fullmatch(r"\d+\.\d*", text):
            if set(text.split(".", 1)[1]) <= {"0"}:
                text = text.split(".", 1)[0]
            else:
                raise ValidationError(self.error_messages["fraction"], code="fraction")
        if not re.fullmatch(r"\d+", text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(text)
        if amount > self.max_value:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": f"{self.max_value:,}"},
            )
        return amount


class CountField(forms.IntegerField):
    """A number of people, typed in full or half width."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_MEMBERS)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "invalid": _("Enter a number of people in digits, for example 5."),
                "min_value": _("Enter 0 or more."),
                "max_value": _("Enter at most %(limit_value)s."),
            }
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = nfkc(value).replace(",", "").removesuffix("人").strip()
        return super().to_python(value)


class JapaneseDateField(forms.DateField):
    """The browser's date picker, or 2026/11/28 and ２０２６年１１月２８日 typed by hand."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Enter a date such as 2026/11/28.")

    def to_python(self, value):
        if isinstance(value, str):
            value = nfkc(value)
        return super().to_python(value)


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
    "collaboration_form",
    "member_count",
    "youth_count",
    "requested_amount",
)


class PlanForm(forms.Form):
    """The plan of a draft. A plain form (not a ModelForm): on "save as draft" each valid field
    is kept even when others are wrong, so it must not touch the instance while validating."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose"),
        required=False,
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
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Verified organisations of the registry. Hold Ctrl (or ⌘) to choose more than one."
        ),
    )
    partner_text = forms.CharField(
        label=_("Other partners"),
        max_length=300,
        required=False,
        help_text=_("Partners not in the registry, as text."),
    )
    collaboration_form = forms.ModelChoiceField(
        label=_("Form of collaboration"),
        queryset=CollaborationForm.objects.none(),
        empty_label=_("Choose"),
        required=False,
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
            .only("pk", "name", "name_kana")
            .order_by("name_kana", "pk")
        )
        self.fields["collaboration_form"].queryset = CollaborationForm.objects.all()
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

    @staticmethod
    def initial_from(application) -> dict:
        initial = {name: getattr(application, name) for name in PLAN_FIELDS}
        initial["category"] = application.category_id
        initial["collaboration_form"] = application.collaboration_form_id
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


class _LineForm(forms.Form):
    """One budget row; a row left blank is no line."""

    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = YenField(label=_("Amount (yen)"), required=False)

    KIND_FIELD = ""

    def clean(self):
        data = super().clean()
        kind = data.get(self.KIND_FIELD)
        amount = data.get("amount")
        self.is_blank = (
            not kind and not data.get("description") and amount is None and not self.errors
        )
        if self.is_blank:
            return data
        if not kind and self.KIND_FIELD not in self.errors:
            self.add_error(self.KIND_FIELD, self.kind_required)
        if amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount in yen."))
        return data


class IncomeLineForm(_LineForm):
    kind = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("Choose"))] + list(IncomeLine.Kind.choices),
        required=False,
    )
    field_order = ["kind", "description", "amount"]
    KIND_FIELD = "kind"
    kind_required = _("Choose where this income comes from.")


class ExpenseLineForm(_LineForm):
    item = forms.ChoiceField(
        label=_("Expense item"),
        choices=[("", _("Choose"))] + list(ExpenseLine.Item.choices),
        required=False,
    )
    eligible = forms.BooleanField(label=_("Eligible for the subsidy"), required=False, initial=True)
    field_order = ["item", "description", "amount", "eligible"]
    KIND_FIELD = "item"
    kind_required = _("Choose the expense item.")


class _LineFormSet(forms.BaseFormSet):
    def lines(self):
        """(row number, form) of the rows that are not blank."""
        return [
            (n, form)
            for n, form in enumerate(self.forms)
            if not getattr(form, "is_blank", False) and form.has_changed()
        ]


IncomeFormSet = forms.formset_factory(
    IncomeLineForm,
    formset=_LineFormSet,
    extra=0,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)
ExpenseFormSet = forms.formset_factory(
    ExpenseLineForm,
    formset=_LineFormSet,
    extra=0,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


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


class ConsultationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose"),
        error_messages={
            "required": _("Choose the organisation that consults."),
            "invalid_choice": _("You can book only for an organisation you are a member of."),
        },
    )
    held_on = JapaneseDateField(
        label=_("Preferred date"),
        error_messages={"required": _("Enter the date you would like to consult.")},
    )
    topic = forms.CharField(
        label=_("What you would like to consult about"),
        max_length=200,
        error_messages={"required": _("Write what you would like to consult about.")},
    )

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["organization"].queryset = member_organizations(user)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        last = self.programme.fiscal_year_dates[1]
        if held_on > last:
            raise ValidationError(
                _("Choose a date within the fiscal year, until %(last)s.") % {"last": last}
            )
        return held_on

    def clean_topic(self):
        topic = self.cleaned_data["topic"].strip()
        if not topic:
            raise ValidationError(_("Write what you would like to consult about."))
        return topic

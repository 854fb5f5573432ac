"""The forms after the application: the prior consultation (事前相談), the completion report,
its documents, 変更承認, stopping the project (中止・廃止), and the admin's advance payment."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import CountField, YenField
from muroran_kyodo.lib.fields import DateField as JapaneseDateField
from organizations.models import Organization

from .. import services
from ..models import (
    Application,
    AttachmentType,
    Payment,
)
from .applications import member_organizations


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


# --- 実績報告 and 変更承認 ----------------------------------------------------------------------


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Describe what the project did.")},
    )
    participants = CountField(
        label=_("Participants"),
        max_value=1_000_000,
        help_text=_("How many people took part, in total."),
        error_messages={
            "invalid": _("Enter the number of participants as a number."),
            "min_value": _("Enter the number of participants as a number."),
            "max_value": _("Enter the number of participants as a number."),
        },
    )
    effects = forms.CharField(
        label=_("Effects"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DocumentForm(forms.Form):
    """A report-stage document, added from the report page."""

    document_type = forms.TypedChoiceField(label=_("Document"), coerce=int, required=False)
    document = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
        help_text=_(
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
        label=_("What changes and why"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("The part of the plan or budget that changes, how, and the reason for it."),
        error_messages={"required": _("Describe what changes and why.")},
    )
    new_amount = YenField(
        label=_("New grant amount (yen)"),
        required=False,
        help_text=_("Only when the change needs a different grant amount."),
        error_messages={"invalid": _("Enter the new amount in whole yen, for example 80000.")},
    )

    def __init__(self, *args, application: Application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)

    def clean_new_amount(self):
        amount = self.cleaned_data.get("new_amount")
        requested = self.application.requested_amount
        if amount is not None and not (0 < amount <= requested):
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


# --- the reviewer ---------------------------------------------------------------------------


class StopRequestForm(forms.Form):
    """中止・廃止の申請: why the group asks to stop its project."""

    reason = forms.CharField(
        label=_("Why the project must stop"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write why the project must stop.")},
    )


class AdvancePaymentForm(forms.ModelForm):
    """An advance (概算払) keyed in by staff, the amount and date as people type them."""

    paid_on = JapaneseDateField(label=_("paid on"))
    amount = YenField(label=_("amount (yen)"))

    class Meta:
        model = Payment
        fields = ["application", "paid_on", "amount"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("application") and cleaned.get("amount"):
            services.check_advance(application=cleaned["application"], amount=cleaned["amount"])
        return cleaned

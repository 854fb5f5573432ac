"""The partner's three requests to the city: rubbish pickup, supplies, equipment loan; and
staff's attendance of a sign-up."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import EARLIEST_DATE, check_date_range
from organizations.models import District

from ..models import (
    MAX_BAGS,
    Equipment,
    EquipmentLoan,
    PickupRequest,
    Programme,
    Signup,
    SupplyRequest,
    SupplyRequestLine,
)

# How long one loan may last, and how far ahead a loan or a pickup may be asked for.
LOAN_LONGEST = dt.timedelta(days=90)
LOAN_BOOKED_AHEAD = dt.timedelta(days=365)


class PickupRequestForm(forms.ModelForm):
    class Meta:
        model = PickupRequest
        fields = [
            "district",
            "location",
            "burnable_bags",
            "non_burnable_bags",
            "available_from",
            "notes",
        ]
        widgets = {
            "available_from": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.order_by("sort_order", "kana")
        for name in ("burnable_bags", "non_burnable_bags"):
            # An empty box is 0: a pickup of burnable bags only leaves the other empty.
            field = self.fields[name]
            field.required = False
            field.widget.attrs.update({"min": 0, "max": MAX_BAGS, "inputmode": "numeric"})
            field.error_messages["min_value"] = _("Write 0 or more.")
            field.error_messages["max_value"] = _("Write at most %(limit_value)s.")

    def clean_burnable_bags(self):
        return self.cleaned_data.get("burnable_bags") or 0

    def clean_non_burnable_bags(self):
        return self.cleaned_data.get("non_burnable_bags") or 0

    def clean_available_from(self):
        moment = self.cleaned_data.get("available_from")
        if moment:
            check_date_range(
                timezone.localtime(moment).date(),
                earliest=EARLIEST_DATE,
                latest=timezone.localdate() + LOAN_BOOKED_AHEAD,
            )
        return moment

    def clean(self):
        cleaned = super().clean()
        burnable, non_burnable = cleaned.get("burnable_bags"), cleaned.get("non_burnable_bags")
        if burnable == 0 and non_burnable == 0:
            self.add_error("burnable_bags", _("Write how many bags there are to collect."))
        return cleaned


class SupplyRequestForm(forms.ModelForm):
    """A quantity box per offered item; an empty box is 0."""

    class Meta:
        model = SupplyRequest
        fields = ["delivery_note", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.unit}）",
                required=False,
                min_value=0,
                max_value=item.max_per_request,
                help_text=_("Up to %(max)d %(unit)s.")
                % {"max": item.max_per_request, "unit": item.unit},
                error_messages={
                    "min_value": _("Write 0 or more."),
                    "max_value": _("Up to %(max)d %(unit)s per request.")
                    % {"max": item.max_per_request, "unit": item.unit},
                    "invalid": _("Write a whole number."),
                },
                widget=forms.NumberInput(attrs={"min": 0, "max": item.max_per_request}),
            )
        # The items first, then where to deliver.
        self.order_fields([f"item_{item.pk}" for item in self.items] + ["delivery_note", "notes"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.lines():
            raise ValidationError(_("Write the quantity of at least one item."))
        return cleaned

    def lines(self) -> list[SupplyRequestLine]:
        return [
            SupplyRequestLine(item=item, quantity=quantity)
            for item in self.items
            if (quantity := self.cleaned_data.get(f"item_{item.pk}") or 0) > 0
        ]


class EquipmentLoanForm(forms.ModelForm):
    class Meta:
        model = EquipmentLoan
        fields = ["equipment", "lend_on", "return_by", "notes"]
        widgets = {
            "lend_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "return_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = Equipment.objects.filter(is_active=True)

    def clean_lend_on(self):
        day = self.cleaned_data["lend_on"]
        if day < timezone.localdate():
            raise ValidationError(_("The start cannot be in the past."))
        check_date_range(day, earliest=None, latest=timezone.localdate() + LOAN_BOOKED_AHEAD)
        return day

    def clean(self):
        cleaned = super().clean()
        lend_on, return_by = cleaned.get("lend_on"), cleaned.get("return_by")
        if lend_on and return_by and return_by < lend_on:
            self.add_error("return_by", _("The return date cannot be before the start."))
        elif lend_on and return_by and return_by > lend_on + LOAN_LONGEST:
            # A loan until 9999-12-31 would block the equipment for everyone else.
            self.add_error(
                "return_by",
                _("A loan lasts at most %(days)s days: return it by %(day)s at the latest.")
                % {"days": LOAN_LONGEST.days, "day": (lend_on + LOAN_LONGEST).strftime("%Y/%m/%d")},
            )
        return cleaned


class AttendanceForm(forms.ModelForm):
    """What staff change on a sign-up: attendance and hours, never the status."""

    class Meta:
        model = Signup
        fields = ["attended", "hours"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != Signup.Status.CONFIRMED:
            raise ValidationError(_("Attendance can be recorded only for confirmed sign-ups."))
        if cleaned.get("attended") and cleaned.get("hours") is None:
            if self.instance.shift.opportunity.programme == Programme.MAKASETE:
                self.add_error("hours", _("Enter the hours worked: they are paid."))
        return cleaned

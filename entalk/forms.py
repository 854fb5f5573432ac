"""The forms of enとーく's group pages: the request form (入力 → 確認 → 完了), the group's
answer to a proposed date, the cancellation, and the public session list's filter. Forms
validate; `services` persist and hold the rules (lead time, participants, venue in the city,
one open request per group)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.confirm import confirm_value
from muroran_kyodo.lib.fields import CountField, DateField
from muroran_kyodo.lib.jp import NormalizedEmailField, PhoneField, PostalCodeField, validate_name
from muroran_kyodo.lib.widgets import OnePassSelect
from organizations.models import District, Membership, Organization

from . import services
from .models import SLOTS_PER_REQUEST, Theme

INFORMAL = "informal"
STEP_FREE_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unknown", _("Don't know")),
]
STEP_FREE_VALUES = {"yes": True, "no": False, "unknown": None}


def start_times() -> list[tuple[str, str]]:
    """Half-hour start times from 09:00 to 20:00."""
    times = []
    minutes = 9 * 60
    while minutes <= 20 * 60:
        label = f"{minutes // 60:02d}:{minutes % 60:02d}"
        times.append((label, label))
        minutes += 30
    return times


def managed_organizations(user: Any):
    """The verified organisations `user` is a 代表者 or 担当者 of: they may request for them."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.filter(
            status=Organization.Status.VERIFIED,
            memberships__user=user,
            memberships__role__in=Membership.MANAGING_ROLES,
        )
        .distinct()
        .order_by("name")
    )


def slot_field(n: int) -> str:
    """The form field a service refusal of slot `n` ("slot_1") is shown next to."""
    return f"slot_{n}_date"


class RequestForm(forms.Form):
    organization = forms.ChoiceField(
        label=_("Who the request is for"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the request is for.")},
    )
    group_name = forms.CharField(
        label=_("Name of the group"),
        max_length=200,
        validators=[validate_name],
        required=False,
        help_text=_("For an informal group. An organisation of the registry uses its own name."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=100,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter the name of the contact person.")},
    )
    email = NormalizedEmailField(
        label=_("E-mail"),
        help_text=_("The city answers there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Give an e-mail address for the city's answer.")},
    )
    phone = PhoneField(label=_("Phone"), required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("Theme categories"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    theme = forms.CharField(
        label=_("What you want to talk about with the mayor"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you want to talk about.")},
    )
    venue_name = forms.CharField(
        label=_("Venue"),
        max_length=200,
        error_messages={"required": _("Enter the name of the venue.")},
    )
    venue_district = forms.ModelChoiceField(
        label=_("Town of the venue"),
        queryset=District.objects.all(),
        error_messages={"required": _("Choose the town of the venue.")},
    )
    venue_postal_code = PostalCodeField(
        label=_("Postal code of the venue"),
        error_messages={"required": _("Enter the postal code of the venue.")},
    )
    venue_address = forms.CharField(
        label=_("Address of the venue"),
        max_length=200,
        error_messages={"required": _("Enter the address of the venue.")},
    )
    step_free = forms.ChoiceField(
        label=_("Can the venue be reached without steps?"),
        choices=STEP_FREE_CHOICES,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    participants_expected = CountField(
        label=_("Expected participants"),
        required=True,
        error_messages={"required": _("Enter how many people you expect.")},
    )
    public_naming = forms.BooleanField(
        label=_("The group may be named in public"),
        required=False,
        help_text=_(
            "The group's name may appear in the public calendar and record. Without this, they "
            "say “a group in the city”."
        ),
    )
    note = forms.CharField(
        label=_("Anything else"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in managed_organizations(user)}
        self.fields["organization"].choices = [(INFORMAL, _("An informal group (name below)"))] + [
            (pk, organization.name) for pk, organization in self.organizations.items()
        ]
        self.fields["themes"].queryset = Theme.objects.filter(is_active=True)
        times = [("", _("Choose a time"))] + start_times()
        # The preferred slots, each a date and a start time; the first is required.
        slot_fields = {}
        for n in range(1, SLOTS_PER_REQUEST + 1):
            slot_fields[f"slot_{n}_date"] = DateField(
                label=_("Preference %(n)s: date") % {"n": n}, required=n == 1
            )
            slot_fields[f"slot_{n}_time"] = forms.ChoiceField(
                label=_("Preference %(n)s: start time") % {"n": n},
                choices=times,
                required=n == 1,
            )
        # After the theme, before the venue, as the paper form orders them.
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index("venue_name")
        self.fields = dict(fields[:at] + list(slot_fields.items()) + fields[at:])
        self.fields["slot_1_date"].error_messages["required"] = _(
            "Give at least your first preferred date."
        )
        self.fields["slot_1_time"].error_messages["required"] = _(
            "Choose the start time of your first preference."
        )
        if not self.is_bound:
            self.initial.setdefault("organization", INFORMAL)

    @staticmethod
    def initial_from_profile(user: Any) -> dict[str, str]:
        if not user.is_authenticated:
            return {}
        return {"contact_name": user.get_full_name(), "email": user.email, "phone": user.phone}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("organization") == INFORMAL and not (data.get("group_name") or "").strip():
            self.add_error("group_name", _("Write the name of the group."))
        for n in range(1, SLOTS_PER_REQUEST + 1):
            date, time = data.get(f"slot_{n}_date"), data.get(f"slot_{n}_time")
            if date and not time and f"slot_{n}_time" not in self.errors:
                self.add_error(f"slot_{n}_time", _("Choose a start time for this date."))
            if time and not date and f"slot_{n}_date" not in self.errors:
                self.add_error(f"slot_{n}_date", _("Give the date of this start time."))
        self._check_rules(data)
        return data

    def _check_rules(self, data: dict[str, Any]) -> None:
        """The service's slot and participant rules, already at the confirmation step so that
        nobody confirms a request that will be refused (the service checks again on sending)."""
        slot_errors = any(name.startswith("slot_") for name in self.errors)
        if not slot_errors and data.get("slot_1_date") and data.get("slot_1_time"):
            now = timezone.now()
            problems = services.slot_problems(self.slots(), now=now, received_at=now)
            for field, messages in problems.items():
                self.add_error(slot_field(int(field.split("_")[1])), messages)
        participants = data.get("participants_expected")
        minimum = services.rules().min_participants
        if participants is not None and participants < minimum:
            self.add_error(
                "participants_expected",
                _("A session needs at least %(count)s participants.") % {"count": minimum},
            )

    # --- reading ---------------------------------------------------------------------------

    def slot_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"slot_{n}_date"], self[f"slot_{n}_time"])
            for n in range(1, SLOTS_PER_REQUEST + 1)
        ]

    def organization_chosen(self) -> Organization | None:
        return self.organizations.get(self.cleaned_data.get("organization") or "")

    def slots(self) -> list[dt.datetime | None]:
        """The preferred slots as aware datetimes in Japan time; None for an empty one."""
        slots: list[dt.datetime | None] = []
        for n in range(1, SLOTS_PER_REQUEST + 1):
            date, time = (
                self.cleaned_data.get(f"slot_{n}_date"),
                self.cleaned_data.get(f"slot_{n}_time"),
            )
            if date and time:
                hour, minute = (int(part) for part in time.split(":"))
                slots.append(timezone.make_aware(dt.datetime.combine(date, dt.time(hour, minute))))
            else:
                slots.append(None)
        return slots

    def summary(self) -> list[tuple[Any, str]]:
        """(label, value) for the confirmation page: the slots as one date-time each."""
        data = self.cleaned_data
        rows: list[tuple[Any, str]] = []
        for name, field in self.fields.items():
            if name.startswith("slot_"):
                if name.endswith("_date"):
                    n = int(name.split("_")[1])
                    slot = self.slots()[n - 1]
                    value = f"{timezone.localtime(slot):%Y/%m/%d %H:%M}" if slot else "—"
                    rows.append((_("Preference %(n)s") % {"n": n}, value))
                continue
            if name == "group_name" and self.organization_chosen() is not None:
                continue
            rows.append((field.label, confirm_value(self[name], data.get(name))))
        return rows

    def request_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.request_create, other than `by`."""
        data = self.cleaned_data
        return {
            "organization": self.organization_chosen(),
            "slots": self.slots(),
            "themes": list(data.get("themes") or []),
            "group_name": data.get("group_name") or "",
            "contact_name": data["contact_name"],
            "email": data.get("email") or "",
            "phone": data.get("phone") or "",
            "theme": data["theme"],
            "venue_name": data["venue_name"],
            "venue_district": data["venue_district"],
            "venue_postal_code": data["venue_postal_code"],
            "venue_address": data["venue_address"],
            "step_free": STEP_FREE_VALUES.get(data.get("step_free") or "unknown"),
            "participants_expected": data["participants_expected"],
            "public_naming": bool(data.get("public_naming")),
            "note": data.get("note") or "",
        }


class ReasonRequiredForm(forms.Form):
    """The reason a group gives to decline a proposed date or to cancel its request."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason.")},
    )


class SessionFilterForm(forms.Form):
    """The public session list's filter, a GET form: anything not understood is ignored."""

    theme = forms.ModelChoiceField(
        label=_("Theme category"),
        queryset=Theme.objects.all(),
        required=False,
        empty_label=_("All themes"),
        widget=OnePassSelect,
    )
    district = forms.ModelChoiceField(
        label=_("Town"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("All towns"),
        widget=OnePassSelect,
    )
    year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=OnePassSelect,
    )

    def __init__(self, *args: Any, years: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [
            (str(year), label) for year, label in years
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters only, for Request.objects.filter()."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters: dict[str, Any] = {}
        if data.get("theme") is not None and "theme" not in self.errors:
            filters["themes"] = data["theme"]
        if data.get("district") is not None and "district" not in self.errors:
            filters["venue_district"] = data["district"]
        if data.get("year") is not None and "year" not in self.errors:
            filters["held_fiscal_year"] = data["year"]
        return filters

"""The partner programme's forms: registration (who registers, the contact of the person
responsible, where and what they will do, the agreement to the terms), the contact change, the
activity report, the three requests to the city, and staff's attendance of a sign-up."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import ModelMultipleChoiceField
from muroran_kyodo.lib.jp import (
    DateInput,
    KanaField,
    NormalizedEmailField,
    PhoneField,
    PostalCodeField,
    nfkc,
)
from muroran_kyodo.lib.uploads import validate_image
from organizations.models import District, Membership, Organization

from .models import (
    CONTACT_FIELDS,
    MAX_BAGS,
    MAX_PEOPLE,
    PLACES_ON_THE_FORM,
    ActivityKind,
    ActivityPlace,
    ActivityReport,
    Channel,
    Equipment,
    EquipmentLoan,
    PickupRequest,
    Programme,
    Registration,
    Signup,
    SupplyRequest,
    SupplyRequestLine,
)

PLACE_ROWS = PLACES_ON_THE_FORM  # fixed optional rows: enough for almost everyone, no JavaScript


def managed_organizations(user):
    """Verified organisations in which the user is 代表者 or 担当者: the only ones they may
    register for."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.verified()
        .filter(memberships__user=user, memberships__role__in=Membership.MANAGING_ROLES)
        .distinct()
        .order_by("name_kana", "pk")
    )


class ContactFields(forms.Form):
    """The contact of the person responsible, normalised as everywhere (kana, phone, postal
    code): on the registration form and on the registered partner's contact form."""

    contact_name = forms.CharField(
        label=_("Name of the person responsible"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_kana = KanaField(label=_("Reading of the name (katakana)"), max_length=200)
    contact_phone = PhoneField(label=_("Phone"))
    contact_email = NormalizedEmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    contact_postal_code = PostalCodeField(label=_("Postal code"), required=False)
    contact_address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )


class RegistrationForm(ContactFields, forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("Registering as"),
        choices=Registration.Kind.choices,
        widget=forms.RadioSelect,
        initial=Registration.Kind.INDIVIDUAL,
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("(not registering for an organisation)"),
        help_text=_(
            "Only verified organisations in which you are the representative or a contact person."
        ),
        error_messages={
            "invalid_choice": _(
                "You can register only for a verified organisation in which you are the "
                "representative or a contact person. Ask the organisation's representative."
            )
        },
    )
    group_name = forms.CharField(
        label=_("Name of the family or group"), max_length=200, required=False
    )
    member_count = forms.IntegerField(
        label=_("Number of people"),
        required=False,
        min_value=1,
        max_value=MAX_PEOPLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("For a family, group or organisation: how many people take part."),
        error_messages={
            "min_value": _("Enter the number of people, at least 1."),
            "max_value": _("Enter at most %(limit_value)s people."),
        },
    )
    agree = forms.BooleanField(
        label=_(
            "I have read the programme's terms: I take care of my own and others' safety, and "
            "I understand the city's volunteer insurance covers registered activities only."
        ),
        error_messages={"required": _("Tick the box to agree to the programme's terms.")},
    )

    class Meta:
        model = Registration
        fields = [
            "kind",
            "organization",
            "group_name",
            "member_count",
            "contact_name",
            "contact_kana",
            "contact_phone",
            "contact_email",
            "contact_postal_code",
            "contact_address",
            "district",
            "activity_kinds",
            "frequency",
            "skills",
            "list_publicly",
        ]
        field_classes = {"activity_kinds": ModelMultipleChoiceField}
        widgets = {
            "activity_kinds": forms.CheckboxSelectMultiple,
            "skills": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, programme: str, user, **kwargs):
        self.programme = programme
        self.user = user
        instance = kwargs.get("instance")
        self.editing = instance is not None and instance.pk is not None
        kwargs.setdefault(
            "instance", Registration(programme=programme, user=user, channel=Channel.WEB)
        )
        kwargs.setdefault(
            "initial",
            self.initial_from_registration(instance)
            if self.editing
            else self.initial_from_profile(user),
        )
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = managed_organizations(user)
        self.fields["district"].empty_label = _("Choose")
        self.fields["frequency"].choices = [("", _("Choose"))] + list(
            Registration.Frequency.choices
        )
        self.fields["list_publicly"].help_text = _(
            "Groups and organisations only. The name of a person is never published."
        )
        if programme == Programme.PIKA:
            self.fields["activity_kinds"].queryset = ActivityKind.objects.filter(is_active=True)
            self.fields["activity_kinds"].required = True
            self.fields["activity_kinds"].error_messages["required"] = _(
                "Choose at least one activity."
            )
            del self.fields["skills"]
        else:
            del self.fields["activity_kinds"]
            self.fields["skills"].required = True
            self.fields["skills"].error_messages["required"] = _(
                "Write what you can help with, so the city can ask you."
            )
        for n in range(1, PLACE_ROWS + 1):
            self.fields[f"place{n}_district"] = forms.ModelChoiceField(
                label=_("Place %(n)s: district") % {"n": n},
                queryset=District.objects.all(),
                required=False,
                empty_label=_("Choose"),
            )
            self.fields[f"place{n}_kind"] = forms.ChoiceField(
                label=_("Place %(n)s: kind of place") % {"n": n},
                choices=[("", _("Choose"))] + list(ActivityPlace.Kind.choices),
                required=False,
            )
            self.fields[f"place{n}_description"] = forms.CharField(
                label=_("Place %(n)s: the place in words") % {"n": n},
                max_length=200,
                required=False,
                help_text=_("For example 「輪西町 ○○公園とその周辺の歩道」.") if n == 1 else "",
            )
        # Numbers typed in full width (１２) are accepted.
        if self.is_bound:
            key = self.add_prefix("member_count")
            if self.data.get(key):
                data = self.data.copy()
                data[key] = nfkc(data[key])
                self.data = data

    @staticmethod
    def initial_from_profile(user) -> dict:
        return {
            "kind": Registration.Kind.INDIVIDUAL,
            "contact_name": user.get_full_name(),
            "contact_kana": user.get_full_name_kana(),
            "contact_phone": user.phone,
            "contact_email": user.email,
            "contact_postal_code": user.postal_code,
            "contact_address": user.address,
            "district": user.district_id,
        }

    @staticmethod
    def initial_from_registration(registration) -> dict:
        """A registration being changed: its kind and places as rows (the model fields come
        from the instance)."""
        initial = {"kind": registration.kind}
        places = list(registration.places.select_related("district")[:PLACE_ROWS])
        for n, place in enumerate(places, 1):
            initial[f"place{n}_district"] = place.district_id
            initial[f"place{n}_kind"] = place.kind
            initial[f"place{n}_description"] = place.description
        return initial

    def main_fields(self):
        """The fields above the places (the template renders the places as a group of rows)."""
        return [
            field
            for field in self.visible_fields()
            if not field.name.startswith("place") and field.name != "agree"
        ]

    def place_rows(self):
        return [
            [self[f"place{n}_{part}"] for part in ("district", "kind", "description")]
            for n in range(1, PLACE_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Registration.Kind.INDIVIDUAL:
            data["organization"] = None
            data["group_name"] = ""
            data["member_count"] = 1
            data["list_publicly"] = False
        elif kind == Registration.Kind.GROUP:
            data["organization"] = None
            if not data.get("group_name"):
                self.add_error("group_name", _("Enter the name of the family or group."))
        elif kind == Registration.Kind.ORGANIZATION:
            data["group_name"] = ""
            if not data.get("organization") and "organization" not in self.errors:
                self.add_error("organization", _("Choose the organisation you register for."))
        if kind in (Registration.Kind.GROUP, Registration.Kind.ORGANIZATION):
            if not data.get("member_count") and "member_count" not in self.errors:
                self.add_error("member_count", _("Enter the number of people, at least 1."))
        self._clean_places(data)
        return data

    def _clean_places(self, data):
        self.cleaned_places = []
        for n in range(1, PLACE_ROWS + 1):
            district = data.get(f"place{n}_district")
            kind = data.get(f"place{n}_kind")
            description = (data.get(f"place{n}_description") or "").strip()
            if not (district or kind or description):
                continue
            if not district:
                self.add_error(f"place{n}_district", _("Choose the district of this place."))
            if not description:
                self.add_error(f"place{n}_description", _("Describe the place in words."))
            if district and description:
                self.cleaned_places.append(
                    ActivityPlace(
                        district=district,
                        kind=kind or ActivityPlace.Kind.OTHER,
                        description=description,
                    )
                )
        if (
            self.programme == Programme.PIKA
            and not self.cleaned_places
            and not any(
                f"place{n}_{part}" in self.errors
                for n in range(1, PLACE_ROWS + 1)
                for part in ("district", "description")
            )
        ):
            self.add_error(
                "place1_description", _("Enter at least one place where you will clean up.")
            )

    def places(self) -> list[ActivityPlace]:
        """Unsaved ActivityPlace instances for services.registration_create."""
        return list(self.cleaned_places)

    def summary(self) -> list[tuple[str, str]]:
        """(label, value as a person reads it) for the confirmation page: only what applies to
        the chosen kind, choices by their label, and each place as one row."""
        skip = {
            Registration.Kind.INDIVIDUAL: {
                "organization",
                "group_name",
                "member_count",
                "list_publicly",
            },
            Registration.Kind.GROUP: {"organization"},
            Registration.Kind.ORGANIZATION: {"group_name"},
        }[self.cleaned_data["kind"]]
        rows = []
        for field in self.visible_fields():
            if field.name.startswith("place") or field.name in skip or field.name == "agree":
                continue
            value = self.cleaned_data.get(field.name)
            if hasattr(value, "all"):
                value = "、".join(str(item) for item in value)
            elif isinstance(value, bool):
                value = _("Yes") if value else _("No")
            elif isinstance(field.field, forms.ChoiceField) and not isinstance(
                field.field, forms.ModelChoiceField
            ):
                value = dict(field.field.choices).get(value, value)
            rows.append((field.label, str(value) if value not in (None, "") else "—"))
        for n, place in enumerate(self.cleaned_places, 1):
            rows.append(
                (
                    _("Activity place %(n)s") % {"n": n},
                    f"{place.district}　{place.description}（{place.get_kind_display()}）",
                )
            )
        rows.append((_("Agreement to the terms"), _("Agreed")))
        return rows


class ContactChangeForm(ContactFields, forms.ModelForm):
    """A registered partner keeps the contact of the person responsible up to date (moved, new
    phone). Places and the kind of registration are part of the agreement: those changes go
    through 地域生活課."""

    class Meta:
        model = Registration
        fields = CONTACT_FIELDS


# --- Activity reports ---------------------------------------------------------------------------

OTHER_PLACE = "other"

PHOTO_NOT_KEPT = gettext_lazy(
    "Choose the photo again: browsers do not keep a chosen file when the form comes back "
    "with errors."
)


def not_in_the_future(day):
    """The date of an activity: today or before (the web form and staff's form alike)."""
    if day and day > timezone.localdate():
        raise ValidationError(_("The date of the activity cannot be in the future."))
    return day


def _count_field(label, *, min_value, max_value, message, required=True):
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=required,
        initial=None if required else 0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": message,
            "required": message,
        },
    )


class ReportForm(forms.ModelForm):
    activity_date = forms.DateField(
        label=gettext_lazy("Date of the activity"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the date of the activity."),
            "invalid": gettext_lazy("Enter the date like 2026-11-28."),
        },
    )
    place = forms.ChoiceField(
        label=gettext_lazy("Place"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the place of the activity.")},
    )
    place_other = forms.CharField(
        label=gettext_lazy("Other place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("If you chose another place: the place in words."),
    )
    participants = _count_field(
        gettext_lazy("Participants"),
        min_value=1,
        max_value=MAX_PEOPLE,
        message=gettext_lazy("Enter the number of participants, from 1 to 10,000."),
    )
    burnable_bags = _count_field(
        gettext_lazy("Bags of burnable rubbish"),
        min_value=0,
        max_value=MAX_BAGS,
        message=gettext_lazy("Enter the number of bags, from 0 to 10,000."),
        required=False,
    )
    non_burnable_bags = _count_field(
        gettext_lazy("Bags of non-burnable rubbish"),
        min_value=0,
        max_value=MAX_BAGS,
        message=gettext_lazy("Enter the number of bags, from 0 to 10,000."),
        required=False,
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=gettext_lazy("A JPEG or PNG image. Only you and the city's staff can see it."),
    )

    class Meta:
        model = ActivityReport
        fields = [
            "activity_date",
            "place_other",
            "participants",
            "burnable_bags",
            "non_burnable_bags",
            "notes",
            "photo",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    field_order = [
        "activity_date",
        "place",
        "place_other",
        "participants",
        "burnable_bags",
        "non_burnable_bags",
        "notes",
        "photo",
    ]

    def __init__(self, *args, registration: Registration, **kwargs):
        self.registration = registration
        kwargs.setdefault(
            "instance", ActivityReport(registration=registration, channel=Channel.WEB)
        )
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in registration.places.all()}
        self.fields["place"].choices = [(pk, str(place)) for pk, place in self.places.items()] + [
            (OTHER_PLACE, _("Another place"))
        ]
        self.fields["place"].initial = next(iter(self.places), OTHER_PLACE)
        # Numbers typed in full width (１２) are accepted.
        if self.is_bound:
            data = self.data.copy()
            for name in ("participants", "burnable_bags", "non_burnable_bags"):
                key = self.add_prefix(name)
                if data.get(key):
                    data[key] = nfkc(data[key])
            self.data = data

    def clean_activity_date(self):
        return not_in_the_future(self.cleaned_data["activity_date"])

    # No bags is 0 bags (an empty box is not an error).
    def clean_burnable_bags(self):
        return self.cleaned_data.get("burnable_bags") or 0

    def clean_non_burnable_bags(self):
        return self.cleaned_data.get("non_burnable_bags") or 0

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_image(photo)  # the type is read again from the content when served
        return photo

    def clean(self):
        data = super().clean()
        choice = data.get("place")
        if choice == OTHER_PLACE:
            self.instance.place = None
            if not (data.get("place_other") or "").strip():
                self.add_error("place_other", _("Describe the place where you were active."))
        elif choice in self.places:
            self.instance.place = self.places[choice]
            data["place_other"] = ""
        return data

    def note_photo_not_kept(self):
        """A browser never sends a chosen file back: when the form returns with errors, say so
        next to the photo field (unless the photo itself is what was wrong)."""
        if self.files.get(self.add_prefix("photo")) and "photo" not in self.errors:
            self.add_error("photo", PHOTO_NOT_KEPT)


# --- Requests to the city -----------------------------------------------------------------------


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
        return day

    def clean(self):
        cleaned = super().clean()
        lend_on, return_by = cleaned.get("lend_on"), cleaned.get("return_by")
        if lend_on and return_by and return_by < lend_on:
            self.add_error("return_by", _("The return date cannot be before the start."))
        return cleaned


# --- Sign-ups ---------------------------------------------------------------------------------


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

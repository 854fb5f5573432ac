"""The registration form (who registers, the contact of the person responsible, where and what
they will do, the agreement to the terms) and a registered partner's contact change."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.confirm import confirm_value
from muroran_kyodo.lib.fields import ModelMultipleChoiceField
from muroran_kyodo.lib.jp import (
    KanaField,
    NormalizedEmailField,
    PhoneField,
    PostalCodeField,
    nfkc,
    validate_name,
)
from organizations.models import District, Membership, Organization

from ..models import (
    CONTACT_FIELDS,
    MAX_PEOPLE,
    PERSON_FIELDS,
    PLACES_ON_THE_FORM,
    WHO_FIELDS,
    ActivityKind,
    ActivityPlace,
    Channel,
    Programme,
    Registration,
)

PLACE_ROWS = PLACES_ON_THE_FORM  # fixed optional rows: enough for almost everyone, no JavaScript
PLACE_PARTS = ("district", "kind", "description", "latitude", "longitude")


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
        validators=[validate_name],
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
        label=_("Name of the family or group"),
        max_length=200,
        required=False,
        validators=[validate_name],
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
            *WHO_FIELDS,
            *PERSON_FIELDS,
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
        self.fields["agree"].help_text = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
            _("The terms are on their own page, to read or print."),
            reverse("partners:terms", args=[programme]),
            _("Read the programme's terms (opens in a new tab)"),
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
            # The point on the map, if the partner knows it (else 地域生活課 puts it there).
            for part, label, field in (
                ("latitude", _("Place %(n)s: latitude (optional)"), ActivityPlace.latitude),
                ("longitude", _("Place %(n)s: longitude (optional)"), ActivityPlace.longitude),
            ):
                model_field = field.field
                self.fields[f"place{n}_{part}"] = forms.DecimalField(
                    label=label % {"n": n},
                    max_digits=model_field.max_digits,
                    decimal_places=model_field.decimal_places,
                    validators=model_field.validators,
                    required=False,
                    help_text=_(
                        "Optional: the point of the place on a map (for example from 地理院地図), "
                        "such as 42.3523 and 140.9908. The city puts it on the map otherwise."
                    )
                    if n == 1 and part == "latitude"
                    else "",
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
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
            initial[f"place{n}_latitude"] = place.latitude
            initial[f"place{n}_longitude"] = place.longitude
        return initial

    # The fields that apply to some kinds only, each group in its own fieldset that says when it
    # applies (no JavaScript needed; clean() ignores what does not apply to the kind chosen).
    # With JavaScript, static/js/show-for-choice.js shows a fieldset only for its kinds.
    KIND_GROUPS = (
        (
            ("group_name",),
            _("Only if you register as a family or group"),
            _("The name of the family or group. Leave it blank otherwise."),
            (Registration.Kind.GROUP,),
        ),
        (
            ("organization",),
            _("Only if you register for an organisation"),
            _("The organisation you register for. Leave it as it is otherwise."),
            (Registration.Kind.ORGANIZATION,),
        ),
        (
            ("member_count", "list_publicly"),
            _("Only for a family, group or organisation"),
            _("If you register as yourself, leave these as they are: they are not used."),
            (Registration.Kind.GROUP, Registration.Kind.ORGANIZATION),
        ),
    )
    KIND_FIELDS = frozenset(name for names, *_rest in KIND_GROUPS for name in names)

    def kind_field(self):
        return self["kind"]

    def kind_groups(self) -> list[dict]:
        """The fieldsets of the fields that apply to some kinds only: legend, help, fields, and
        the kinds they apply to (`show_for`, as static/js/show-for-choice.js reads it)."""
        return [
            {
                "legend": legend,
                "help": help_text,
                "fields": [self[name] for name in names if name in self.fields],
                "show_for": f"{self.add_prefix('kind')}:{' '.join(kinds)}",
            }
            for names, legend, help_text, kinds in self.KIND_GROUPS
        ]

    def main_fields(self):
        """The fields above the places, other than the kind and the fields that apply to some
        kinds only (the template renders those, and the places, as groups)."""
        return [
            field
            for field in self.visible_fields()
            if not field.name.startswith("place")
            and field.name != "agree"
            and field.name != "kind"
            and field.name not in self.KIND_FIELDS
        ]

    def place_rows(self):
        return [
            [self[f"place{n}_{part}"] for part in PLACE_PARTS] for n in range(1, PLACE_ROWS + 1)
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
            latitude = data.get(f"place{n}_latitude")
            longitude = data.get(f"place{n}_longitude")
            if not (district or kind or description or latitude or longitude):
                continue
            if (latitude is None) != (longitude is None) and not (
                f"place{n}_latitude" in self.errors or f"place{n}_longitude" in self.errors
            ):
                missing = "longitude" if longitude is None else "latitude"
                self.add_error(
                    f"place{n}_{missing}",
                    _("Enter both the latitude and the longitude, or neither."),
                )
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
                        latitude=latitude if longitude is not None else None,
                        longitude=longitude if latitude is not None else None,
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
            rows.append((field.label, confirm_value(field, self.cleaned_data.get(field.name))))
        for n, place in enumerate(self.cleaned_places, 1):
            rows.append(
                (
                    _("Activity place %(n)s") % {"n": n},
                    f"{place.district}　{place.description}（{place.get_kind_display()}）"
                    + (f"　{place.latitude}, {place.longitude}" if place.has_point else ""),
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

"""Registrations in the Django admin: staff review them in bulk, key in paper and FAX
registrations, see who looks after which place, and keep the yearly volunteer-insurance
roster. Every status change goes through a named transition of `partners.services`; an edit
never writes the status."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    FiscalYearListFilter,
    KeyedInChannelMixin,
    ReasonActionForm,
    ServiceSaveMixin,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_date, shorten
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.jp import (
    KanaField,
    PhoneField,
    PostalCodeField,
    current_fiscal_year,
)
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.streaming import rows_of

from .. import services
from ..models import (
    PERSON_FIELDS,
    ActivityKind,
    ActivityPlace,
    InsuranceEnrollment,
    Registration,
    RegistrationStatusChange,
)
from .common import HistoryInline, short_programme

S = Registration.Status

# --- list filters ---------------------------------------------------------------------------


class AppliedFiscalYearFilter(FiscalYearListFilter):
    title = _("fiscal year applied")
    field_name = "created_at"
    is_datetime = True


def _insured_this_year():
    return Exists(
        InsuranceEnrollment.objects.filter(
            registration=OuterRef("pk"), fiscal_year=current_fiscal_year()
        )
    )


class InsuranceFilter(admin.SimpleListFilter):
    title = _("volunteer insurance this fiscal year")
    parameter_name = "insurance"

    def lookups(self, request, model_admin):
        return [("covered", _("Covered")), ("not_renewed", _("Not renewed"))]

    def queryset(self, request, queryset):
        if self.value() == "covered":
            return queryset.filter(_insured_this_year())
        if self.value() == "not_renewed":
            # Only live partners need cover; an application or a withdrawal is not "not renewed".
            return queryset.filter(~_insured_this_year(), status=S.REGISTERED)
        return queryset


# --- registrations --------------------------------------------------------------------------


class RegistrationAdminForm(forms.ModelForm):
    """Paper, FAX and counter registrations keyed in by staff: the same normalisation as the
    web form (kana, postal code, phone) and the duplicate check before the service runs."""

    contact_kana = KanaField(label=_("reading (katakana)"), max_length=200)
    contact_phone = PhoneField(label=_("phone"), required=False)
    contact_postal_code = PostalCodeField(label=_("postal code"), required=False)

    class Meta:
        model = Registration
        fields = [
            "programme",
            "kind",
            "channel",
            "user",
            "organization",
            "group_name",
            "member_count",
            "list_publicly",
            *PERSON_FIELDS,
            "district",
            "places",
            "activity_kinds",
            "frequency",
            "skills",
            "agreed_terms_at",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        organization = cleaned.get("organization")
        # Said here in words; the database constraints would only name themselves.
        if kind == Registration.Kind.ORGANIZATION and organization is None:
            self.add_error("organization", _("Choose the organisation that registers."))
        if kind and kind != Registration.Kind.ORGANIZATION and organization is not None:
            self.add_error(
                "organization", _("Leave the organisation empty, or register as an organisation.")
            )
        if kind == Registration.Kind.INDIVIDUAL:
            cleaned["member_count"] = 1
        if self.instance.pk is None:
            self._refuse_a_second_live_registration(cleaned)
        return cleaned

    def _refuse_a_second_live_registration(self, cleaned):
        live = Registration.objects.filter(programme=cleaned.get("programme")).exclude(
            status=S.WITHDRAWN
        )
        organization, user = cleaned.get("organization"), cleaned.get("user")
        if organization is not None and live.filter(organization=organization).exists():
            raise ValidationError(
                _("This organisation already has a registration for this programme.")
            )
        if organization is None and user is not None:
            if live.filter(user=user, organization=None).exists():
                raise ValidationError(
                    _("This person already has a registration for this programme.")
                )


class StatusChangeInline(HistoryInline):
    model = RegistrationStatusChange


def _registrations_changed(n: int) -> str:
    return ngettext("%(n)d registration changed.", "%(n)d registrations changed.", n) % {"n": n}


def _registration_action(service, description, name):
    return transition_action(
        service,
        subject="registration",
        description=description,
        describe=lambda registration: registration.number,
        with_reason=True,
        select_related=("user", "organization"),
        done_message=_registrations_changed,
        name=name,
    )


# Always exported; they are on the changelist anyone with view permission sees.
CSV_HEADER = [
    "number",
    "programme",
    "kind",
    "name",
    "people",
    "district",
    "status",
    "channel",
    "registered_on",
]
# Personal contact data: only for staff who may change registrations.
CSV_CONTACT_HEADER = [
    "contact_name",
    "contact_kana",
    "contact_phone",
    "contact_email",
    "contact_postal_code",
    "contact_address",
]


@admin.register(Registration)
class RegistrationAdmin(
    EstimatedCountAdminMixin,
    PrintablesAdminMixin,
    ActionFormErrorsMixin,
    ServiceSaveMixin,
    KeyedInChannelMixin,
    admin.ModelAdmin,
):
    form = RegistrationAdminForm

    def printables(self, request, obj):
        links = [(_("Receipt slip"), reverse("partners:registration_receipt", args=[obj.pk]))]
        if obj.status in (Registration.Status.REGISTERED, Registration.Status.SUSPENDED) and (
            obj.registered_on
        ):
            links.append(
                (_("Agreement and certificate"), reverse("partners:certificate", args=[obj.pk]))
            )
        return links

    # Short columns, the status second: the list fits 1280 px with its state on screen.
    list_display = [
        "number",
        "status",
        "name",
        short_programme,
        "kind",
        "district",
        "people",
        "channel",
        short_date("registered_on", _("registered on")),
        "insured",
    ]
    list_filter = [
        "programme",
        "status",
        "kind",
        "channel",
        "district",
        AppliedFiscalYearFilter,
        InsuranceFilter,
    ]
    list_select_related = ["organization", "district"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = ("skills", "organization__description")
    search_fields = ["number", "contact_name", "contact_kana", "group_name", "organization__name"]
    # No date_hierarchy: its list of dates is a DISTINCT over every row (a full scan at
    # 100,000 rows on every page view); the 年度 filter does the job from an index (issue 14).
    autocomplete_fields = ["user", "organization", "places"]
    filter_horizontal = ["activity_kinds"]
    inlines = [StatusChangeInline]
    actions = [
        "approve",
        "return_for_changes",
        "suspend",
        "withdraw",
        "confirm_insurance",
        "export_csv",
    ]
    action_form = ReasonActionForm
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["number", "programme", "kind", "channel", "status"]}),
        (
            _("Partner"),
            {"fields": ["user", "organization", "group_name", "member_count", "list_publicly"]},
        ),
        (
            _("Person responsible (private)"),
            {
                "fields": [
                    "contact_name",
                    "contact_kana",
                    "contact_phone",
                    "contact_email",
                    "contact_postal_code",
                    "contact_address",
                    "district",
                ]
            },
        ),
        (
            _("Activity"),
            {"fields": ["places", "activity_kinds", "frequency", "skills", "agreed_terms_at"]},
        ),
        (
            _("Record"),
            {"fields": ["status_changed_at", "registered_on", "created_at", "created_by"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(insured_this_year=_insured_this_year())

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "number",
            "status",
            "status_changed_at",
            "registered_on",
            "created_at",
            "created_by",
        ]
        if obj is not None:
            # The number carries the programme, and the channel is a fact of how it arrived.
            fields += ["programme", "channel"]
        return fields

    def has_delete_permission(self, request, obj=None):
        # A partner leaves by withdrawal, which keeps the history; rows are never deleted here.
        return False

    def create_with_service(self, request, obj, form):
        services.registration_create(
            registration=obj,
            places=form.cleaned_data.get("places") or [],
            activity_kinds=form.cleaned_data.get("activity_kinds") or [],
            by=request.user,
        )

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            return
        # registration_create has set places and activities; form.save_m2m() would only repeat it.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("name"), ordering="contact_kana")
    def name(self, obj):
        return shorten(obj.display_name, 14)

    @admin.display(description=_("people"))
    def people(self, obj):
        return obj.people

    @admin.display(description=_("insured this FY"), boolean=True)
    def insured(self, obj):
        return obj.insured_this_year

    # --- actions: each calls the named transition once per row ------------------------------

    approve = _registration_action(
        services.registration_approve,
        _("Register (approve or resume) the selected registrations"),
        "approve",
    )
    return_for_changes = _registration_action(
        services.registration_return,
        _("Return the selected registrations for changes (write the reason)"),
        "return_for_changes",
    )
    suspend = _registration_action(
        services.registration_suspend, _("Suspend the selected registrations"), "suspend"
    )
    withdraw = _registration_action(
        services.registration_withdraw, _("Withdraw the selected registrations"), "withdraw"
    )

    def has_insure_permission(self, request):
        return request.user.has_perm("partners.add_insuranceenrollment")

    @admin.action(
        description=_("Confirm volunteer insurance for this fiscal year"), permissions=["insure"]
    )
    def confirm_insurance(self, request, queryset):
        year = current_fiscal_year()
        created = existing = 0
        for registration in queryset:
            if registration.status != S.REGISTERED:
                self.message_user(
                    request,
                    _("%(number)s: only registered partners are insured.")
                    % {"number": registration.number},
                    messages.WARNING,
                )
                continue
            _enrollment, new = services.insurance_confirm(
                registration=registration, fiscal_year=year, by=request.user
            )
            created += new
            existing += not new
        if created or existing:
            self.message_user(
                request,
                _(
                    "Fiscal year %(year)s: %(created)d confirmed now, %(existing)d already confirmed."
                )
                % {"year": year, "created": created, "existing": existing},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export the selected registrations as CSV"))
    def export_csv(self, request, queryset):
        with_contact = self.has_change_permission(request)
        header = CSV_HEADER + (CSV_CONTACT_HEADER if with_contact else [])

        def rows():
            for r in rows_of(queryset.select_related("organization", "district")):
                row = [
                    r.number,
                    r.get_programme_display(),
                    r.get_kind_display(),
                    r.display_name,
                    r.people,
                    r.district.name,
                    r.get_status_display(),
                    r.get_channel_display(),
                    r.registered_on.isoformat() if r.registered_on else "",
                ]
                if with_contact:
                    row += [
                        r.contact_name,
                        r.contact_kana,
                        r.contact_phone,
                        r.contact_email,
                        r.contact_postal_code,
                        r.contact_address,
                    ]
                yield row

        return csv_response("partner-registrations.csv", header, rows())


# --- places ---------------------------------------------------------------------------------


class OverlapFilter(admin.SimpleListFilter):
    title = _("partners in the same district and kind of place")
    parameter_name = "overlap"

    def lookups(self, request, model_admin):
        return [("shared", _("More than one")), ("none", _("None"))]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(partners_nearby__gt=1)
        if self.value() == "none":
            return queryset.filter(partners_nearby=0)
        return queryset


class OnTheMapFilter(admin.SimpleListFilter):
    title = _("on the map")
    parameter_name = "on_map"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("Not yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(latitude__isnull=False)
        if self.value() == "no":
            return queryset.filter(latitude__isnull=True)
        return queryset


@admin.register(ActivityPlace)
class ActivityPlaceAdmin(admin.ModelAdmin):
    """Places, and their point on the map of the programme page: typed as numbers, or (with
    JavaScript) by clicking the map under them (static/partners/place_picker.js)."""

    list_display = ["description", "district", "kind", "on_map", "live_registrations", "nearby"]
    list_filter = ["district", "kind", OnTheMapFilter, OverlapFilter]
    list_select_related = ["district"]
    fields = ["district", "kind", "description", "latitude", "longitude"]

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "partners/places.css"]}
        js = ["vendor/leaflet/leaflet.js", "partners/place_picker.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "latitude":
            # What the picker needs: the tiles and their attribution (settings).
            field.widget.attrs.update(
                {
                    "data-place-picker": "latitude",
                    "data-tile-url": settings.MAP_TILE_URL,
                    "data-attribution": settings.MAP_TILE_ATTRIBUTION,
                    "data-attribution-url": settings.MAP_TILE_ATTRIBUTION_URL,
                    "data-map-label": _("Map: click to set the place's point"),
                }
            )
        if db_field.name == "longitude":
            field.widget.attrs["data-place-picker"] = "longitude"
        return field

    @admin.display(description=_("on the map"), boolean=True, ordering="latitude")
    def on_map(self, obj):
        return obj.has_point

    search_fields = ["description", "district__name", "district__kana"]
    autocomplete_fields = ["district"]
    # Stated here: Meta.ordering is dropped on the grouped (annotated) query below.
    ordering = ["district__sort_order", "description", "pk"]
    show_full_result_count = False

    def get_queryset(self, request):
        # Registered partners who look after any place of the same district and kind: a
        # correlated subquery, so the list stays one query whatever its length.
        nearby = (
            Registration.objects.filter(
                status=S.REGISTERED,
                places__district=OuterRef("district"),
                places__kind=OuterRef("kind"),
            )
            .order_by()
            .values("status")
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                live=Count(
                    "registrations", filter=Q(registrations__status=S.REGISTERED), distinct=True
                ),
                partners_nearby=Coalesce(Subquery(nearby, output_field=IntegerField()), Value(0)),
            )
        )

    @admin.display(description=_("registered partners"), ordering="live")
    def live_registrations(self, obj):
        return obj.live

    @admin.display(
        description=_("partners in the same district and kind"), ordering="partners_nearby"
    )
    def nearby(self, obj):
        return obj.partners_nearby


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "name_en"]


# --- insurance ------------------------------------------------------------------------------


@admin.register(InsuranceEnrollment)
class InsuranceEnrollmentAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "fiscal_year", "insured_people", "confirmed_at"]
    list_filter = ["fiscal_year", "registration__programme"]
    list_select_related = ["registration__organization", "registration__district"]
    search_fields = [
        "registration__number",
        "registration__contact_name",
        "registration__group_name",
    ]
    raw_id_fields = ["registration"]
    readonly_fields = ["confirmed_by", "confirmed_at"]
    actions = ["export_roster"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.confirmed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("registration number"), ordering="registration__number")
    def number(self, obj):
        return obj.registration.number

    @admin.display(description=_("name"))
    def name(self, obj):
        return obj.registration.display_name

    @admin.action(description=_("Export the insurance roster of the selected rows as CSV"))
    def export_roster(self, request, queryset):
        rows = (
            [
                e.fiscal_year,
                e.registration.number,
                e.registration.get_programme_display(),
                e.registration.display_name,
                e.registration.district.name,
                e.insured_people,
                e.confirmed_at.date().isoformat(),
            ]
            for e in rows_of(
                queryset.select_related(
                    "registration__organization", "registration__district"
                ).order_by("fiscal_year", "registration__number")
            )
        )
        return csv_response(
            "volunteer-insurance.csv",
            [
                "fiscal_year",
                "number",
                "programme",
                "name",
                "district",
                "insured_people",
                "confirmed_at",
            ],
            rows,
        )

"""Partners' requests in the admin, routed by department: 土木課 sees rubbish pickups, 環境課 supply
requests, 地域生活課 equipment loans (a superuser sees all). Staff mark requests collected /
delivered / returned or cancel them through the named transitions of `partners.services`, key in
requests that came on paper or by phone, edit the supply items and the equipment, and export
the pickups as a collection route."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    KeyedInChannelMixin,
    ServiceSaveMixin,
    csv_export_action,
    fiscal_year_filter,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_date, short_text
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.streaming import rows_of

from .. import services
from ..models import (
    Equipment,
    EquipmentLoan,
    PickupRequest,
    Registration,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
    overlapping_loans,
    request_status_label,
)
from .common import PARTNER_SEARCH_FIELDS, HistoryFieldMixin, user_departments

RS = RequestStatus


class RequestActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(label=_("Reason or note (optional)"), required=False, max_length=200)


class RequestAdminForm(forms.ModelForm):
    """Requests keyed in by staff: the same rules as the partner's form, said next to the field
    before the service runs (which checks them again)."""

    def clean(self):
        cleaned = super().clean()
        registration = cleaned.get("registration")
        if self.instance.pk is None and registration is not None:
            if registration.status != Registration.Status.REGISTERED:
                self.add_error(
                    "registration",
                    _("Requests can be made once the city has accepted the registration."),
                )
        return cleaned


REQUESTED_FISCAL_YEAR = fiscal_year_filter(
    "created_at", title=_("fiscal year requested"), is_datetime=True
)


def _request_csv(filename, columns, *, select_related=(), prefetch_related=()):
    """CSV of the selected requests: the partner and the state first, then the kind's own."""
    return csv_export_action(
        filename,
        [
            ("number", lambda r: r.registration.number),
            ("partner", lambda r: r.registration.display_name),
            ("district_of_partner", lambda r: r.registration.district.name),
            ("requested", lambda r: timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M")),
            *columns,
            ("status", request_status_label),
            ("channel", lambda r: r.get_channel_display()),
            ("notes", lambda r: r.notes),
        ],
        select_related=("registration__organization", "registration__district", *select_related),
        prefetch_related=prefetch_related,
        description=_("Export the selected requests as CSV"),
    )


def _requests_changed(n: int) -> str:
    return ngettext("%(n)d request changed.", "%(n)d requests changed.", n) % {"n": n}


def _request_action(service, description, name):
    return transition_action(
        service,
        subject="request",
        description=description,
        with_reason=True,
        select_related=("registration__user",),
        done_message=_requests_changed,
        name=name,
    )


class _RequestAdmin(
    PrintablesAdminMixin,
    ActionFormErrorsMixin,
    HistoryFieldMixin,
    ServiceSaveMixin,
    KeyedInChannelMixin,
    admin.ModelAdmin,
):
    """What the three request admins share: routing, read-only state, actions, paper intake. An
    edit writes only the fields it changed, never the state (`state_fields`)."""

    form = RequestAdminForm
    action_form = RequestActionForm
    actions = ["mark_done", "cancel"]
    raw_id_fields = ["registration"]
    list_filter = ["status", REQUESTED_FISCAL_YEAR, "channel"]
    date_hierarchy = "created_at"
    search_fields = PARTNER_SEARCH_FIELDS
    show_full_result_count = False
    done_description = ""
    state_fields = ("status", "handled_by", "handled_at", "created_by", "created_at")
    receipt_kind = ""  # the URL word of partners:request_receipt

    def printables(self, request, obj):
        return [
            (
                _("Receipt slip"),
                reverse("partners:request_receipt", args=[self.receipt_kind, obj.pk]),
            )
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        departments = user_departments(request)
        if departments is not None and self.model.DEPARTMENT not in departments:
            return queryset.none()
        return queryset

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.state_fields)
        if obj is not None:
            fields += ["registration", "channel", "history"]
        return fields

    def has_delete_permission(self, request, obj=None):
        # A request is cancelled, which keeps the history; rows are never deleted here.
        return False

    def create_with_service(self, request, obj, form):
        self._create(request, obj, lines=())

    def _create(self, request, obj, lines):
        try:
            services.request_create(request=obj, lines=lines, by=request.user)
        except ValidationError as error:
            # The form checked the rules; what is left is a race (equipment just lent).
            self.refused(error)

    @admin.display(description=_("registration number"), ordering="registration__number")
    def number(self, obj):
        return obj.registration.number

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        return request_status_label(obj)

    mark_done = _request_action(
        services.request_mark_done, _("Mark the selected requests done"), "mark_done"
    )
    cancel = _request_action(services.request_cancel, _("Cancel the selected requests"), "cancel")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "mark_done" in actions and self.done_description:
            function, name, _description = actions["mark_done"]
            actions["mark_done"] = (function, name, self.done_description)
        return actions


class PickupRequestAdminForm(RequestAdminForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("burnable_bags") == 0 and cleaned.get("non_burnable_bags") == 0:
            self.add_error("burnable_bags", _("Write how many bags there are to collect."))
        return cleaned


@admin.register(PickupRequest)
class PickupRequestAdmin(_RequestAdmin):
    receipt_kind = "pickup"
    form = PickupRequestAdminForm
    list_display = [
        "number",
        "state",
        "district",
        short_text("location", _("where the bags are"), length=14),
        "burnable_bags",
        "non_burnable_bags",
        "available_from",
        "channel",
        short_date("created_at", _("received on")),
    ]
    list_filter = ["status", REQUESTED_FISCAL_YEAR, "district", "available_from", "channel"]
    list_select_related = ["registration", "district"]
    autocomplete_fields = ["district"]
    actions = ["mark_done", "cancel", "export_route", "export_csv"]
    export_csv = _request_csv(
        "pickup-requests.csv",
        [
            ("district", lambda r: r.district.name),
            ("location", lambda r: r.location),
            ("burnable_bags", lambda r: r.burnable_bags),
            ("non_burnable_bags", lambda r: r.non_burnable_bags),
            (
                "available_from",
                lambda r: timezone.localtime(r.available_from).strftime("%Y-%m-%d %H:%M"),
            ),
        ],
        select_related=("district",),
    )
    done_description = _("Mark the selected pickups collected")

    @admin.action(description=_("Export the selected pickups as a collection route (CSV)"))
    def export_route(self, request, queryset):
        rows = (
            [
                p.district.name,
                p.location,
                p.burnable_bags,
                p.non_burnable_bags,
                timezone.localtime(p.available_from).strftime("%Y-%m-%d %H:%M"),
                p.registration.number,
                p.get_status_display(),
            ]
            for p in rows_of(
                queryset.select_related("district", "registration").order_by(
                    "district__sort_order", "district__kana", "available_from", "pk"
                )
            )
        )
        return csv_response(
            "pickup-route.csv",
            [
                "district",
                "location",
                "burnable_bags",
                "non_burnable_bags",
                "available_from",
                "number",
                "status",
            ],
            rows,
        )


class SupplyLineFormSet(forms.BaseInlineFormSet):
    """The same rules as the partner's form: at least one item, each 1..its maximum."""

    def clean(self):
        super().clean()
        if self.instance.pk is not None:
            return
        lines = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("item")
        ]
        if not lines:
            raise ValidationError(_("Write the quantity of at least one item."))
        for line in lines:
            item = line["item"]
            if not item.is_active:
                raise ValidationError(_("%(item)s is no longer offered.") % {"item": item.name})
            if not 1 <= (line.get("quantity") or 0) <= item.max_per_request:
                raise ValidationError(
                    _("%(item)s: from 1 to %(max)d %(unit)s per request.")
                    % {"item": item.name, "max": item.max_per_request, "unit": item.unit}
                )


class SupplyLineInline(admin.TabularInline):
    model = SupplyRequestLine
    formset = SupplyLineFormSet
    extra = 1
    fields = ["item", "quantity"]

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")

    def has_change_permission(self, request, obj=None):
        # Lines are what was asked for: keyed in once, with the request, never edited after.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupplyRequest)
class SupplyRequestAdmin(_RequestAdmin):
    receipt_kind = "supplies"
    list_display = [
        "number",
        "state",
        short_text("delivery_note", _("where to deliver or collect")),
        "channel",
        short_date("created_at", _("received on")),
    ]
    list_filter = ["status", REQUESTED_FISCAL_YEAR, "registration__district", "channel"]
    list_select_related = ["registration"]
    inlines = [SupplyLineInline]
    actions = ["mark_done", "cancel", "export_csv"]
    export_csv = _request_csv(
        "supply-requests.csv",
        [
            ("delivery", lambda r: r.delivery_note),
            (
                "items",
                lambda r: "、".join(f"{line.item.name}×{line.quantity}" for line in r.lines.all()),
            ),
        ],
        prefetch_related=("lines__item",),
    )
    done_description = _("Mark the selected supplies delivered")

    def create_with_service(self, request, obj, form):
        pass  # saved with its lines in save_related, through the service, in one transaction

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            return
        lines = [
            SupplyRequestLine(item=f.cleaned_data["item"], quantity=f.cleaned_data["quantity"])
            for formset in formsets
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("item")
        ]
        self._create(request, form.instance, lines=lines)
        for formset in formsets:  # what the admin's change message reads
            formset.new_objects, formset.changed_objects, formset.deleted_objects = lines, [], []


class OverdueFilter(admin.SimpleListFilter):
    """Equipment still out after its return date: the loans to chase."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Not back after the return date"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=RS.LENT, return_by__lt=timezone.localdate())
        return queryset


class EquipmentLoanAdminForm(RequestAdminForm):
    def clean(self):
        cleaned = super().clean()
        lend_on, return_by = cleaned.get("lend_on"), cleaned.get("return_by")
        if lend_on and return_by and return_by < lend_on:
            self.add_error("return_by", _("The return date cannot be before the start."))
        elif lend_on and return_by and cleaned.get("equipment") and self.instance.pk is None:
            # Checked again, with the equipment row locked, when the service saves.
            if overlapping_loans(cleaned["equipment"], lend_on, return_by).exists():
                self.add_error(
                    "equipment",
                    _(
                        "This equipment is already lent for part of these dates. "
                        "Choose other dates or another item."
                    ),
                )
        return cleaned


@admin.register(EquipmentLoan)
class EquipmentLoanAdmin(_RequestAdmin):
    receipt_kind = "loan"
    form = EquipmentLoanAdminForm
    list_display = [
        "number",
        "state",
        "equipment",
        "lend_on",
        "return_by",
        "lent_on",
        "returned_on",
        "channel",
    ]
    list_filter = [
        OverdueFilter,
        "status",
        REQUESTED_FISCAL_YEAR,
        "equipment",
        "lend_on",
        "registration__district",
    ]
    list_select_related = ["registration", "equipment"]
    state_fields = (*_RequestAdmin.state_fields, "lent_on", "returned_on")
    actions = ["mark_lent", "mark_done", "cancel", "export_csv"]
    export_csv = _request_csv(
        "equipment-loans.csv",
        [
            ("equipment", lambda r: str(r.equipment)),
            ("lend_on", lambda r: r.lend_on.isoformat()),
            ("return_by", lambda r: r.return_by.isoformat()),
            ("handed_over_on", lambda r: r.lent_on.isoformat() if r.lent_on else ""),
            ("returned_on", lambda r: r.returned_on.isoformat() if r.returned_on else ""),
        ],
        select_related=("equipment",),
    )
    done_description = _("Mark the selected equipment returned")

    mark_lent = _request_action(
        services.request_mark_lent,
        _("Mark the selected equipment handed over (lent out)"),
        "mark_lent",
    )

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        label = super().state(obj)
        if obj.status == RS.LENT and obj.return_by < timezone.localdate():
            return _("%(status)s — overdue") % {"status": label}
        return label


@admin.register(SupplyItem)
class SupplyItemAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "max_per_request", "counted_as", "sort_order", "is_active"]
    list_editable = ["max_per_request", "sort_order", "is_active"]
    search_fields = ["name", "name_en"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "identifier", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "identifier"]

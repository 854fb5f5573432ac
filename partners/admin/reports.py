"""Activity reports in the admin: staff key in reports that came on paper or by FAX (through
`services.report_create`), correct them, and export them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import (
    FiscalYearListFilter,
    ServiceRefusalsOnTheFormMixin,
    csv_export_action,
)
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.printing import PrintablesAdminMixin

from .. import services
from ..forms import not_in_the_future
from ..models import ActivityReport
from .common import PARTNER_SEARCH_FIELDS


class ActivityFiscalYearFilter(FiscalYearListFilter):
    title = _("fiscal year of the activity")
    field_name = "activity_date"


class ActivityReportAdminForm(forms.ModelForm):
    class Meta:
        model = ActivityReport
        # Not the photo: it is private, and the admin has no safe way to show or replace it.
        fields = [
            "registration",
            "activity_date",
            "place",
            "place_other",
            "participants",
            "burnable_bags",
            "non_burnable_bags",
            "notes",
            "channel",
        ]

    def clean_activity_date(self):
        return not_in_the_future(self.cleaned_data["activity_date"])


@admin.register(ActivityReport)
class ActivityReportAdmin(
    EstimatedCountAdminMixin, PrintablesAdminMixin, ServiceRefusalsOnTheFormMixin, admin.ModelAdmin
):
    form = ActivityReportAdminForm

    def printables(self, request, obj):
        return [(_("Receipt slip"), reverse("partners:report_receipt", args=[obj.pk]))]

    list_display = [
        "number",
        "activity_date",
        "participants",
        "burnable_bags",
        "non_burnable_bags",
        "photo_attached",
        "channel",
    ]
    list_filter = [
        ActivityFiscalYearFilter,
        "registration__programme",
        "registration__district",
        "channel",
    ]
    list_select_related = ["registration"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = ("notes", "registration__skills")
    search_fields = PARTNER_SEARCH_FIELDS
    actions = ["export_csv"]
    export_csv = csv_export_action(
        "activity-reports.csv",
        [
            ("number", lambda r: r.registration.number),
            ("partner", lambda r: r.registration.display_name),
            ("programme", lambda r: r.registration.get_programme_display()),
            ("district", lambda r: r.registration.district.name),
            ("activity_date", lambda r: r.activity_date.isoformat()),
            ("place", lambda r: str(r.place) if r.place_id else r.place_other),
            ("participants", lambda r: r.participants),
            ("burnable_bags", lambda r: r.burnable_bags),
            ("non_burnable_bags", lambda r: r.non_burnable_bags),
            ("photo", lambda r: "yes" if r.photo else "no"),
            ("channel", lambda r: r.get_channel_display()),
            ("notes", lambda r: r.notes),
        ],
        select_related=(
            "registration__organization",
            "registration__district",
            "place__district",
        ),
        description=_("Export the selected reports as CSV"),
    )
    # No date_hierarchy: its list of years is a DISTINCT over every report (100,000 and more);
    # the fiscal-year filter and the date range of a search do the same job from the index.
    # 50 rows a page: the page's time is the admin rendering its rows.
    list_per_page = 50
    raw_id_fields = ["registration", "place"]
    # The photo is private: no public URL exists, so the admin only says whether there is one.
    readonly_fields = ["photo_attached", "created_by", "created_at"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            services.report_create(report=obj, by=request.user)
        except ValidationError as error:
            self.refused(error)

    @admin.display(description=_("registration number"), ordering="registration__number")
    def number(self, obj):
        return obj.registration.number

    @admin.display(description=_("photo"))
    def photo_attached(self, obj):
        return _("Photo attached") if obj.photo else _("No photo")

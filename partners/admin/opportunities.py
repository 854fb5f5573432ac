"""まごころ・まかせて in the admin: staff post opportunities with their shifts, see sign-ups,
record attendance and hours (through `services.attendance_record`, never the status), cancel
sign-ups (through `services.signup_cancel`), and total the まかせて honorarium per partner per month and fiscal
year, with a CSV export."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, F, Sum
from django.db.models.functions import Floor, Round, TruncMonth
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    KeyedInChannelMixin,
    ServiceSaveMixin,
    csv_export_action,
    fiscal_year_filter,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_date, short_text
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.jp import current_fiscal_year, fiscal_year_datetimes, fiscal_year_label
from muroran_kyodo.lib.printing import PrintablesAdminMixin

from .. import services
from ..forms import AttendanceForm
from ..models import Opportunity, Programme, Registration, Shift, Signup
from ..permissions import is_partner_staff
from ..queue import SHORT_OF_PEOPLE, shifts_short_of_people
from .common import PARTNER_SEARCH_FIELDS, HistoryFieldMixin, short_programme

# --- opportunities ----------------------------------------------------------------------------


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1
    fields = ["starts_at", "ends_at", "slots"]


class StaffingFilter(admin.SimpleListFilter):
    """Opportunities with a shift to come that has fewer confirmed people than places (the
    staff work queue links here)."""

    title = _("staffing")
    parameter_name = "staffing"

    def lookups(self, request, model_admin):
        return [(SHORT_OF_PEOPLE, _("A shift to come is short of people"))]

    def queryset(self, request, queryset):
        if self.value() == SHORT_OF_PEOPLE:
            return queryset.filter(pk__in=shifts_short_of_people().values("opportunity_id"))
        return queryset


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = [
        short_text("title", _("title")),
        short_programme,
        "department",
        "signup_deadline",
        "hourly_honorarium",
        "is_published",
    ]
    list_filter = [
        "programme",
        fiscal_year_filter(
            "signup_deadline", title=_("fiscal year of the deadline"), is_datetime=True
        ),
        "is_published",
        "signup_deadline",
        StaffingFilter,
    ]
    search_fields = ["title", "department", "place"]
    date_hierarchy = "signup_deadline"
    inlines = [ShiftInline]
    show_full_result_count = False
    actions = ["export_csv"]
    export_csv = csv_export_action(
        "opportunities.csv",
        [
            ("title", lambda o: o.title),
            ("programme", lambda o: o.get_programme_display()),
            ("department", lambda o: o.department),
            ("place", lambda o: o.place),
            (
                "signup_deadline",
                lambda o: timezone.localtime(o.signup_deadline).strftime("%Y-%m-%d %H:%M"),
            ),
            ("hourly_honorarium_yen", lambda o: o.hourly_honorarium or ""),
            ("shifts", lambda o: len(o.shifts.all())),
            ("places", lambda o: sum(shift.slots for shift in o.shifts.all())),
            ("published", lambda o: "yes" if o.is_published else "no"),
        ],
        prefetch_related=("shifts",),
        description=_("Export the selected opportunities as CSV"),
    )


# --- sign-ups ---------------------------------------------------------------------------------


def honorarium_rows(fiscal_year: int):
    """まかせて honorarium per partner per month, and per partner for the fiscal year: hours of
    attended shifts × the opportunity's hourly rate, rounded down to whole yen. Two queries."""
    start, end = fiscal_year_datetimes(fiscal_year)
    paid = Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        attended=True,
        hours__isnull=False,
        shift__opportunity__programme=Programme.MAKASETE,
        shift__starts_at__gte=start,
        shift__starts_at__lt=end,
    ).order_by()
    partner = [
        "registration_id",
        "registration__number",
        "registration__kind",
        "registration__group_name",
        "registration__contact_name",
        "registration__organization__name",
    ]
    # Whole yen, rounded down. The product has at most two decimals; Round first keeps
    # SQLite's floating-point sums (374.9999…) from losing a yen.
    amount = Floor(
        Round(
            Sum(
                F("hours") * F("shift__opportunity__hourly_honorarium"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            2,
        )
    )
    monthly = list(
        paid.annotate(month=TruncMonth("shift__starts_at"))
        .values(*partner, "month")
        .annotate(total_hours=Sum("hours"), amount=amount)
        .order_by("registration__number", "month")
    )
    yearly = list(
        paid.values(*partner)
        .annotate(total_hours=Sum("hours"), amount=amount)
        .order_by("registration__number")
    )
    for row in monthly + yearly:
        row["name"] = _partner_name(row)
        row["amount"] = int(row["amount"] or 0)
        row["total_hours"] = Decimal(str(row["total_hours"])).quantize(Decimal("0.01"))
    return monthly, yearly


def _partner_name(row) -> str:
    if row["registration__kind"] == Registration.Kind.ORGANIZATION:
        return row["registration__organization__name"] or ""
    if row["registration__kind"] == Registration.Kind.GROUP and row["registration__group_name"]:
        return row["registration__group_name"]
    return row["registration__contact_name"]


class PaperSignupForm(forms.ModelForm):
    """A sign-up that came on paper, by phone or at the counter, keyed in by staff. The places
    are counted by `signup_create`, as for a sign-up on the site."""

    wait = forms.BooleanField(
        label=_("If the shift is full, put the partner on the waiting list"), required=False
    )

    class Meta:
        model = Signup
        fields = ["shift", "registration", "channel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shifts that have not started: staff may key in after the sign-up deadline.
        self.fields["shift"].queryset = (
            Shift.objects.filter(starts_at__gte=timezone.now(), opportunity__is_published=True)
            .select_related("opportunity")
            .order_by("starts_at", "pk")
        )


@admin.register(Signup)
class SignupAdmin(
    EstimatedCountAdminMixin,
    PrintablesAdminMixin,
    HistoryFieldMixin,
    ServiceSaveMixin,
    KeyedInChannelMixin,
    admin.ModelAdmin,
):
    """A change records attendance (never the status); a new sign-up goes through
    `signup_create`, with the same count of places as on the site."""

    def printables(self, request, obj):
        return [(_("Receipt slip"), reverse("partners:signup_receipt", args=[obj.pk]))]

    form = AttendanceForm
    list_display = [
        "number",
        "status",
        short_text("shift", _("shift"), length=24, ordering="shift__starts_at"),
        "attended",
        "hours",
        "channel",
        short_date("created_at", _("received on")),
    ]
    list_filter = [
        "status",
        "attended",
        "shift__opportunity__programme",
        fiscal_year_filter(
            "shift__starts_at", title=_("fiscal year of the shift"), is_datetime=True
        ),
        "registration__district",
        "channel",
    ]
    list_select_related = ["shift__opportunity", "registration"]
    search_fields = [*PARTNER_SEARCH_FIELDS, "shift__opportunity__title"]
    # No date_hierarchy: its list of dates is a DISTINCT over every row (a full scan at
    # 100,000 rows on every page view); the shift's 年度 filter does the job from an index (issue 14).
    fields = [
        "shift",
        "registration",
        "status",
        "status_changed_at",
        "attended",
        "hours",
        "history",
    ]
    readonly_fields = ["shift", "registration", "status", "status_changed_at", "history"]
    actions = ["cancel_signups", "export_csv"]
    export_csv = csv_export_action(
        "signups.csv",
        [
            ("opportunity", lambda x: x.shift.opportunity.title),
            ("programme", lambda x: x.shift.opportunity.get_programme_display()),
            (
                "shift_starts",
                lambda x: timezone.localtime(x.shift.starts_at).strftime("%Y-%m-%d %H:%M"),
            ),
            ("number", lambda x: x.registration.number),
            ("partner", lambda x: x.registration.display_name),
            ("district_of_partner", lambda x: x.registration.district.name),
            ("status", lambda x: x.get_status_display()),
            ("channel", lambda x: x.get_channel_display()),
            ("attended", lambda x: {True: "yes", False: "no"}.get(x.attended, "")),
            ("hours", lambda x: x.hours if x.hours is not None else ""),
        ],
        select_related=(
            "shift__opportunity",
            "registration__organization",
            "registration__district",
        ),
        description=_("Export the selected sign-ups as CSV"),
    )
    show_full_result_count = False
    change_list_template = "partners/opportunity_signup_changelist.html"

    @admin.display(description=_("registration number"), ordering="registration__number")
    def number(self, obj):
        return obj.registration.number

    autocomplete_fields = ["registration"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PaperSignupForm
            kwargs["fields"] = ["shift", "registration", "channel", "wait"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["shift", "registration", "channel", "wait"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def create_with_service(self, request, obj, form):
        # Paper, phone or counter: the same service and the same count of places.
        signup = services.signup_create(
            shift=form.cleaned_data["shift"],
            registration=form.cleaned_data["registration"],
            by=request.user,
            wait=form.cleaned_data.get("wait", False),
            channel=form.cleaned_data["channel"],
        )
        obj.pk, obj.status, obj.created_at = signup.pk, signup.status, signup.created_at
        if signup.status == Signup.Status.WAITING:
            self.message_user(
                request,
                _("The shift is full: the partner is on the waiting list."),
                messages.WARNING,
            )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        try:
            services.attendance_record(
                signup=obj,
                attended=bool(form.cleaned_data.get("attended")),
                hours=form.cleaned_data.get("hours"),
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(getattr(error, "messages", [])) or str(_("not allowed"))
            self.message_user(request, text, messages.ERROR)

    cancel_signups = transition_action(
        services.signup_cancel,
        subject="signup",
        description=_("Cancel the selected sign-ups"),
        select_related=("shift__opportunity", "registration"),
        done_message=lambda n: (
            ngettext("%(n)d sign-up cancelled.", "%(n)d sign-ups cancelled.", n) % {"n": n}
        ),
        name="cancel_signups",
    )

    # --- まかせて honorarium -----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "honorarium/",
                self.admin_site.admin_view(self.honorarium_view),
                name="partners_signup_honorarium",
            ),
        ] + super().get_urls()

    def honorarium_view(self, request):
        if not (is_partner_staff(request.user) and self.has_view_permission(request)):
            raise PermissionDenied
        this = current_fiscal_year()
        try:
            year = int(request.GET.get("year", this))
        except ValueError:
            year = this
        if not 2000 <= year <= this + 1:  # a typed URL: the years there can be data for
            year = this
        monthly, yearly = honorarium_rows(year)
        if request.GET.get("format") == "csv":
            rows = [
                [
                    year,
                    f"{row['month']:%Y-%m}",
                    row["registration__number"],
                    row["name"],
                    row["total_hours"],
                    row["amount"],
                ]
                for row in monthly
            ] + [
                [
                    year,
                    "total",
                    row["registration__number"],
                    row["name"],
                    row["total_hours"],
                    row["amount"],
                ]
                for row in yearly
            ]
            return csv_response(
                f"makasete-honorarium-{year}.csv",
                ["fiscal_year", "month", "number", "name", "hours", "amount_yen"],
                rows,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Makasete honorarium"),
            "opts": self.model._meta,
            "year": year,
            "year_label": fiscal_year_label(year),
            "years": [(y, fiscal_year_label(y)) for y in range(this, this - 6, -1)],
            "monthly": monthly,
            "yearly": yearly,
            "total": sum(row["amount"] for row in yearly),
            "csv_url": reverse("admin:partners_signup_honorarium") + f"?year={year}&format=csv",
        }
        return render(request, "partners/opportunity_honorarium.html", context)

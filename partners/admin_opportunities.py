"""まごころ・まかせて in the admin: staff post opportunities with their shifts, see sign-ups,
record attendance and hours (through `attendance_record`, never the status), cancel sign-ups
(through `signup_cancel`), and total the まかせて honorarium per partner per month and fiscal
year, with a CSV export."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, F, Sum
from django.db.models.functions import Floor, Round, TruncMonth
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.admin_actions import run_for_each
from muroran_kyodo.csvexport import csv_response
from muroran_kyodo.jp import current_fiscal_year, fiscal_year_datetimes, fiscal_year_label

from .models import Opportunity, Programme, Registration, Shift, Signup
from .opportunities import AttendanceForm, attendance_record, signup_cancel
from .permissions import is_partner_staff

# --- opportunities ----------------------------------------------------------------------------


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1
    fields = ["starts_at", "ends_at", "slots"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "programme",
        "department",
        "signup_deadline",
        "hourly_honorarium",
        "is_published",
    ]
    list_filter = ["programme", "is_published", "signup_deadline"]
    search_fields = ["title", "department", "place"]
    date_hierarchy = "signup_deadline"
    inlines = [ShiftInline]
    show_full_result_count = False


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


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    form = AttendanceForm
    list_display = ["shift", "number", "status", "attended", "hours", "created_at"]
    list_filter = ["status", "attended", "shift__opportunity__programme"]
    list_select_related = ["shift__opportunity", "registration"]
    search_fields = ["registration__number", "shift__opportunity__title"]
    date_hierarchy = "created_at"
    fields = ["shift", "registration", "status", "status_changed_at", "attended", "hours"]
    readonly_fields = ["shift", "registration", "status", "status_changed_at"]
    actions = ["cancel_signups"]
    show_full_result_count = False
    change_list_template = "partners/opportunity_signup_changelist.html"

    @admin.display(description=_("registration number"), ordering="registration__number")
    def number(self, obj):
        return obj.registration.number

    def has_add_permission(self, request):
        # Partners sign up on the site; the count of places is kept by the service.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            attendance_record(
                signup=obj,
                attended=bool(form.cleaned_data.get("attended")),
                hours=form.cleaned_data.get("hours"),
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(getattr(error, "messages", [])) or str(_("not allowed"))
            self.message_user(request, text, messages.ERROR)

    @admin.action(description=_("Cancel the selected sign-ups"), permissions=["change"])
    def cancel_signups(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("shift__opportunity", "registration"),
            lambda signup: signup_cancel(signup=signup, by=request.user),
            done_message=lambda n: (
                ngettext("%(n)d sign-up cancelled.", "%(n)d sign-ups cancelled.", n) % {"n": n}
            ),
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

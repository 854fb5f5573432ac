"""What the public comment admin modules share: the read-only inline, the case filters and
the case's number as a short column."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import FiscalYearListFilter
from muroran_kyodo.lib.admin_inlines import ReadOnlyInline  # noqa: F401 (re-exported)

from ..models import Case


class CaseFiscalYearFilter(FiscalYearListFilter):
    """The 年度 of the case (from its opening date; next year's cases are prepared ahead)."""

    years_back = 10
    years_ahead = 1
    case_field = "case__fiscal_year"

    def filter_year(self, queryset, year: int):
        return queryset.filter(**{self.case_field: year})


class OwnFiscalYearFilter(CaseFiscalYearFilter):
    case_field = "fiscal_year"


class CaseFilter(admin.SimpleListFilter):
    """One case: those not yet decided (announced: open or being considered) are offered, the
    newest first; any case can be asked for by its id in the URL."""

    title = _("case")
    parameter_name = "case"

    def lookups(self, request, model_admin):
        cases = Case.objects.filter(status=Case.Status.ANNOUNCED).order_by("-opens_at")[:30]
        return [(str(case.pk), f"{case.code} {case.title[:20]}") for case in cases]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdecimal():
            return queryset.filter(case_id=int(value))
        return queryset


class PhaseFilter(admin.SimpleListFilter):
    """Where a case stands as staff and the public read it: the stored state, and for an
    announced case its window against the clock (募集開始前, 募集中, 締切後・検討中)."""

    title = _("status")
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return Case.Phase.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == Case.Phase.UPCOMING:
            return queryset.upcoming_at(now)
        if value == Case.Phase.OPEN:
            return queryset.open_at(now)
        if value == Case.Phase.CONSIDERING:
            return queryset.considering_at(now)
        if value in (Case.Phase.DRAFT, Case.Phase.RESULT_PUBLISHED, Case.Phase.ABANDONED):
            return queryset.filter(status=value)
        return queryset


@admin.display(description=_("case"), ordering="case__opens_at")
def case_code(obj):
    """The case of a row by its number (2026-007), the title on hover."""
    case = obj.case
    return format_html('<span title="{}">{}</span>', case.title, case.code)

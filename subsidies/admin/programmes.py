"""Staff set up programmes (windows, categories, criteria, documents), see the committee's
ranking, record prior consultations, and publish the results meeting."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import ServiceSaveMixin, transition_action
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.printing import PrintablesAdminMixin

from .. import services
from ..models import (
    AttachmentType,
    Category,
    Consultation,
    Criterion,
    IntakeWindow,
    Programme,
    ResultsMeeting,
)
from ..ranking import ranking
from .base import short_programme


class IntakeWindowInline(admin.TabularInline):
    model = IntakeWindow
    extra = 0


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["name", "cap", "rate_numerator", "rate_denominator", "sort_order"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "weight", "description", "sort_order"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "fiscal_year",
        "track",
        short_text("title", _("title"), length=16),
        "total_budget",
        "decided_total",
        "consultation_required",
        "is_published",
        "ranking_link",
    ]
    list_filter = ["fiscal_year", "track", "is_published"]
    search_fields = ["title"]
    filter_horizontal = ["eligible_actor_types", "required_attachment_types"]
    inlines = [IntakeWindowInline, CategoryInline, CriterionInline]
    actions = ["export_ranking"]
    fieldsets = [
        (None, {"fields": ["fiscal_year", "track", "title", "description", "theme"]}),
        (_("Money"), {"fields": ["total_budget"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "consultation_required",
                    "eligible_actor_types",
                    "min_members",
                    ("age_band_min", "age_band_max", "age_band_share_percent"),
                    "once_per_group",
                    "within_fiscal_year",
                    "required_attachment_types",
                ]
            },
        ),
        (None, {"fields": ["is_published"]}),
        (_("Committee"), {"fields": ["ranking_link"]}),
    ]
    readonly_fields = ["ranking_link"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                # An ended grant (取消, 中止・廃止) uses only the part paid.
                decided_sum=Sum(
                    Coalesce("applications__kept_amount", "applications__decided_amount")
                )
            )
        )

    # --- the committee's ranking ------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/ranking/",
                self.admin_site.admin_view(self.ranking_view),
                name="subsidies_programme_ranking",
            ),
        ] + super().get_urls()

    @admin.display(description=_("ranking"))
    def ranking_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:subsidies_programme_ranking", args=[obj.pk]),
            _("Ranking"),
        )

    def ranking_view(self, request, pk):
        """Weighted totals, per-criterion averages and reviewer counts (`ranking.ranking`), best
        first; `?format=csv` gives the same as the CSV action."""
        programme = get_object_or_404(Programme, pk=pk)
        if not self.has_view_permission(request, programme):
            raise PermissionDenied
        if request.GET.get("format") == "csv":
            return self.export_ranking(request, Programme.objects.filter(pk=programme.pk))
        criteria, rows = ranking(programme)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ranking: %(programme)s") % {"programme": programme},
            "opts": self.model._meta,
            "programme": programme,
            "criteria": criteria,
            "rows": [
                (rank, row, [row.averages.get(criterion.pk) for criterion in criteria])
                for rank, row in enumerate(rows, 1)
            ],
            "csv_url": reverse("admin:subsidies_programme_ranking", args=[programme.pk])
            + "?format=csv",
        }
        return render(request, "subsidies/review_ranking.html", context)

    @admin.display(description=_("decided so far (yen)"), ordering="decided_sum")
    def decided_total(self, obj):
        return obj.decided_sum or 0

    @admin.action(description=_("Export the committee's ranking as CSV (one programme)"))
    def export_ranking(self, request, queryset):
        programmes = list(queryset[:2])
        if len(programmes) != 1:
            self.message_user(request, _("Select exactly one programme."), messages.WARNING)
            return None
        criteria, rows = ranking(programmes[0])
        header = [
            "rank",
            "number",
            "organization",
            "title",
            "status",
            "reviewers",
            "weighted_total",
            *[f"average:{criterion.name}" for criterion in criteria],
        ]

        def lines():
            for rank, row in enumerate(rows, 1):
                application = row.application
                yield [
                    rank,
                    application.number,
                    application.organization.name,
                    application.title,
                    application.get_status_display(),
                    row.reviewers,
                    f"{float(row.weighted_total):.2f}",
                    *[
                        f"{row.averages[c.pk]:.2f}" if c.pk in row.averages else ""
                        for c in criteria
                    ],
                ]

        return csv_response(f"subsidy-ranking-{programmes[0].pk}.csv", header, lines())


@admin.register(AttachmentType)
class AttachmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "stage", "sort_order"]
    list_editable = ["sort_order"]


class ConsultationAdminForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["organization", "programme", "held_on", "topic", "consulted_with", "held"]
        fields += ["staff_note"]

    def clean(self):
        data = super().clean()
        if data.get("held") and not (data.get("consulted_with") or "").strip():
            self.add_error("consulted_with", _("Enter who at the division held the consultation."))
        return data


@admin.register(Consultation)
class ConsultationAdmin(PrintablesAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    """Staff key in a consultation held (with whom: `consultation_record`) or a booking
    (`consultation_book`); a booking is marked held by the action once it has taken place."""

    def printables(self, request, obj):
        return [(_("Receipt slip"), reverse("subsidies:consultation_receipt", args=[obj.pk]))]

    form = ConsultationAdminForm
    list_display = [
        "held_on",
        "held",
        short_text("organization", _("organisation"), length=12, ordering="organization__name"),
        short_programme,
        short_text("topic", _("topic"), length=14),
        short_text("consulted_with", _("consulted with"), length=10),
        "recorded_by",
    ]
    list_filter = ["held", "programme"]
    actions = ["mark_held"]
    list_select_related = ["organization", "programme", "recorded_by"]
    search_fields = ["organization__name", "organization__name_kana", "topic"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "held_on"
    readonly_fields = ["recorded_by", "created_at"]

    state_fields = ()

    def create_with_service(self, request, obj, form):
        if obj.held:
            saved = services.consultation_record(
                organization=obj.organization,
                programme=obj.programme,
                held_on=obj.held_on,
                topic=obj.topic,
                consulted_with=obj.consulted_with,
                by=request.user,
                note=obj.staff_note,
            )
            obj.pk, obj.recorded_by, obj.created_at = saved.pk, saved.recorded_by, saved.created_at
            return
        saved = services.consultation_book(
            organization=obj.organization,
            programme=obj.programme,
            held_on=obj.held_on,
            topic=obj.topic,
            by=request.user,
            held=obj.held,
            note=obj.staff_note,
        )
        obj.pk, obj.recorded_by, obj.created_at = saved.pk, saved.recorded_by, saved.created_at

    mark_held = transition_action(
        services.consultation_mark_held,
        subject="consultation",
        description=_("Mark the selected consultations held"),
        done_message=lambda n: (
            ngettext("%(n)d consultation marked held.", "%(n)d consultations marked held.", n)
            % {"n": n}
        ),
        name="mark_held",
    )


# --- 報告会 (appended by the public pages: the model is theirs) ------------------------------


@admin.register(ResultsMeeting)
class ResultsMeetingAdmin(admin.ModelAdmin):
    """One results meeting per 年度; its public page lists that year's adopted projects."""

    list_display = ("fiscal_year", "held_at", "place", "is_published")
    list_filter = ("is_published",)
    search_fields = ("place", "description")
    ordering = ("-fiscal_year",)

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    ReasonActionForm,
    fiscal_year_filter,
    save_changed_fields,
    transition_action,
)
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.streaming import rows_of

from . import services
from .models import (
    ActivityField,
    ActorType,
    CollaborationForm,
    CollaborationLead,
    CollaborationProject,
    District,
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
    Pillar,
    Policy,
    Principle,
    SupportSphere,
)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "kana", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "kana"]


@admin.register(ActorType)
class ActorTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "is_organisation", "sort_order"]
    readonly_fields = ["code"]


@admin.register(ActivityField, Principle, SupportSphere, Pillar, Policy)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "sort_order"]
    list_editable = ["sort_order"]


class CollaborationFormInline(admin.StackedInline):
    model = CollaborationForm
    extra = 0


@admin.register(CollaborationLead)
class CollaborationLeadAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "sort_order"]
    inlines = [CollaborationFormInline]


@admin.register(CollaborationForm)
class CollaborationFormAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "code", "sort_order"]
    list_filter = ["lead"]
    list_select_related = ["lead"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        # Each row prints str(membership), which names the organisation and the user.
        return super().get_queryset(request).select_related("organization", "user")


class StatusChangeInline(admin.TabularInline):
    model = OrganizationStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False


def _organisations_changed(n: int) -> str:
    return ngettext("%(n)d organisation changed.", "%(n)d organisations changed.", n) % {"n": n}


@admin.register(Organization)
class OrganizationAdmin(
    EstimatedCountAdminMixin, PrintablesAdminMixin, ActionFormErrorsMixin, admin.ModelAdmin
):
    def printables(self, request, obj):
        return [(_("Receipt slip"), reverse("organizations:receipt", args=[obj.pk]))]

    list_display = ["name", "actor_type", "district", "status", "member_count", "created_at"]
    list_filter = [
        "status",
        "actor_type",
        "district",
        "fields",
        fiscal_year_filter("created_at", title=_("fiscal year registered"), is_datetime=True),
    ]
    list_select_related = ["actor_type", "district"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = ("description",)
    search_fields = ["name", "name_kana"]
    # No date_hierarchy: its list of dates is a DISTINCT over every row (a full scan at
    # 100,000 rows on every page view); the 年度 filter does the job from an index (issue 14).
    autocomplete_fields = ["district"]
    readonly_fields = ["status", "status_changed_at", "created_at", "updated_at"]
    filter_horizontal = ["fields"]
    inlines = [MembershipInline, StatusChangeInline]
    actions = ["verify", "return_for_changes", "export_csv"]
    action_form = ReasonActionForm
    show_full_result_count = False

    verify = transition_action(
        services.organization_verify,
        subject="organization",
        description=_("Verify the selected organisations"),
        with_reason=True,
        done_message=_organisations_changed,
        name="verify",
    )
    return_for_changes = transition_action(
        services.organization_return,
        subject="organization",
        description=_("Return the selected organisations for changes (write the reason)"),
        with_reason=True,
        done_message=_organisations_changed,
        name="return_for_changes",
    )

    def save_model(self, request, obj, form, change):
        if change:  # never the state, which only the transitions above write
            save_changed_fields(obj, form, exclude=("status", "status_changed_at"))
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Export the selected organisations as CSV"))
    def export_csv(self, request, queryset):
        rows = (
            [
                o.pk,
                o.name,
                o.name_kana,
                o.actor_type.name,
                o.district or "",
                o.get_status_display(),
                o.member_count or "",
                o.founded_year or "",
                o.public_email,
                o.public_phone,
                o.created_at.isoformat(),
            ]
            for o in rows_of(queryset.select_related("actor_type", "district"))
        )
        return csv_response(
            "organizations.csv",
            [
                "id",
                "name",
                "name_kana",
                "actor_type",
                "district",
                "status",
                "member_count",
                "founded_year",
                "public_email",
                "public_phone",
                "created_at",
            ],
            rows,
        )


@admin.register(OrganizationStatusChange)
class OrganizationStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["organization", "old_status", "new_status", "by", "at"]
    list_filter = ["new_status"]
    list_select_related = ["organization", "by"]
    date_hierarchy = "at"
    search_fields = ["organization__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "user", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["organization", "user"]
    search_fields = [
        "organization__name",
        "user__email",
        "user__family_name",
        "user__family_name_kana",
    ]
    autocomplete_fields = ["organization", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "organization",
        "email",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "email"]
    readonly_fields = ["token", "invited_by", "created_at", "accepted_at"]


@admin.register(CollaborationProject)
class CollaborationProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "form", "lead_department", "fiscal_year", "status", "is_published"]
    list_filter = ["fiscal_year", "form__lead", "form", "status", "is_published"]
    list_select_related = ["form__lead"]
    search_fields = ["title", "lead_department", "description"]
    autocomplete_fields = ["organizations"]
    show_full_result_count = False

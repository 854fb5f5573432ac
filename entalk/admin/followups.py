"""Follow-ups for the departments: each department's staff see only their department's and
change its status and public answer (`services.follow_up_change`, each change dated with the
answer as it stood); 秘書広報課's staff, who open them from the request's page, see every
follow-up read-only. Another department's follow-up is not found."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import ServiceRefusalsOnTheFormMixin
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.workflow import TransitionError

from .. import permissions, services
from ..models import Department, FollowUp, FollowUpChange
from .common import ReadOnlyInline, admin_link, local


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "sort_order"]
    list_editable = ["sort_order"]
    list_select_related = ["group"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Its follow-ups keep it (PROTECT).
        return False


class FollowUpHistoryInline(ReadOnlyInline):
    model = FollowUpChange
    fields = ["at", "old_status", "new_status", "answer", "by"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def has_view_permission(self, request, obj=None):
        # Whoever may see the follow-up sees its history.
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset & FollowUp.objects.overdue_at(timezone.now())
        return queryset


class FollowUpForm(forms.ModelForm):
    """The department's step: the status and the public answer, nothing else."""

    class Meta:
        model = FollowUp
        fields = ["status", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def clean_answer(self):
        # A browser posts CRLF: the answer sent back unchanged is not a change.
        return (self.cleaned_data.get("answer") or "").replace("\r\n", "\n").strip()


@admin.register(FollowUp)
class FollowUpAdmin(ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
    form = FollowUpForm
    list_display = [
        short_text("matter", _("matter"), length=24),
        "request_number",
        "department",
        "status",
        "opened",
        "last_change",
        "overdue",
    ]
    list_filter = ["status", "department", OverdueFilter]
    list_select_related = ["request", "department"]
    search_fields = ["matter", "request__number"]
    list_per_page = 50
    show_full_result_count = False
    actions = None
    inlines = [FollowUpHistoryInline]
    fields = [
        "request_label",
        "department",
        "topic",
        "matter",
        "opened_at",
        "status_changed_at",
        "status",
        "answer",
    ]
    readonly_fields = [
        "request_label",
        "request_link",
        "department",
        "topic",
        "matter",
        "opened_at",
        "status_changed_at",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if permissions.is_entalk_staff(user):
            return queryset
        departments = permissions.department_ids_of(user)
        if departments is None:
            return queryset
        return queryset.filter(department_id__in=departments)

    def get_fields(self, request, obj=None):
        if permissions.is_entalk_staff(request.user):
            # 秘書広報課 reach the session's page from here; a department has no access to it.
            return ["request_link" if f == "request_label" else f for f in self.fields]
        return self.fields

    def has_add_permission(self, request):
        # Opened from the request's page by 秘書広報課 (services.follow_up_open).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return permissions.can_change_follow_up(request.user, obj)

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("request"), ordering="request__number")
    def request_number(self, obj):
        return obj.request.number

    @admin.display(description=_("session"))
    def request_label(self, obj):
        return f"{obj.request.number} {obj.request.group_name}"

    @admin.display(description=_("session"))
    def request_link(self, obj):
        return admin_link("request", obj.request_id, self.request_label(obj))

    @admin.display(description=_("opened"), ordering="opened_at")
    def opened(self, obj):
        return f"{timezone.localtime(obj.opened_at):%Y/%m/%d}"

    @admin.display(description=_("last change"), ordering="status_changed_at")
    def last_change(self, obj):
        return local(obj.status_changed_at) if obj.status_changed_at else "—"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue_at(timezone.now())

    # --- saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Through the service only: the state and the answer, dated, with the history row."""
        current = FollowUp.objects.get(pk=obj.pk)
        try:
            services.follow_up_change(
                follow_up=current,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data.get("answer") or "",
                by=request.user,
            )
        except TransitionError as error:
            self.refused(ValidationError(str(error)))
        except PermissionDenied:
            self.refused(ValidationError(_("You may not change this follow-up.")))
        except ValidationError as error:
            self.refused(error)

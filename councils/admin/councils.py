"""Councils in the admin: a department's staff create one (through `services.council_create`),
add its materials (checked by their content), write the summary of the sessions and how the
opinions were reflected, and move it on with the buttons of its page (open, publish the
reflection, reopen with a reason), each through its named service and written in the history.
A change writes only the fields the form changed, never the state."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import ServiceSaveMixin
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.admin_inlines import CheckedUploadForm

from .. import permissions, services
from ..models import Council, CouncilStatusChange, Department, Material, Session
from .common import (
    DepartmentScopedMixin,
    HistoryInline,
    ReadOnlyInline,
    TransitionButtonsMixin,
    TransitionForm,
    admin_link,
    local,
    reason_field,
)
from .filters import ReflectionDueFilter

C = Council.Status


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """The departments that run councils, each with its staff group (migration 0002)."""

    list_display = ["name", "group", "sort_order"]
    list_select_related = ["group"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Its councils and sessions keep it (PROTECT).
        return False


# --- inlines -----------------------------------------------------------------------------------


class MaterialForm(CheckedUploadForm):
    upload_field = "file"

    class Meta:
        model = Material
        fields = ["title", "file", "position"]


class MaterialInline(admin.TabularInline):
    """The council's documents (PDF, images, Word, Excel), checked by their content and stored
    under a random name; public once the council is."""

    model = Material
    form = MaterialForm
    fields = ["title", "file", "position", "original_name", "content_type"]
    readonly_fields = ["original_name", "content_type"]
    extra = 0


class CouncilHistoryInline(HistoryInline):
    model = CouncilStatusChange


class WorkshopInline(ReadOnlyInline):
    """The council's workshops, each changed on its own page."""

    model = Session
    fk_name = "council"
    fields = ["link", "starts", "status", "capacity"]
    readonly_fields = fields
    verbose_name_plural = _("workshops")

    def has_view_permission(self, request, obj=None):
        return True

    @admin.display(description=_("theme"))
    def link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return admin_link("session", obj.pk, obj.title)

    @admin.display(description=_("starts"))
    def starts(self, obj):
        return local(obj.starts_at)


# --- the transition buttons --------------------------------------------------------------------


class OpenForm(TransitionForm):
    title = _("Open the council")
    button = _("Open the council (public)")

    def run(self, user) -> str:
        services.council_open(council=self.obj, by=user)
        return str(_("The council is open and public."))


class ReflectForm(TransitionForm):
    title = _("Publish how the opinions were reflected")
    button = _("Publish the reflection")

    def run(self, user) -> str:
        services.council_reflect(council=self.obj, by=user)
        return str(_("The reflection was published."))


class ReopenForm(TransitionForm):
    title = _("Reopen the council")
    button = _("Reopen")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = reason_field()

    def run(self, user) -> str:
        services.council_reopen(council=self.obj, by=user, reason=self.cleaned_data["reason"])
        return str(_("The council is under way again."))


COUNCIL_STEPS: dict[str, list[tuple[str, type[TransitionForm]]]] = {
    C.DRAFT: [("open", OpenForm)],
    C.ACTIVE: [("reflect", ReflectForm)],
    C.REFLECTED: [("reopen", ReopenForm)],
}


# --- the council -------------------------------------------------------------------------------


class CouncilAddForm(forms.ModelForm):
    class Meta:
        model = Council
        fields = [
            "title",
            "department",
            "stage",
            "is_trial",
            "fiscal_year",
            "description",
            "project",
        ]


ADD_FIELDS = ["title", "department", "stage", "is_trial", "fiscal_year", "description", "project"]
CHANGE_FIELDSETS = [
    (
        None,
        {
            "fields": [
                "title",
                "department",
                "status",
                "status_changed_at",
                "stage",
                "is_trial",
                "fiscal_year",
                "description",
                "project",
            ]
        },
    ),
    (_("Outcome (public)"), {"fields": ["summary", "reflection", "reflected_on"]}),
]


@admin.register(Council)
class CouncilAdmin(
    TransitionButtonsMixin, DepartmentScopedMixin, ServiceSaveMixin, admin.ModelAdmin
):
    change_form_template = "admin/councils/council/change_form.html"
    transition_url_name = "councils_council_transition"
    list_display = [
        short_text("title", _("title"), length=24),
        "status",
        "fiscal_year",
        "department",
        "is_trial",
    ]
    list_filter = ["status", "fiscal_year", "department", "stage", ReflectionDueFilter]
    list_select_related = ["department"]
    search_fields = ["title"]
    list_per_page = 50
    show_full_result_count = False
    actions = None
    inlines = [MaterialInline, WorkshopInline, CouncilHistoryInline]

    def scope(self, user, queryset):
        return permissions.councils_managed_by(user, queryset)

    def may_manage(self, user, obj) -> bool:
        return permissions.can_manage_council(user, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CouncilAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return CHANGE_FIELDSETS if obj is not None else [(None, {"fields": ADD_FIELDS})]

    def get_readonly_fields(self, request, obj=None):
        # The department decides who sees the council: it is chosen once, when adding.
        return ["department", "status", "status_changed_at"] if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A council ends by its reflection, which keeps its history; its sessions keep it.
        return False

    def create_with_service(self, request, obj, form):
        data = form.cleaned_data
        created = services.council_create(
            by=request.user, **{name: data.get(name) for name in ADD_FIELDS}
        )
        for field in Council._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def transition_forms(self, obj, *, bound="", data=None):
        return {
            name: form_class(data if name == bound else None, obj=obj, prefix=name)
            for name, form_class in COUNCIL_STEPS.get(obj.status, [])
        }

    def get_urls(self):
        return self.transition_urls() + super().get_urls()

"""Workshops and trainings in the admin: a department's staff create them (through
`services.session_create`), announce, cancel, publish or withdraw the outputs from buttons on
the page (each a named service, written in the history), enter the opinions by table and the
photos, see the sign-ups, and have three pages of their own:

- `<id>/attendance/` (`admin:councils_session_attendance`): the printable list of the people
  registered, with their codes (and needs, for the department's staff), a tick box each and a
  code entry box, through `services.attendance_set` / `services.attendance_by_code`;
- `<id>/complete/` (`admin:councils_session_complete`): a training's completions, through
  `services.training_complete` (each person ticked joins the facilitator pool);
- `<id>/assign/` (`admin:councils_session_assign`): facilitators from the pool at the
  workshop's tables, through `services.facilitator_assign` / `facilitator_unassign`.

A change goes through `services.session_change` with only the fields the form changed, never
the state, under the session's lock: a capacity below the people registered, or new times that
put an assigned facilitator at two workshops at once, are refused next to the field with
nothing saved; a capacity raised moves people up from the waiting list."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import ServiceSaveMixin
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.admin_inlines import CheckedUploadForm, checked_image
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.workflow import TransitionError

from .. import permissions, services
from ..models import (
    Assignment,
    Facilitator,
    Opinion,
    Photo,
    Session,
    SessionStatusChange,
    Signup,
)
from .common import (
    DepartmentScopedMixin,
    HistoryInline,
    ReadOnlyInline,
    TransitionButtonsMixin,
    admin_link,
    form_errors,
    local,
)
from .filters import CompletionDueFilter, OutputsDueFilter
from .session_forms import (
    AssignForm,
    AttendanceCodeForm,
    CompletionForm,
    as_id,
    as_int,
    session_steps,
)

S = Session.Status
REFUSALS = (ValidationError, TransitionError, PermissionDenied)


def _ids(values) -> list[int]:
    """The ids among posted values (the others are no row)."""
    return [pk for pk in map(as_id, values) if pk is not None]


# --- inlines -----------------------------------------------------------------------------------


class OutputsInlineMixin:
    """A workshop's outputs are entered once it is announced, and corrected after publishing;
    a cancelled one has none."""

    def _editable(self, obj):
        return obj is not None and obj.status in (S.SCHEDULED, S.PUBLISHED)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class OpinionInline(OutputsInlineMixin, admin.StackedInline):
    """The opinions of each table on each theme: the sticky notes, summarised."""

    model = Opinion
    fields = ["table", "theme", "summary", "notes", "position"]
    extra = 0


class PhotoForm(CheckedUploadForm):
    upload_field = "image"
    check = staticmethod(checked_image)

    class Meta:
        model = Photo
        fields = ["image", "caption", "position"]


class PhotoInline(OutputsInlineMixin, admin.StackedInline):
    """Photos checked by their content (JPEG or PNG), stored under a random name, each with
    its description for people who cannot see it. Stacked: every field has its label."""

    model = Photo
    form = PhotoForm
    fields = ["image", "caption", "position", "link"]
    readonly_fields = ["link"]
    extra = 0

    @admin.display(description=_("photo"))
    def link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("councils:photo", args=[obj.pk]), _("Open the photo")
        )


class SignupInline(ReadOnlyInline):
    """The sign-ups, read only: each is changed (cancelled) on its own page."""

    model = Signup
    fields = ["person", "status", "code", "channel", "attended"]
    readonly_fields = fields
    verbose_name_plural = _("sign-ups")
    ordering = ["status", "created_at", "pk"]

    def has_view_permission(self, request, obj=None):
        return True

    @admin.display(description=_("name"))
    def person(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return admin_link("signup", obj.pk, obj.name)

    @admin.display(description=_("attended"))
    def attended(self, obj):
        return local(obj.attended_at) if obj.attended_at else "—"


class SessionHistoryInline(HistoryInline):
    model = SessionStatusChange


# --- the session's forms -----------------------------------------------------------------------

ADD_FIELDS = [
    "kind",
    "council",
    "department",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "signup_closes_at",
    "venue_name",
    "venue_address",
    "venue_district",
    "capacity",
    "tables",
    "eligibility",
    "eligible_districts",
    "age_min",
    "age_max",
    "childcare",
    "sign_language",
    "captioning",
    "accessibility_note",
]


class SessionForm(forms.ModelForm):
    """The session's own fields, with the checks the database's constraints make as messages
    on the fields (never a server error)."""

    class Meta:
        model = Session
        fields = ADD_FIELDS
        widgets = {"eligible_districts": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "department" in self.fields:
            self.fields["department"].required = False
            self.fields["department"].help_text = _(
                "A workshop takes its council's department; choose one for a training."
            )
        if "eligible_districts" in self.fields:
            self.fields["eligible_districts"].help_text = ""

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        closes = data.get("signup_closes_at")
        if "starts_at" not in self.fields:
            starts = self.instance.starts_at
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        if starts and closes and closes > starts:
            self.add_error("signup_closes_at", _("Sign-ups must close before the session starts."))
        for name in ("capacity", "tables"):
            if name in self.fields and data.get(name) is not None and data[name] < 1:
                self.add_error(name, _("Enter 1 or more."))
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_max < age_min:
            self.add_error("age_max", _("The oldest age must not be below the youngest."))
        kind = data.get("kind") if "kind" in self.fields else None
        if kind == Session.Kind.WORKSHOP and not data.get("council"):
            self.add_error("council", _("Choose the council this workshop belongs to."))
        if kind == Session.Kind.TRAINING:
            if data.get("council"):
                self.add_error("council", _("A training belongs to no council."))
            if not data.get("department"):
                self.add_error("department", _("Choose the department in charge."))
        return data


CHANGE_READONLY = ["kind", "council", "department", "status", "status_changed_at", "fiscal_year"]


def change_fieldsets(obj: Session):
    outline = ["kind", "council", "department", "status", "status_changed_at", "title"]
    if not obj.is_workshop:
        outline.remove("council")
    fieldsets = [
        (None, {"fields": [*outline, "description"]}),
        (
            _("Date and venue"),
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "signup_closes_at",
                    "fiscal_year",
                    "venue_name",
                    "venue_address",
                    "venue_district",
                    "capacity",
                    "tables",
                ]
            },
        ),
        (
            _("Who may join and accessibility"),
            {
                "fields": [
                    "eligibility",
                    "eligible_districts",
                    "age_min",
                    "age_max",
                    "childcare",
                    "sign_language",
                    "captioning",
                    "accessibility_note",
                ]
            },
        ),
    ]
    if obj.is_workshop:
        fieldsets.append((_("Outputs"), {"fields": ["report", "what_stops_publishing"]}))
    return fieldsets


@admin.register(Session)
class SessionAdmin(
    PrintablesAdminMixin,
    TransitionButtonsMixin,
    DepartmentScopedMixin,
    ServiceSaveMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/councils/session/change_form.html"
    transition_url_name = "councils_session_transition"
    form = SessionForm
    list_display = [
        short_text("title", _("theme"), length=22),
        "status",
        "kind",
        "starts",
        "places",
        "department",
    ]
    list_filter = [
        "kind",
        "status",
        "fiscal_year",
        "department",
        OutputsDueFilter,
        CompletionDueFilter,
    ]
    list_select_related = ["department"]
    search_fields = ["title", "venue_name", "council__title"]
    list_per_page = 50
    show_full_result_count = False
    actions = None
    state_fields = ("status", "status_changed_at", "fiscal_year")
    inlines = [OpinionInline, PhotoInline, SignupInline, SessionHistoryInline]

    def scope(self, user, queryset):
        return permissions.sessions_managed_by(user, queryset)

    def may_manage(self, user, obj) -> bool:
        return permissions.can_manage_session(user, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                registered_count=Count(
                    "signups", filter=Q(signups__status=Signup.Status.REGISTERED)
                )
            )
        )

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts(self, obj):
        return local(obj.starts_at)

    @admin.display(description=_("places taken"))
    def places(self, obj):
        return f"{obj.registered_count}/{obj.capacity}"

    @admin.display(description=_("what still stops publishing"))
    def what_stops_publishing(self, obj):
        if obj is None or obj.status != S.SCHEDULED or not obj.is_workshop:
            return "—"
        problems = services.outputs_problems(obj, now=timezone.now())
        return "; ".join(m for messages_ in problems.values() for m in messages_) or "—"

    # --- forms -----------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        return change_fieldsets(obj) if obj is not None else [(None, {"fields": ADD_FIELDS})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*CHANGE_READONLY, "what_stops_publishing"]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.is_workshop:
            return self.inlines
        return [SignupInline, SessionHistoryInline]

    def has_delete_permission(self, request, obj=None):
        # A session ends by a transition (cancelled), which keeps its history and sign-ups.
        return False

    def printables(self, request, obj):
        if obj is None or obj.status == S.DRAFT:
            return []
        links = [
            (_("Attendance list"), reverse("admin:councils_session_attendance", args=[obj.pk]))
        ]
        if obj.is_workshop:
            links.append(
                (_("Facilitators"), reverse("admin:councils_session_assign", args=[obj.pk]))
            )
        else:
            links.append(
                (_("Completions"), reverse("admin:councils_session_complete", args=[obj.pk]))
            )
        return links

    def create_with_service(self, request, obj, form):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in ADD_FIELDS}
        fields["eligible_districts"] = list(data.get("eligible_districts") or [])
        for name in ("age_min", "age_max"):
            fields[name] = data.get(name)
        created = services.session_create(by=request.user, **fields)
        for field in Session._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The fields the form changed, through the service under the session's lock: a
        # capacity below the people registered, or times that put an assigned facilitator at
        # two workshops at once, are refused next to the field with nothing saved; a capacity
        # raised moves people up from the waiting list. The districts (many-to-many) are
        # saved by save_related, as Django does.
        concrete = {f.name for f in Session._meta.concrete_fields if not f.primary_key}
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in concrete and name not in self.state_fields
        }
        if not changes:
            return
        try:
            promoted = services.session_change(session=obj, changes=changes, by=request.user)
        except ValidationError as error:
            self.refused(error)
        except TransitionError as error:
            self.refused(ValidationError(error.messages))
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(n)d person moved up from the waiting list.",
                    "%(n)d people moved up from the waiting list.",
                    len(promoted),
                )
                % {"n": len(promoted)},
                messages.SUCCESS,
            )

    def transition_forms(self, obj, *, bound="", data=None):
        return {
            name: form_class(data if name == bound else None, obj=obj, prefix=name)
            for name, form_class in session_steps(obj)
        }

    # --- pages of their own ----------------------------------------------------------------

    def get_urls(self):
        def page(suffix, view, name):
            return path(
                f"<path:object_id>/{suffix}/",
                self.admin_site.admin_view(view),
                name=f"councils_session_{name}",
            )

        return [
            *self.transition_urls(),
            page("attendance", self.attendance_view, "attendance"),
            page("complete", self.complete_view, "complete"),
            page("assign", self.assign_view, "assign"),
        ] + super().get_urls()

    def _page_context(self, request, obj, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": obj,
            "session": obj,
            "change_url": self.change_url(obj),
        }

    def attendance_view(self, request, object_id):
        """The printable list of the people registered: tick who came, or type the code of
        their confirmation. POST runs the service and comes back here."""
        obj = self.managed_object(request, object_id)
        if obj.status == S.DRAFT:
            raise Http404
        url = reverse("admin:councils_session_attendance", args=[obj.pk])
        by_code = "code" in request.POST
        code_form = AttendanceCodeForm(request.POST if by_code else None)
        if request.method == "POST" and by_code and code_form.is_valid():
            try:
                signup = services.attendance_by_code(
                    session=obj, code=code_form.cleaned_data["code"], by=request.user
                )
            except REFUSALS as error:
                put_refusal_on_form(code_form, error)
            else:
                messages.success(request, _("%(name)s is marked present.") % {"name": signup.name})
                return HttpResponseRedirect(url)
        elif request.method == "POST" and not by_code:
            # Only the rows the list showed change (someone registered since is left as is);
            # a value that is no id ("²", 25 digits) is no row, never a server error.
            shown = _ids(request.POST.getlist("shown"))
            present = _ids(request.POST.getlist("present"))
            try:
                count = services.attendance_set(
                    session=obj, present_ids=present, shown_ids=shown, by=request.user
                )
            except REFUSALS as error:
                for text in getattr(error, "messages", [str(error)]):
                    messages.error(request, text)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d person is marked present.", "%(n)d people are marked present.", count
                    )
                    % {"n": count},
                )
            return HttpResponseRedirect(url)
        signups = list(obj.signups.registered().select_related("district").order_by("name", "pk"))
        context = {
            **self._page_context(request, obj, _("Attendance list")),
            "signups": signups,
            "show_needs": permissions.can_manage_session(request.user, obj),
            "code_form": code_form,
            "present_count": sum(1 for s in signups if s.attended_at),
        }
        return render(request, "admin/councils/session/attendance.html", context)

    def complete_view(self, request, object_id):
        """A training's completions: tick who completed it; they join the facilitator pool."""
        obj = self.managed_object(request, object_id)
        if obj.is_workshop or obj.status == S.DRAFT:
            raise Http404
        form = CompletionForm(request.POST or None, session=obj)
        if request.method == "POST" and obj.status == S.SCHEDULED and form.is_valid():
            try:
                joined = services.training_complete(
                    session=obj,
                    by=request.user,
                    completed_ids=[s.pk for s in form.cleaned_data["completed"]],
                    completed_on=form.cleaned_data["completed_on"],
                )
            except REFUSALS as error:
                put_refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d person joined the facilitator pool.",
                        "%(n)d people joined the facilitator pool.",
                        len(joined),
                    )
                    % {"n": len(joined)},
                )
                return HttpResponseRedirect(self.change_url(obj))
        context = {
            **self._page_context(request, obj, _("Training completions")),
            "form": form,
            "is_open": obj.status == S.SCHEDULED,
            "completed": obj.signups.filter(completed_on__isnull=False).order_by("name", "pk"),
        }
        return render(request, "admin/councils/session/complete.html", context)

    def assign_view(self, request, object_id):
        """The workshop's tables with their facilitators: choose one from the pool for a free
        table, or take one off. A refusal (double booking) is shown next to the table."""
        obj = self.managed_object(request, object_id)
        if not obj.is_workshop or obj.status == S.DRAFT:
            raise Http404
        url = reverse("admin:councils_session_assign", args=[obj.pk])
        bound_table = None
        bound_form = None
        if request.method == "POST":
            if "unassign" in request.POST:
                pk = as_id(request.POST.get("unassign"))
                assignment = Assignment.objects.filter(session=obj, pk=pk).first() if pk else None
                if assignment is None:
                    messages.error(request, _("This facilitator is no longer at this workshop."))
                    return HttpResponseRedirect(url)
                try:
                    services.facilitator_unassign(assignment=assignment, by=request.user)
                except REFUSALS as error:
                    for text in getattr(error, "messages", [str(error)]):
                        messages.error(request, text)
                else:
                    messages.success(
                        request,
                        _("%(name)s is no longer at table %(table)s.")
                        % {"name": assignment.facilitator, "table": assignment.table},
                    )
                return HttpResponseRedirect(url)
            bound_table = as_int(request.POST.get("table"))
            if bound_table is None or not 1 <= bound_table <= obj.tables:
                # No form of the page has this table: say so, instead of losing the choice.
                messages.error(
                    request,
                    _("Choose one of this workshop's tables (1 to %(count)d).")
                    % {"count": obj.tables},
                )
                return HttpResponseRedirect(url)
            bound_form = AssignForm(request.POST, prefix=f"table{bound_table}")
            if bound_form.is_valid():
                try:
                    services.facilitator_assign(
                        session=obj,
                        table=bound_table,
                        facilitator=bound_form.cleaned_data["facilitator"],
                        by=request.user,
                    )
                except REFUSALS as error:
                    put_refusal_on_form(bound_form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is at table %(table)s.")
                        % {"name": bound_form.cleaned_data["facilitator"], "table": bound_table},
                    )
                    return HttpResponseRedirect(url)
        assigned = {
            a.table: a
            for a in obj.assignments.select_related("facilitator__user").order_by("table")
        }
        pool = list(Facilitator.objects.in_pool().select_related("user").order_by("pk"))
        rows = []
        for table in range(1, obj.tables + 1):
            if table in assigned:
                rows.append({"table": table, "assignment": assigned[table], "form": None})
                continue
            form = (
                bound_form
                if table == bound_table and bound_form is not None
                else AssignForm(prefix=f"table{table}")
            )
            form.fields["facilitator"].queryset = Facilitator.objects.in_pool()
            form.fields["facilitator"].choices = [("", "---------")] + [
                (f.pk, str(f)) for f in pool
            ]
            form.fields["facilitator"].label = _("Facilitator for table %(table)s") % {
                "table": table
            }
            rows.append({"table": table, "assignment": None, "form": form})
        # Assignments to tables beyond the present count (the count was lowered).
        extra = [a for table, a in assigned.items() if table > obj.tables]
        is_open = obj.status == S.SCHEDULED and not obj.has_started_at(timezone.now())
        if (
            bound_form is not None
            and bound_form.errors
            and (bound_table in assigned or not is_open)
        ):
            # The table was taken, or the workshop closed, meanwhile: the page shows no form
            # for it, so the refusal is said on top.
            for error in form_errors(bound_form):
                messages.error(request, error)
        context = {
            **self._page_context(request, obj, _("Facilitators at the tables")),
            "rows": rows,
            "extra": extra,
            "is_open": is_open,
        }
        return render(request, "admin/councils/session/assign.html", context)

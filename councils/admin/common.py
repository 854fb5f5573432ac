"""What the councils admin modules share: the read-only inline and history inline, time
formats, links to admin pages, department scoping (each list holds only the staff member's
departments; another department's id is not found), and the transition buttons of a change
page, each posting its own small form to `<id>/transition/`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_inlines import HistoryInline as SharedHistoryInline
from muroran_kyodo.lib.admin_inlines import ReadOnlyInline
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.workflow import TransitionError

from .. import permissions
from ..models import Council, Department, Session

__all__ = ["HistoryInline", "ReadOnlyInline"]


class HistoryInline(SharedHistoryInline):
    def has_view_permission(self, request, obj=None):
        # Whoever may see the record sees its history.
        return True


def local(moment: dt.datetime | None) -> str:
    """2026/07/04 13:30 in Japan time; — when empty."""
    return "—" if moment is None else f"{timezone.localtime(moment):%Y/%m/%d %H:%M}"


def admin_link(model: str, pk: int, text: str):
    """A link to the change page of a councils record."""
    return format_html(
        '<a href="{}">{}</a>', reverse(f"admin:councils_{model}_change", args=[pk]), text
    )


def departments_of(user):
    """The departments whose records `user` manages (all of them for a superuser)."""
    ids = permissions.department_ids_of(user)
    queryset = Department.objects.all()
    return queryset if ids is None else queryset.filter(pk__in=ids)


class DepartmentScopedMixin:
    """A changelist and change pages limited to the staff member's departments: `scope(user,
    queryset)` filters the list (another department's id is then not found, as Django does for
    anything outside get_queryset), `may_manage(user, obj)` decides each record, and the
    department and council selects offer only the user's own."""

    def scope(self, user, queryset):
        raise NotImplementedError

    def may_manage(self, user, obj) -> bool:
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.may_manage(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_of(request.user)
        elif db_field.name == "council":
            kwargs["queryset"] = permissions.councils_managed_by(
                request.user, Council.objects.exclude(status=Council.Status.REFLECTED)
            )
        elif db_field.name == "session":
            kwargs["queryset"] = permissions.sessions_managed_by(
                request.user, Session.objects.filter(status=Session.Status.SCHEDULED)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- the transition buttons of a change page ---------------------------------------------------


class TransitionForm(forms.Form):
    """One step of a record's workflow, posted from its own small form on the change page."""

    title: str = ""
    button: str = ""

    def __init__(self, *args, obj, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)

    def run(self, user) -> str:
        raise NotImplementedError


def reason_field(*, required: bool = True, label=None):
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


def form_errors(form: forms.Form) -> list[str]:
    return [
        f"{form.fields[field].label}: {error}" if field in form.fields else str(error)
        for field, errors in form.errors.items()
        for error in errors
    ]


class TransitionButtonsMixin:
    """Buttons on the change page for the steps open now (`transition_forms(obj, bound, data)`
    gives them by name); each posts to `<id>/transition/`, whose view runs the named service.
    A refusal is shown on the page again, with what was typed, and nothing changes."""

    transition_url_name = ""  # e.g. "councils_session_transition"

    def transition_forms(self, obj, *, bound: str = "", data=None) -> dict[str, TransitionForm]:
        raise NotImplementedError

    def transition_urls(self):
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name=self.transition_url_name,
            )
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add and self.has_change_permission(request, obj):
            context.setdefault("transition_forms", self.transition_forms(obj))
            context["transition_url"] = reverse(f"admin:{self.transition_url_name}", args=[obj.pk])
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def managed_object(self, request, object_id):
        """The record for a page of its own: 404 outside the user's departments, 403 without
        the right to change it."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def transition_view(self, request, object_id):
        obj = self.managed_object(request, object_id)
        change_url = self.change_url(obj)
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        name = request.POST.get("transition", "")
        forms_ = self.transition_forms(obj, bound=name, data=request.POST)
        form = forms_.get(name)
        if form is None:
            messages.error(request, _("This can no longer be done in the record's present state."))
            return HttpResponseRedirect(change_url)
        if form.is_valid():
            try:
                done = form.run(request.user)
            except (ValidationError, TransitionError, PermissionDenied) as error:
                put_refusal_on_form(form, error)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(change_url)
        for error in form_errors(form):
            messages.error(request, error)
        # The page again, with the step's form as it was posted and its errors.
        obj.refresh_from_db()
        request.method = "GET"
        return self.change_view(request, str(obj.pk), extra_context={"transition_forms": forms_})

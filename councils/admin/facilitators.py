"""The facilitator pool in the admin, kept by 企画課 (the permission to change facilitators):
a person who completed a training before the portal is added through `services.pool_add`;
the action "leave the pool" runs `services.pool_leave` with the reason (their assignments to
workshops to come are removed). People completing a training on the portal join from the
training's completion page. Assignments are listed read only: they are made on each
workshop's facilitators page."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    ReasonActionForm,
    ServiceSaveMixin,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_date, short_text

from .. import permissions, services
from ..models import Assignment, Facilitator, Session
from .common import ReadOnlyInline, local


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fk_name = "facilitator"
    fields = ["session", "table", "assigned_at"]
    readonly_fields = fields
    verbose_name_plural = _("assignments")

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")


class PoolAddForm(forms.ModelForm):
    """A person who completed a training before the portal: their account, the course, the
    date."""

    user = forms.EmailField(
        label=_("the person's e-mail address (their account)"),
        help_text=_("The person needs an account on the portal."),
    )

    class Meta:
        model = Facilitator
        fields = ["course", "completed_on"]

    def clean_user(self):
        email = self.cleaned_data["user"]
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account has this e-mail address."))
        return user


class LeaveForm(ReasonActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


@admin.register(Facilitator)
class FacilitatorAdmin(ActionFormErrorsMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = [
        "person",
        short_text("course", _("course"), length=22),
        short_date("completed_on", _("completed on")),
        "in_pool",
        "left_on",
    ]
    list_filter = [("left_on", admin.EmptyFieldListFilter), "completed_on"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "course"]
    list_per_page = 50
    show_full_result_count = False
    action_form = LeaveForm
    actions = ["leave_pool"]
    inlines = [AssignmentInline]
    state_fields = ("left_on", "left_reason")

    @admin.display(description=_("person"), ordering="user__email")
    def person(self, obj):
        return str(obj)

    @admin.display(description=_("in the pool"), boolean=True)
    def in_pool(self, obj):
        return obj.in_pool

    @admin.display(description=_("joined the pool"))
    def joined(self, obj):
        return local(obj.joined_at)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PoolAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "course", "completed_on"]
        return ["person", "training", "course", "completed_on", "joined", "left_on", "left_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["person", "training", "course", "completed_on", "joined", "left_on", "left_reason"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_add_permission(self, request):
        return permissions.is_pool_keeper(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return permissions.is_pool_keeper(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        # Leaving keeps the entry (and the past assignments) on record.
        return False

    def create_with_service(self, request, obj, form):
        data = form.cleaned_data
        created = services.pool_add(
            user=data["user"],
            course=data["course"],
            completed_on=data["completed_on"],
            by=request.user,
        )
        for field in Facilitator._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    leave_pool = transition_action(
        services.pool_leave,
        subject="facilitator",
        description=_("Take the selected people out of the pool (reason in the box)"),
        with_reason=True,
        select_related=("user",),
        done_message=lambda n: (
            ngettext("%(n)d person left the pool.", "%(n)d people left the pool.", n) % {"n": n}
        ),
        name="leave_pool",
    )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Facilitators at workshop tables, read only: made on the workshop's facilitators page.
    Each department sees the assignments of its own workshops."""

    list_display = ["session", "table", "facilitator", "assigned"]
    list_select_related = ["session", "facilitator__user"]
    list_filter = ["session__fiscal_year"]
    search_fields = ["session__title", "facilitator__user__email"]
    list_per_page = 50
    show_full_result_count = False
    actions = None

    @admin.display(description=_("assigned"), ordering="assigned_at")
    def assigned(self, obj):
        return local(obj.assigned_at)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.is_pool_keeper(request.user):
            return queryset
        return queryset.filter(
            session__in=permissions.sessions_managed_by(request.user, Session.objects.all())
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

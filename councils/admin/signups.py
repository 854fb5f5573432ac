"""Sign-ups in the admin, for the staff of the session's department only (the list holds
theirs; another department's id is not found): a sign-up that came by phone, at the counter or
on paper is keyed in through `services.signup_create` (the same places, waiting list and
e-mails as on the site; staff may key in after the web deadline, until the start); the change
page edits nothing (the state changes by the cancel action, `services.signup_cancel`, with
the reason). The needs are shown here: only the department's staff reach this admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    ReasonActionForm,
    ServiceSaveMixin,
    fiscal_year_filter,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin

from .. import permissions, services
from ..models import Channel, Session, Signup, SignupStatusChange
from .common import DepartmentScopedMixin, HistoryInline, local

KEYED_IN_CHANNELS = [Channel.PHONE, Channel.COUNTER, Channel.PAPER]
NEEDS_FIELDS = ["need_childcare", "need_mobility", "need_interpreting", "needs_note"]
ADD_FIELDS = ["session", "channel", "name", "phone", "email", "district", "age", *NEEDS_FIELDS]


class SignupHistoryInline(HistoryInline):
    model = SignupStatusChange


class KeyedInSignupForm(forms.ModelForm):
    """A sign-up taken by phone, at the counter or on paper."""

    class Meta:
        model = Signup
        fields = ADD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.value, c.label) for c in KEYED_IN_CHANNELS]
        self.fields["channel"].initial = Channel.PHONE
        self.fields["email"].help_text = _(
            "When given, the person gets the same e-mails as a sign-up on the site."
        )

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and not self.has_error("email"):
            self.add_error("phone", _("Give a telephone number or an e-mail address."))
        return data


class ReasonForm(ReasonActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


@admin.register(Signup)
class SignupAdmin(
    EstimatedCountAdminMixin,
    DepartmentScopedMixin,
    ActionFormErrorsMixin,
    ServiceSaveMixin,
    admin.ModelAdmin,
):
    list_display = [
        short_text("name", _("name"), length=14),
        "status",
        short_text("session", _("session"), length=22, ordering="session__starts_at"),
        "channel",
        "code",
        "needs",
    ]
    list_filter = [
        "status",
        "channel",
        "session__kind",
        fiscal_year_filter("session__starts_at", title=_("fiscal year"), is_datetime=True),
    ]
    list_select_related = ["session"]
    search_fields = ["name", "email", "phone", "code", "session__title"]
    list_per_page = 50
    show_full_result_count = False
    action_form = ReasonForm
    actions = ["cancel_signups"]
    inlines = [SignupHistoryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "session",
                    "status",
                    "status_changed_at",
                    "code",
                    "name",
                    "user",
                    "email",
                    "phone",
                    "district",
                    "age",
                    "channel",
                    "keyed_in_by",
                    "created_at",
                    "queued_at",
                    "confirm_by",
                    "attended_at",
                    "completed_on",
                    "anonymised_at",
                ]
            },
        ),
        (_("Needs"), {"fields": [*NEEDS_FIELDS, "needs_erased_at"]}),
    ]
    state_fields = (
        "status",
        "status_changed_at",
        "queued_at",
        "confirm_by",
        "attended_at",
        "completed_on",
    )

    def scope(self, user, queryset):
        return permissions.signups_managed_by(user, queryset)

    def may_manage(self, user, obj) -> bool:
        return permissions.can_manage_session(user, obj.session)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            # Sessions announced and not started: staff key in after the web deadline too.
            kwargs["queryset"] = permissions.sessions_managed_by(
                request.user,
                Session.objects.filter(
                    status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
                ),
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("needs"))
    def needs(self, obj):
        if obj.needs_erased_at:
            return _("erased")
        items = []
        if obj.need_childcare:
            items.append(str(_("childcare")))
        if obj.need_mobility:
            items.append(str(_("mobility")))
        if obj.need_interpreting:
            items.append(obj.get_need_interpreting_display())
        if obj.needs_note:
            items.append(str(_("note")))
        return ", ".join(items) or "—"

    # --- forms -----------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = KeyedInSignupForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ADD_FIELDS[:7]}),
                (_("Needs"), {"fields": NEEDS_FIELDS}),
            ]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Nothing of a sign-up is changed here: the state by the cancel action only.
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def create_with_service(self, request, obj, form):
        data = form.cleaned_data
        signup = services.signup_create(
            session=data["session"],
            name=data["name"],
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            district=data.get("district"),
            age=data.get("age"),
            need_childcare=bool(data.get("need_childcare")),
            need_mobility=bool(data.get("need_mobility")),
            need_interpreting=data.get("need_interpreting") or "",
            needs_note=data.get("needs_note") or "",
            channel=data["channel"],
            keyed_in_by=request.user,
        )
        for field in Signup._meta.concrete_fields:
            setattr(obj, field.attname, getattr(signup, field.attname))
        obj._state.adding = False
        if signup.status == Signup.Status.WAITING:
            self.message_user(
                request,
                _("The session is full: %(name)s is on the waiting list.") % {"name": signup.name},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                _("%(name)s is registered; the attendance code is %(code)s.")
                % {"name": signup.name, "code": signup.code},
                messages.SUCCESS,
            )

    cancel_signups = transition_action(
        services.signup_cancel,
        subject="signup",
        description=_("Cancel the selected sign-ups (reason in the box)"),
        with_reason=True,
        select_related=("session",),
        describe=lambda s: f"{s.name} ({local(s.session.starts_at)})",
        done_message=lambda n: (
            ngettext("%(n)d sign-up cancelled.", "%(n)d sign-ups cancelled.", n) % {"n": n}
        ),
        name="cancel_signups",
    )

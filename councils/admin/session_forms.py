"""The forms of a session's admin pages: the transition buttons (announce, cancel, publish or
withdraw the outputs, each running one named service) and the forms of the attendance,
completion and assignment pages (`councils.admin.sessions`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import MAX_ID, ModelMultipleChoiceField

from .. import services
from ..models import Facilitator, Session, Signup
from .common import TransitionForm, reason_field

S = Session.Status


# --- the transition buttons --------------------------------------------------------------------


class AnnounceForm(TransitionForm):
    title = _("Announce the session")
    button = _("Announce (public, open for sign-up)")

    def run(self, user) -> str:
        services.session_announce(session=self.obj, by=user)
        return str(_("The session is announced and open for sign-up."))


class CancelForm(TransitionForm):
    title = _("Cancel the session")
    button = _("Cancel the session")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = reason_field(label=_("Reason (everyone signed up reads it)"))

    def run(self, user) -> str:
        services.session_cancel(session=self.obj, by=user, reason=self.cleaned_data["reason"])
        return str(_("The session was cancelled; everyone signed up was told."))


class PublishForm(TransitionForm):
    title = _("Publish the outputs")
    button = _("Publish the opinions, photos and report")

    def run(self, user) -> str:
        services.outputs_publish(session=self.obj, by=user)
        return str(_("The outputs were published."))


class WithdrawForm(TransitionForm):
    title = _("Withdraw the outputs")
    button = _("Withdraw the outputs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = reason_field()

    def run(self, user) -> str:
        services.outputs_withdraw(session=self.obj, by=user, reason=self.cleaned_data["reason"])
        return str(_("The outputs are no longer public."))


def session_steps(
    obj: Session, *, now: dt.datetime | None = None
) -> list[tuple[str, type[TransitionForm]]]:
    """The steps open now: a session that has started can no longer be cancelled (the
    service refuses it), so its button is not offered."""
    now = now or timezone.now()
    steps: list[tuple[str, type[TransitionForm]]] = []
    if obj.status == S.DRAFT:
        steps.append(("announce", AnnounceForm))
    if obj.status == S.SCHEDULED:
        if obj.is_workshop:
            steps.append(("publish", PublishForm))
        if now < obj.starts_at:
            steps.append(("cancel", CancelForm))
    if obj.status == S.PUBLISHED:
        steps.append(("withdraw", WithdrawForm))
    return steps


# --- the pages' forms --------------------------------------------------------------------------


def as_int(value) -> int | None:
    """A number typed or posted as ASCII digits ("12"), None for anything else ("abc", "²",
    "-1", "", or more digits than a BIGINT has: Python refuses to read 4,300 and more)."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None


def as_id(value) -> int | None:
    """A posted id the database can hold (ASCII digits up to a BIGINT), else None: "²" or a
    25-digit number is no row, never a server error."""
    number = as_int(value)
    return number if number is not None and len(value) <= 19 and number <= MAX_ID else None


class AttendanceCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Attendance code"),
        max_length=20,
        help_text=_("The 6 characters on the participant's confirmation."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 10}),
    )


class CompletionForm(forms.Form):
    # The house field: an id beyond the database's integers is an invalid choice, not a 500.
    completed = ModelMultipleChoiceField(
        label=_("Completed the training"),
        queryset=Signup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    completed_on = forms.DateField(
        label=_("completed on"), widget=widgets.AdminDateWidget, required=True
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        people = session.signups.registered().order_by("name", "pk")
        self.fields["completed"].queryset = people
        self.fields["completed"].label_from_instance = _completion_label
        self.fields["completed_on"].initial = timezone.localdate(session.ends_at)
        if not self.is_bound:
            self.fields["completed"].initial = [s.pk for s in people if s.attended_at and s.user_id]

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value < timezone.localdate(self.session.starts_at):
            raise ValidationError(_("The date cannot be before the training."))
        if value > timezone.localdate() + dt.timedelta(days=1):
            raise ValidationError(_("The date cannot be in the future."))
        return value


def _completion_label(signup: Signup) -> str:
    notes = []
    notes.append(str(_("attended")) if signup.attended_at else str(_("not marked present")))
    if not signup.user_id:
        notes.append(str(_("no account")))
    return f"{signup.name} ({', '.join(notes)})"


class AssignForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        label=_("facilitator"), queryset=Facilitator.objects.in_pool()
    )

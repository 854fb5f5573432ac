"""The forms of the councils' public pages: the sign-up to a workshop or a training (with the
needs question), the cancellation of a sign-up and leaving the facilitator pool. Forms
validate what was typed; `services` hold the rules (deadline, eligibility, one sign-up per
person, capacity) and their refusals come back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import NormalizedEmailField, PhoneField, nfkc, validate_name
from organizations.models import District

from .models import Interpreting, Session

NEEDS_FIELDS = ("need_childcare", "need_mobility", "need_interpreting", "needs_note")


class AgeField(forms.IntegerField):
    """An age in years, typed in full or half width (２０, 20歳)."""

    default_error_messages = {
        "invalid": _("Enter your age in digits, for example 35."),
        "min_value": _("Enter 0 or more."),
        "max_value": _("Enter at most %(limit_value)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 130)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 4}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = nfkc(value).removesuffix("歳").strip()
        return super().to_python(value)


def districts_label(session: Session) -> str:
    """The districts whose residents may join, 、-separated (needs eligible_districts)."""
    return "、".join(district.name for district in session.eligible_districts.all())


def age_band_label(session: Session) -> str:
    if session.age_min is not None and session.age_max is not None:
        return _("from %(min)s to %(max)s years old") % {
            "min": session.age_min,
            "max": session.age_max,
        }
    if session.age_min is not None:
        return _("%(min)s years old or more") % {"min": session.age_min}
    if session.age_max is not None:
        return _("%(max)s years old or less") % {"max": session.age_max}
    return ""


def interpreting_offered(session: Session) -> list[str]:
    offered = []
    if session.sign_language:
        offered.append(str(_("sign language")))
    if session.captioning:
        offered.append(str(_("要約筆記 (written summary)")))
    return offered


class SignupForm(forms.Form):
    """A person's sign-up: who (prefilled from the account), the district or age when the
    session asks for it, and the needs. Only the fields the session needs are on the form."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = NormalizedEmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your e-mail address: the city sends the link there.")},
    )
    phone = PhoneField(
        label=_("Phone"),
        required=False,
        help_text=_("Optional: in case the session changes at short notice."),
    )
    district = forms.ModelChoiceField(
        label=_("District where you live"),
        queryset=District.objects.all(),
        empty_label=_("Choose your district"),
        error_messages={"required": _("Choose the district where you live.")},
    )
    age = AgeField(
        label=_("Age"),
        error_messages={"required": _("Enter your age.")},
    )
    need_childcare = forms.BooleanField(label=_("Childcare during the session"), required=False)
    need_mobility = forms.BooleanField(
        label=_("Help with mobility (step-free seat, a helper)"), required=False
    )
    need_interpreting = forms.ChoiceField(
        label=_("Interpreting"),
        choices=Interpreting.choices,
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    needs_note = forms.CharField(
        label=_("Other needs"),
        max_length=200,
        required=False,
        help_text=_(
            "Only what the city needs to prepare; never health details. At most 200 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
    )

    def __init__(self, *args: Any, session: Session, user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.session = session
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            self.fields["email"].help_text = _("The city writes to you there about this session.")
        else:
            self.fields["email"].help_text = _(
                "The city sends a link there: follow it to confirm your sign-up."
            )
        if session.eligibility == Session.Eligibility.DISTRICTS:
            self.fields["district"].help_text = _(
                "This session is for residents of: %(districts)s."
            ) % {"districts": districts_label(session)}
        else:
            del self.fields["district"]
        if session.eligibility == Session.Eligibility.AGE:
            self.fields["age"].help_text = _("This session is for people %(band)s.") % {
                "band": age_band_label(session)
            }
        else:
            del self.fields["age"]
        self.fields["need_childcare"].help_text = (
            _("This session offers childcare.")
            if session.childcare
            else _(
                "Childcare is not planned for this session: tell us and the staff will see what they can do."
            )
        )
        offered = interpreting_offered(session)
        self.fields["need_interpreting"].help_text = (
            _("Offered on request at this session: %(offered)s.") % {"offered": "、".join(offered)}
            if offered
            else _("Not planned for this session: tell us and the staff will see what they can do.")
        )

    @staticmethod
    def initial_for(user: Any) -> dict[str, Any]:
        """The account's name and contact, so an account holder only checks them."""
        if user is None or not user.is_authenticated:
            return {}
        initial: dict[str, Any] = {
            "name": user.get_full_name(),
            "email": user.email,
            "phone": getattr(user, "phone", "") or "",
        }
        if getattr(user, "district_id", None):
            initial["district"] = user.district_id
        return initial

    def signup_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.signup_create, other than session and user."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "email": data.get("email") or "",
            "phone": data.get("phone") or "",
            "district": data.get("district"),
            "age": data.get("age"),
            "need_childcare": bool(data.get("need_childcare")),
            "need_mobility": bool(data.get("need_mobility")),
            "need_interpreting": data.get("need_interpreting") or "",
            "needs_note": (data.get("needs_note") or "").strip(),
        }

    def needs_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in NEEDS_FIELDS]


class CancelForm(forms.Form):
    """Cancel a sign-up; the reason is optional and goes to the council's staff."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
        help_text=_("Optional: it helps the staff plan the next session."),
    )


class PoolLeaveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
    )

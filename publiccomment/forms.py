"""The opinion form (意見提出フォーム): who sends it, and one or more opinions, each on a section
of the draft or on the draft as a whole. Forms validate; `services.submission_create` persists
(and checks the window, the limits and who may submit once more).

Without JavaScript: the form shows `OPINION_ROWS` opinion rows; "Add another opinion" posts
the form and comes back with one row more (everything typed kept), up to
`MAX_OPINIONS_PER_SUBMISSION`. Empty rows are ignored; at least one opinion is required.

A honeypot field (`website`) is hidden from people (visually hidden, inside an aria-hidden
wrapper, out of the tab order) and refused when filled: see `HONEYPOT` and the README."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.confirm import confirm_value
from muroran_kyodo.lib.jp import NormalizedEmailField, PhoneField, validate_name

from . import services
from .models import (
    MAX_OPINION_LENGTH,
    MAX_OPINIONS_PER_SUBMISSION,
    Case,
    Eligibility,
    Submission,
)

OPINION_ROWS = 3  # rows shown at first; "Add another opinion" adds one
HONEYPOT = "website"
HONEYPOT_REFUSED = _(
    "The form could not be sent. Check what you typed and send it again. If this happens "
    "again, send your opinion by e-mail, FAX or post."
)
WHOLE = ""  # the section value of 案全体: the draft as a whole


def _text(value: Any) -> str:
    """An opinion as typed: the line ends a browser sends (CRLF) made plain, nothing else
    changed (no stripping: the text is stored exactly as written)."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n")


class OpinionTextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return _text(super().to_python(value))


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Sending as"),
        choices=Submission.Kind.choices,
        widget=forms.RadioSelect,
        initial=Submission.Kind.INDIVIDUAL,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[validate_name],
        help_text=_("For an organisation: the name of its representative."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    organization_name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        validators=[validate_name],
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organization_name_public = forms.BooleanField(
        label=_("The city may publish the organisation's name with the result"),
        required=False,
        help_text=_(
            "Only the organisation's name, never the representative's name or contact details."
        ),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        help_text=_("For an organisation: the address of its office."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={"required": _("Enter your address.")},
    )
    phone = PhoneField(label=_("Phone"), required=False)
    email = NormalizedEmailField(
        label=_("E-mail"),
        required=False,
        help_text=_(
            "Optional. When given, a copy of your opinions with the receipt number is sent "
            "there, and the city writes when the result is published."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    eligibility = forms.ChoiceField(
        label=_("You are"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who you are among those who may send opinions on this case."),
            "invalid_choice": _(
                "Choose who you are among those who may send opinions on this case."
            ),
        },
    )
    opinion_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, case: Case, rows: int | None = None, **kwargs: Any):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["eligibility"].choices = [
            (value, label) for value, label in Eligibility.choices if value in case.may_submit
        ]
        if len(self.fields["eligibility"].choices) == 1 and not self.is_bound:
            self.initial.setdefault("eligibility", self.fields["eligibility"].choices[0][0])
        # One query for the sections, shared by every row's choices.
        self.sections = {str(section.pk): section for section in case.sections.all()}
        section_choices = [(WHOLE, _("The draft as a whole"))] + [
            (pk, str(section)) for pk, section in self.sections.items()
        ]
        self.rows = self._rows(rows)
        for n in range(1, self.rows + 1):
            self.fields[f"opinion{n}_section"] = forms.ChoiceField(
                label=_("Opinion %(n)s: the part of the draft it is about") % {"n": n},
                choices=section_choices,
                required=False,
                error_messages={"invalid_choice": _("Choose a section of this draft.")},
            )
            self.fields[f"opinion{n}_text"] = OpinionTextField(
                label=_("Opinion %(n)s: your opinion and the reasons") % {"n": n},
                required=False,
                strip=False,
                max_length=MAX_OPINION_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={
                    "max_length": _(
                        "Write at most %(limit_value)s characters in one opinion (now "
                        "%(show_value)s). Split it into two opinions if needed."
                    )
                },
            )
        self.initial.setdefault("opinion_rows", self.rows)
        self.initial.setdefault("token", services.new_form_token())

    def _rows(self, rows: int | None) -> int:
        """How many opinion rows: asked for (one more after "Add another opinion"), else as
        posted, else OPINION_ROWS; always between 1 and MAX_OPINIONS_PER_SUBMISSION."""
        if rows is None:
            source = self.data if self.is_bound else self.initial
            try:
                rows = int(source.get(self.add_prefix("opinion_rows")) or OPINION_ROWS)
            except (TypeError, ValueError):
                rows = OPINION_ROWS
        return max(1, min(rows, MAX_OPINIONS_PER_SUBMISSION))

    @staticmethod
    def initial_from_profile(user: Any) -> dict[str, str]:
        """A signed-in person's name and contact from their account."""
        if not user.is_authenticated:
            return {}
        address = user.address
        if user.postal_code and address:
            address = f"〒{user.postal_code} {address}"
        # The account allows a longer address than a submission keeps: never prefill an
        # error on a field the person did not type.
        address = address[: Submission._meta.get_field("address").max_length]
        return {
            "name": user.get_full_name(),
            "address": address,
            "phone": user.phone,
            "email": user.email,
        }

    @classmethod
    def again(cls, form: SubmissionForm, *, rows: int) -> SubmissionForm:
        """The same form, unbound, with everything posted as its initial values and `rows`
        rows: "Add another opinion" shows it without errors, as the person left it."""
        initial = {
            name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            for name, field in form.fields.items()
            if name != HONEYPOT
        }
        initial["opinion_rows"] = rows
        if not initial.get("token"):
            del initial["token"]  # a new key, as on a fresh form
        again = cls(case=form.case, rows=rows, initial=initial)
        if again.rows > form.rows:
            again.fields[f"opinion{again.rows}_text"].widget.attrs["autofocus"] = True
        return again

    # --- validation ---------------------------------------------------------------------------

    def clean_token(self) -> uuid.UUID:
        # A form without its key (or with a forged one) still works; only the double-submit
        # guard is lost for it.
        try:
            return uuid.UUID(self.cleaned_data.get("token") or "")
        except ValueError:
            return services.new_form_token()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get(HONEYPOT):
            raise forms.ValidationError(HONEYPOT_REFUSED, code="honeypot")
        if data.get("kind") == Submission.Kind.ORGANIZATION:
            if not (data.get("organization_name") or "").strip():
                self.add_error("organization_name", _("Enter the organisation's name."))
        else:
            data["organization_name"] = ""
            data["organization_name_public"] = False
        rows_in_error = any(
            f"opinion{n}_{part}" in self.errors
            for n in range(1, self.rows + 1)
            for part in ("section", "text")
        )
        if not self.opinions() and not rows_in_error:
            self.add_error("opinion1_text", _("Write at least one opinion."))
        return data

    # --- reading ---------------------------------------------------------------------------

    def opinion_rows_fields(self) -> list[dict[str, Any]]:
        """The rows as the template draws them: number, section field, text field."""
        return [
            {
                "number": n,
                "section": self[f"opinion{n}_section"],
                "text": self[f"opinion{n}_text"],
            }
            for n in range(1, self.rows + 1)
        ]

    def can_add_row(self) -> bool:
        return self.rows < MAX_OPINIONS_PER_SUBMISSION

    def opinions(self) -> list[services.OpinionInput]:
        """The rows with text (empty rows ignored), in order, for the service."""
        kept = []
        for n in range(1, self.rows + 1):
            text = self.cleaned_data.get(f"opinion{n}_text") or ""
            if not text.strip():
                continue
            section = self.sections.get(self.cleaned_data.get(f"opinion{n}_section") or "")
            kept.append(services.OpinionInput(section=section, text=text))
        return kept

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) of who sends it, for the confirmation page: what applies to the kind
        chosen, choices by their label."""
        data = self.cleaned_data
        names = ["kind", "name"]
        if data["kind"] == Submission.Kind.ORGANIZATION:
            names += ["organization_name", "organization_name_public"]
        names += ["address", "phone", "email", "eligibility"]
        return [(self[name].label, confirm_value(self[name], data.get(name))) for name in names]

    def submission_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.submission_create, other than case and user."""
        data = self.cleaned_data
        return {
            "opinions": self.opinions(),
            "kind": data["kind"],
            "name": data["name"],
            "organization_name": data["organization_name"],
            "organization_name_public": data["organization_name_public"],
            "address": data["address"],
            "phone": data.get("phone") or "",
            "email": data.get("email") or "",
            "eligibility": data["eligibility"],
            "token": data["token"],
        }

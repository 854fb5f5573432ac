"""Small forms the apps share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    """The optional reason typed beside a status button: checked like any field (length, and
    no character a database cannot store), never read raw from the POST."""

    reason = forms.CharField(max_length=1000, required=False)


def posted_reason(request: HttpRequest) -> str | None:
    """The reason of a status button's POST, or None when it cannot be accepted."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else None


REASON_REFUSED = _(
    "The reason could not be accepted: write at most 1,000 characters, without control characters."
)


def put_refusal_on_form(form: forms.BaseForm, error: Exception) -> None:
    """A service's refusal shown on the form that led to it, so nothing typed is lost: field
    errors of a ValidationError next to their fields (on top when the form has no such field);
    a TransitionError, a PermissionDenied or a plain ValidationError on top."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, PermissionDenied):
        form.add_error(None, _("You may not do this."))
    else:
        form.add_error(None, list(getattr(error, "messages", [str(error)])))

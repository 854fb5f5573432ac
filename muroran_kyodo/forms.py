"""Small forms the apps share."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    """The optional reason typed beside a status button: checked like any field (length, and
    no character a database cannot store), never read raw from the POST."""

    reason = forms.CharField(max_length=1000, required=False)


def posted_reason(request) -> str | None:
    """The reason of a status button's POST, or None when it cannot be accepted."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else None


REASON_REFUSED = _(
    "The reason could not be accepted: write at most 1,000 characters, without control characters."
)

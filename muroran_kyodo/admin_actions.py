"""What the apps' admin actions share: a reason box in the action bar, and running a workflow
function on each selected row, reporting the rows it refused instead of stopping."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class ReasonActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(label=_("Reason (required to return)"), required=False)


def run_for_each(
    modeladmin,
    request,
    rows: Iterable,
    call: Callable[[object], object],
    *,
    refusals: tuple[type[Exception], ...] = (),
    describe: Callable[[object], str] = str,
    done_message: Callable[[int], str],
) -> int:
    """Call `call(row)` for every row; a refused row (ValidationError, PermissionDenied or one of
    `refusals`) is reported as a warning naming it, and the others go on."""
    done = 0
    for row in rows:
        try:
            call(row)
            done += 1
        except (ValidationError, PermissionDenied, *refusals) as error:
            text = "; ".join(getattr(error, "messages", [str(error)])) or _("not allowed")
            modeladmin.message_user(request, f"{describe(row)}: {text}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    return done

"""The 入力 → 確認 → 完了 steps of a public form, without JavaScript and without a draft table.

The first valid POST shows a confirmation page that carries the data in hidden fields; a POST
with `_submit` validates again and saves; `_back` returns to the form with everything kept (the data came
from a valid form, so it shows no errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STEP_INPUT, STEP_CONFIRM = "input", "confirm"

F = TypeVar("F", bound=forms.BaseForm)


def confirm_flow(
    request: HttpRequest,
    form: F,
    *,
    template: str,
    confirm_template: str,
    on_submit: Callable[[F], HttpResponse],
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    context = dict(context or {}, form=form)
    if request.method == "POST" and "_back" not in request.POST and form.is_valid():
        if "_submit" in request.POST:
            return on_submit(form)
        return render(
            request, confirm_template, {**context, "step": STEP_CONFIRM, "rows": confirm_rows(form)}
        )
    return render(request, template, {**context, "step": STEP_INPUT})


def confirm_rows(form: forms.BaseForm) -> list[tuple[StrOrPromise, str]]:
    """(label, value as a person reads it) for every visible field of a valid form."""
    rows: list[tuple[StrOrPromise, str]] = []
    for field in form.visible_fields():
        value: Any = form.cleaned_data.get(field.name)  # whatever the field cleans to
        if hasattr(value, "all"):
            value = "、".join(str(item) for item in value) or "—"
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif value is None or value == "":
            value = "—"
        rows.append((field.label, str(value)))
    return rows

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


def confirm_value(field: forms.BoundField, value: Any) -> str:
    """A cleaned value as a person reads it on a confirmation page: choices by their label;
    an unanswered field, and an unanswered choice (its empty 「選択してください」 option),
    as 「—」, never as if 「選択してください」 were the answer."""
    if hasattr(value, "all"):
        return "、".join(str(item) for item in value) or "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if value is None or value == "" or value == [] or value == ():
        return "—"
    choice_field = field.field
    if isinstance(choice_field, forms.ChoiceField) and not isinstance(
        choice_field, forms.ModelChoiceField
    ):
        labels: dict[str, Any] = {}
        choices: Any = choice_field.choices  # normalised to a list of pairs by the field
        for key, label in choices:
            if isinstance(label, (list, tuple)):  # an optgroup
                labels.update((str(k), v) for k, v in label)
            else:
                labels[str(key)] = label
        if isinstance(value, (list, tuple)):
            return "、".join(str(labels.get(str(item), item)) for item in value) or "—"
        return str(labels.get(str(value), value))
    return str(value)


def confirm_rows(form: forms.BaseForm) -> list[tuple[StrOrPromise, str]]:
    """(label, value as a person reads it) for every visible field of a valid form."""
    return [
        (field.label, confirm_value(field, form.cleaned_data.get(field.name)))
        for field in form.visible_fields()
    ]

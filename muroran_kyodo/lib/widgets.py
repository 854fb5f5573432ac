"""Widgets that work by touch and keyboard without JavaScript, and do a little more with it.

- `SearchableCheckboxSelectMultiple`: a list of checkboxes (the field renders it in a fieldset
  with its label as the legend), one per choice, each with a line of detail (an organisation's
  type and district). With JavaScript, `static/js/checkbox-search.js` shows a search box above
  the list that hides the choices that do not match what is typed (ticked ones stay shown).
  Nothing is needed to hold a key, as a multiple <select> asks.
- `SelectWithOptionData`: a <select> whose options carry data- attributes (a category's rate
  and cap), for scripts such as `static/js/live-totals.js` to read.
- `OnePassSelect`: a <select> written in one pass in Python, the same HTML as Django's
  `select.html`/`select_option.html`/`attrs.html` templates, which render a template (and an
  included one for its attributes) for every option: a filter's list of 町名 cost most of
  the directory page's render. Used by the public pages' filter forms.

The form's field keeps validating as before: a widget changes how choices are shown, never
which are accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

Describe = Callable[[Any], str]
OptionData = Callable[[Any], dict[str, str]]


def _instance(value: Any) -> Any:
    """The model instance behind a ModelChoiceField's option value (None for plain choices)."""
    return getattr(value, "instance", None)


class SearchableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with a detail line per choice and a search box added by JavaScript.

    `describe(obj)` gives the detail shown after a choice's label, `keywords(obj)` more text
    the search matches (a reading in kana, say); both receive the model instance of a
    ModelMultipleChoiceField's choice. `search_label` names the search box.
    """

    template_name = "widgets/searchable_checkbox_select.html"
    option_template_name = "widgets/searchable_checkbox_option.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
        *,
        describe: Describe | None = None,
        keywords: Describe | None = None,
        search_label: str | None = None,
    ) -> None:
        super().__init__(attrs, choices)
        self.describe = describe
        self.keywords = keywords
        self.search_label = search_label

    @property
    def media(self) -> forms.Media:
        # django-stubs type `js` as strings; Django 5.2 takes Script objects too (for defer).
        script = forms.Script("js/checkbox-search.js", defer=True)
        return forms.Media(js=[script])  # type: ignore[list-item]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_label"] = self.search_label or _("Search the list")
        return context

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = _instance(value)
        detail = self.describe(instance) if self.describe and instance is not None else ""
        extra = self.keywords(instance) if self.keywords and instance is not None else ""
        option["detail"] = detail
        # What the search matches: the label, the detail and the keywords.
        option["search_text"] = " ".join(str(part) for part in (label, detail, extra) if part)
        return option


class SelectWithOptionData(forms.Select):
    """A <select> whose options carry `data-` attributes: `option_data(obj)` returns them for
    the model instance of each choice (e.g. {"rate": "1/2", "cap": "300000"})."""

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
        *,
        option_data: OptionData | None = None,
    ) -> None:
        super().__init__(attrs, choices)
        self.option_data = option_data

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = _instance(value)
        if self.option_data and instance is not None:
            for key, data in self.option_data(instance).items():
                option["attrs"][f"data-{key}"] = data
        return option


def _text(value: Any, context: Context) -> str:
    """`{{ value }}` in a template with autoescape: localised, then escaped unless safe."""
    return render_value_in_context(value, context)


def _string(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it was safe."""
    text = f"{value}"
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any], context: Context) -> str:
    """Django's `django/forms/widgets/attrs.html`: False leaves the attribute out, True
    writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name, context)}")
        else:
            parts.append(f' {_text(name, context)}="{_string(value)}"')
    return "".join(parts)


class OnePassSelect(forms.Select):
    """A <select> whose HTML is written in one pass, byte for byte what `forms.Select` renders
    with Django's own templates (tests/lib/test_widgets.py compares the two): the same name,
    id, attributes (required, aria-describedby), option groups, selected options and escaping.

    Django renders a <select> by including `select_option.html` and `attrs.html` for each
    option; with a hundred 町名 that is most of a filtered list page's render. A subclass that
    names other templates is rendered by them, as any widget."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if (self.template_name, self.option_template_name) != (
            forms.Select.template_name,
            forms.Select.option_template_name,
        ):
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        context = Context()  # autoescape on, localisation as in a template
        parts = [f'<select name="{_text(widget["name"], context)}"']
        parts.append(_attrs(widget["attrs"], context))
        parts.append(">")
        for group_name, group_choices, _group_index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name, context)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{_string(option["value"])}"'
                    f"{_attrs(option['attrs'], context)}>{_text(option['label'], context)}"
                    "</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every piece escaped above, as the templates do


class ScannedFileInput(forms.ClearableFileInput):
    """The admin's file input for a stored upload: the file's name and its virus check in
    words ("Waiting for the virus check", …), never a link — the file opens only through the
    app's permission-checked view, which checks the scan state (`scanning.refusal`)."""

    template_name = "widgets/scanned_file_input.html"

    def is_initial(self, value: Any) -> bool:
        return bool(value and getattr(value, "name", ""))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        from . import scanning  # it reads lib.models, which need the app registry

        context = super().get_context(name, value, attrs)
        if self.is_initial(value):
            context["widget"]["file_name"] = str(value.name).rsplit("/", 1)[-1]
            context["widget"]["scan_label"] = scanning.state_label(value)
        return context

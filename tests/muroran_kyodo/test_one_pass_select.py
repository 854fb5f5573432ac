"""OnePassSelect writes the same HTML as Django's <select> templates, byte for byte: the public
filters (and the browser tests' accessibility checks) see no change, only a faster render."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import override

from entalk.forms import SessionFilterForm
from muroran_kyodo.lib.widgets import OnePassSelect
from organizations.forms import DirectoryFilterForm, ProjectFilterForm
from organizations.models import District

CHOICES = [
    ("", "すべて"),
    (1, "輪西町"),
    ("2", 'A & B <"quoted">'),
    ("x&y", mark_safe("<b>safe</b> label")),
    (2026, 2026),
    ("group", [(10, "中島町"), (11, "東町")]),
    ("", [(12, "no group name")]),
]


def both(attrs=None, value=None, choices=CHOICES, **widget_attrs):
    ours = OnePassSelect(attrs=widget_attrs or None, choices=choices)
    django = forms.Select(attrs=widget_attrs or None, choices=choices)
    return (
        ours.render("type", value, attrs=attrs),
        django.render("type", value, attrs=attrs),
    )


@pytest.mark.parametrize("value", [None, "", 1, "1", "x&y", 11, "2026", "not a choice"])
def test_it_renders_what_django_renders_whatever_is_selected(value):
    ours, django = both(attrs={"id": "id_type"}, value=value)
    assert ours == django


def test_it_renders_attributes_as_django_does():
    ours, django = both(
        attrs={
            "id": "id_type",
            "required": True,
            "disabled": False,
            "aria-describedby": 'id_type_helptext "x"',
            "data-n": 3,
            "title": mark_safe("<i>kept</i>"),
        },
        value=10,
        **{"class": "wide"},
    )
    assert ours == django
    assert ' required aria-describedby="id_type_helptext &quot;x&quot;"' in ours
    assert "disabled" not in ours


def test_option_attributes_are_rendered_as_django_does():
    class OptionAttrs:
        def create_option(self, *args, **kwargs):
            option = super().create_option(*args, **kwargs)
            option["attrs"]["data-code"] = f"<{option['value']}>"
            option["attrs"]["hidden"] = option["value"] == 1
            return option

    class WithOptionAttrs(OptionAttrs, OnePassSelect):
        pass

    class DjangoWithOptionAttrs(OptionAttrs, forms.Select):
        pass

    ours = WithOptionAttrs(choices=CHOICES).render("t", 1)
    django = DjangoWithOptionAttrs(choices=CHOICES).render("t", 1)
    assert ours == django
    assert 'value="1" selected data-code="&lt;1&gt;" hidden>' in ours


def test_a_subclass_with_its_own_template_renders_through_it():
    class Custom(OnePassSelect):
        option_template_name = "django/forms/widgets/input_option.html"

    class DjangoCustom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    html = Custom(choices=[(1, "one")]).render("t", 1)
    assert html == DjangoCustom(choices=[(1, "one")]).render("t", 1)
    assert "<option" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    ("form_class", "kwargs", "data"),
    [
        (DirectoryFilterForm, {}, {"type": "npo", "district": "", "q": "町内"}),
        (ProjectFilterForm, {"years": [2024, 2025]}, {"year": "2025"}),
        (SessionFilterForm, {"years": [(2025, "令和7年度")]}, {"year": "2025", "theme": "x"}),
    ],
)
def test_the_filter_forms_render_as_with_djangos_select(form_class, kwargs, data, language):
    """Every select of the public filters: the whole field (label, id, help, the select) as
    before, selected or not, with an error or not, in both languages."""
    District.objects.get_or_create(name="輪西町", defaults={"kana": "わにしちょう"})
    with override(language):
        for bound in (data, None):
            ours = form_class(bound, **kwargs)
            django = form_class(bound, **kwargs)
            for name, field in django.fields.items():
                if isinstance(field.widget, OnePassSelect):
                    django.fields[name].widget = forms.Select(
                        attrs=field.widget.attrs, choices=field.widget.choices
                    )
            selects = [n for n, f in ours.fields.items() if isinstance(f.widget, OnePassSelect)]
            assert selects, "the filter's selects are written in one pass"
            for name in selects:
                assert str(ours[name]) == str(django[name])

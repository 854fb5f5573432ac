"""The shared widgets and display helpers: a list of checkboxes with a search box (instead of a
multiple <select> that asks to hold Ctrl), options that carry data for scripts, the outputs of
live totals, and short admin columns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils.translation import override

from muroran_kyodo.lib.admin_display import short_date, short_text, shorten, yen
from muroran_kyodo.lib.fields import ModelMultipleChoiceField
from muroran_kyodo.lib.widgets import SearchableCheckboxSelectMultiple, SelectWithOptionData
from organizations.models import Organization
from subsidies.forms import describe_organization
from tests import factories

pytestmark = pytest.mark.django_db


class PartnersForm(forms.Form):
    partners = ModelMultipleChoiceField(
        label="連携団体",
        queryset=Organization.objects.verified()
        .select_related("actor_type", "district")
        .order_by("name_kana", "pk"),
        required=False,
        widget=SearchableCheckboxSelectMultiple(
            describe=describe_organization,
            keywords=lambda organization: organization.name_kana,
            search_label="団体を探す",
        ),
        error_messages={"invalid_choice": "一覧から選んでください：%(value)s"},
    )


@pytest.fixture
def organizations():
    return {
        "minato": factories.make_organization(
            name="みなと子ども食堂", name_kana="ミナトコドモショクドウ", district_name="輪西町"
        ),
        "asahi": factories.make_organization(
            name="旭町町内会", name_kana="アサヒチョウチョウナイカイ", district_name=None
        ),
        "pending": factories.make_organization(
            name="申請中の会", name_kana="シンセイチュウノカイ", status=Organization.Status.PENDING
        ),
    }


def test_it_renders_one_checkbox_per_choice_in_a_fieldset_with_the_label_as_legend(
    organizations,
):
    html = str(PartnersForm()["partners"].as_field_group())

    assert re.search(r"<fieldset[^>]*>\s*<legend>連携団体</legend>", html)
    assert "<select" not in html
    assert "Ctrl" not in html
    boxes = re.findall(r'<input type="checkbox" name="partners" value="(\d+)"', html)
    # Verified ones only, sorted by their reading: アサヒ… before ミナト…
    assert boxes == [str(organizations["asahi"].pk), str(organizations["minato"].pk)]
    # Each choice is a label around its box, with the type and the district.
    minato = organizations["minato"]
    assert (
        f'みなと子ども食堂 <span class="choice-detail">（{minato.actor_type}・輪西町）</span>'
        in html
    )
    assert (
        f'旭町町内会 <span class="choice-detail">（{organizations["asahi"].actor_type}）</span>'
        in html
    )
    assert 'data-search-text="みなと子ども食堂 ' in html
    assert "ミナトコドモショクドウ" in html


def test_its_search_box_is_hidden_until_the_script_shows_it(organizations):
    form = PartnersForm()
    html = str(form["partners"])

    box = re.search(
        r'<div class="checkbox-search__box" data-checkbox-search-box hidden>(.*?)</div>', html, re.S
    )
    assert box, html
    assert '<label for="id_partners_search">団体を探す</label>' in box.group(1)
    assert 'type="search" id="id_partners_search"' in box.group(1)
    assert 'aria-controls="id_partners"' in box.group(1)
    # The search box has no name: it is never sent with the form.
    assert "name=" not in box.group(1)
    # The script comes with the form's media, external and deferred (no inline script).
    assert str(form.media) == '<script src="/static/js/checkbox-search.js" defer></script>'


def test_it_keeps_ticked_choices_ticked(organizations):
    minato = organizations["minato"]
    html = str(PartnersForm(initial={"partners": [minato.pk]})["partners"])

    assert re.search(rf'value="{minato.pk}"[^>]*checked', html)


def test_ticked_verified_organisations_are_accepted(organizations):
    form = PartnersForm({"partners": [organizations["minato"].pk, organizations["asahi"].pk]})

    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["partners"]) == {organizations["minato"], organizations["asahi"]}


@pytest.mark.parametrize("which", ["pending", "unknown"])
def test_an_id_not_in_the_list_is_refused(organizations, which):
    pk = organizations["pending"].pk if which == "pending" else 999_999
    form = PartnersForm({"partners": [organizations["minato"].pk, pk]})

    assert not form.is_valid()
    assert form.errors["partners"] == [f"一覧から選んでください：{pk}"]


def test_the_plan_form_refuses_an_unknown_partner_in_japanese(organizations):
    from subsidies.forms import PlanForm
    from tests.subsidies import factories as sf

    application = sf.make_application(
        programme=sf.make_programme(),
        organization=organizations["minato"],
        applicant=factories.make_user(),
    )
    pending = organizations["pending"]
    with override("ja"):
        form = PlanForm(
            {"title": "x", "partner_organizations": [pending.pk]}, application=application
        )
        form.is_valid()
        assert form.errors["partner_organizations"] == [
            f"連携団体は一覧から選んでください。{pending.pk} は台帳で確認済みの団体ではありません。"
        ]
        form = PlanForm({"title": "x", "partner_organizations": ["abc"]}, application=application)
        form.is_valid()
        assert form.errors["partner_organizations"] == [
            "連携団体は一覧から選んでください。「abc」は一覧にありません。"
        ]
    # Its own organisation is no partner of itself: not in the list.
    html = str(form["partner_organizations"])
    assert f'value="{organizations["minato"].pk}"' not in html
    assert f'value="{organizations["asahi"].pk}"' in html


def test_options_carry_their_data_attributes():
    from tests.subsidies import factories as sf

    programme = sf.make_programme()
    category = programme.categories.first()

    class CategoryForm(forms.Form):
        category = forms.ModelChoiceField(
            queryset=programme.categories.all(),
            widget=SelectWithOptionData(
                option_data=lambda c: {"rate": c.rate_label, "cap": str(c.cap)}
            ),
        )

    html = str(CategoryForm()["category"])

    assert re.search(
        rf'<option value="{category.pk}" data-rate="{category.rate_label}" data-cap="{category.cap}"',
        html,
    )
    # The empty choice has no data: no category, no limit.
    assert re.search(r'<option value="" selected>', html)


def test_live_total_outputs_are_spans_the_script_finds():
    html = Template(
        "{% load live_totals %}{% live_total 'income' 1234567 %}"
        "{% live_param 'rate' '1/2' %}{% live_param 'cap' 300000 %}"
        "{% live_total 'limit' 5000 as limit %}<b>{{ limit }}</b>"
    ).render(Context())

    assert html == (
        '<span data-total="income">1,234,567</span><span data-param="rate">1/2</span>'
        '<span data-param="cap">300,000</span><b><span data-total="limit">5,000</span></b>'
    )


def test_short_admin_columns_keep_the_full_text_in_the_title():
    assert shorten("輪西まちづくりの会") == "輪西まちづくりの会"
    long = "輪西みなと子ども食堂と学習支援<とても長い名前の事業>"
    assert (
        shorten(long, 10)
        == f'<span title="{long.replace("<", "&lt;").replace(">", "&gt;")}">輪西みなと子ども食…</span>'
    )

    class Row:
        title = long
        amount = 1200000
        none = None
        at = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)

    column = short_text("title", "事業名", length=5)
    assert (
        column(Row)
        == f'<span title="{long.replace("<", "&lt;").replace(">", "&gt;")}">輪西みな…</span>'
    )
    assert column.short_description == "事業名"
    assert column.admin_order_field == "title"
    assert yen("amount", "申請額")(Row) == "¥1,200,000"
    assert yen("none", "決定額")(Row) == "—"
    # A moment is shown as its local date (Asia/Tokyo: 5 December).
    assert short_date("at", "申請日")(Row) == "2026-12-05"
    assert short_date("none", "申請日")(Row) == "—"

"""The registration form's patterns: the fields that apply to some kinds only are grouped in
fieldsets that say when they apply; the terms have their own public page linked from the form;
an unanswered choice reads 「—」 on the confirmation; each status action is its own form."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from partners import services
from partners.models import Registration
from tests import factories
from tests.partners.test_views import form_data, register_url, status_url

pytestmark = pytest.mark.django_db


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


@pytest.fixture
def applied(resident):
    return factories.make_registration(user=resident)


def test_group_only_fields_sit_in_fieldsets_that_say_when_they_apply(client, resident):
    client.force_login(resident)
    html = client.get(register_url()).content.decode()
    for legend in (
        "Only if you register as a family or group",
        "Only if you register for an organisation",
        "Only for a family, group or organisation",
    ):
        assert f"<legend>{_ja(legend)}</legend>" in html
    kind_at = html.index('name="kind"')
    for name in ("group_name", "organization", "member_count", "list_publicly"):
        assert html.index(f'name="{name}"') > kind_at
    assert html.count('class="kind-group"') == 3


def test_the_change_page_groups_the_fields_the_same_way(client, resident, applied):
    client.force_login(resident)
    html = client.get(reverse("partners:registration_edit", args=[applied.pk])).content.decode()
    assert html.count('class="kind-group"') == 3


def test_an_individual_with_group_fields_typed_saves_none_of_them(client, resident):
    client.force_login(resident)
    data = form_data(group_name="輪西の会", member_count="5", list_publicly="on")
    confirm = client.post(register_url(), data)
    assert confirm.context["step"] == "confirm"
    html = confirm.content.decode()
    assert "輪西の会" not in re.sub(r"<input[^>]*>", "", html)  # not shown as an answer
    client.post(register_url(), {**data, "_submit": "1"})
    registration = Registration.objects.get(user=resident)
    assert (registration.group_name, registration.member_count, registration.list_publicly) == (
        "",
        1,
        False,
    )


@pytest.mark.parametrize("kind", ["", "company", "個人", "x" * 500])
def test_any_kind_is_an_error_on_the_form_not_a_500(client, resident, kind):
    client.force_login(resident)
    response = client.post(register_url(), form_data(kind=kind, group_name="輪西の会"))
    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert "輪西の会" in response.content.decode()


@pytest.mark.parametrize("programme", ["pika", "magokoro", "makasete"])
def test_each_programme_has_a_public_printable_terms_page(client, db, programme):
    response = client.get(reverse("partners:terms", args=[programme]))
    assert response.status_code == 200
    html = response.content.decode()
    assert _ja("Either side may end this agreement at any time by telling the other.") in html
    assert "<script" not in html.split("</header>")[-1].split("<footer")[0]


def test_the_terms_differ_by_programme(client, db):
    pika = client.get(reverse("partners:terms", args=["pika"])).content.decode()
    magokoro = client.get(reverse("partners:terms", args=["magokoro"])).content.decode()
    rubbish = _ja(
        "The city supplies volunteer rubbish bags and tools, collects the rubbish, and covers "
        "the partner's registered activities with its volunteer insurance."
    )
    assert rubbish in pika
    assert rubbish not in magokoro


def test_an_unknown_programme_has_no_terms(client, db):
    assert client.get("/partners/nothing/terms/").status_code == 404


@pytest.mark.parametrize("programme", ["pika", "magokoro"])
def test_the_form_links_to_its_programmes_terms_beside_the_checkbox(client, resident, programme):
    client.force_login(resident)
    html = client.get(register_url(programme)).content.decode()
    terms = reverse("partners:terms", args=[programme])
    help_id = 'id="id_agree_helptext"'
    assert help_id in html
    helptext = html[html.index(help_id) :].split("</div>")[0]
    assert f'href="{terms}"' in helptext
    assert 'target="_blank"' in helptext  # what was typed stays in this tab
    assert html.index(f'href="{terms}"') < html.index(
        '<form method="post" class="form"'
    )  # also before one starts typing


def test_an_unanswered_frequency_reads_as_a_dash_on_the_confirmation(client, resident):
    client.force_login(resident)
    html = client.post(register_url(), form_data(frequency="")).content.decode()
    dl = html[html.index('<dl class="details">') :].split("</dl>")[0]
    assert _ja("Choose") not in dl
    assert "—" in dl


# --- The status actions: one action, one form -----------------------------------------------


def _forms(html):
    return re.findall(r'<form method="post" action="[^"]*status/"[^>]*>(.*?)</form>', html, re.S)


def test_each_action_is_its_own_section_with_heading_consequence_and_reason(
    client, resident, staff, applied
):
    services.registration_approve(registration=applied, by=staff)
    client.force_login(resident)
    html = client.get(applied.get_absolute_url()).content.decode()
    forms = _forms(html)
    assert len(forms) == 2  # suspend, withdraw
    names = [re.findall(r'name="action" value="([^"]+)"', form) for form in forms]
    assert names == [["suspend"], ["withdraw"]]
    for form in forms:
        assert form.count('name="reason"') == 1
        assert len(re.findall(r"<button", form)) == 1
    ids = re.findall(r'<input type="text" name="reason" id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 2
    labels = re.findall(r'<label for="reason-[^"]+">([^<]+)</label>', html)
    assert len(labels) == len(set(labels)) == 2
    for label_for in ids:
        assert f'<label for="{label_for}">' in html
    assert _ja("Pause the activity") in html
    assert (
        _ja(
            "This ends the registration. It cannot be undone online: to take part again, "
            "register anew."
        )
        in html
    )
    assert html.count('<h3 id="action-') == 2


def test_the_withdraw_form_posts_only_withdraw_and_its_own_reason(client, resident, staff, applied):
    services.registration_approve(registration=applied, by=staff)
    client.force_login(resident)
    html = client.get(applied.get_absolute_url()).content.decode()
    withdraw = [form for form in _forms(html) if 'value="withdraw"' in form][0]
    fields = dict(re.findall(r'name="(action|reason)"(?: value="([^"]*)")?', withdraw))
    assert fields["action"] == "withdraw"
    client.post(status_url(applied), {"action": "withdraw", "reason": "引っ越し"})
    applied.refresh_from_db()
    assert applied.status == Registration.Status.WITHDRAWN
    assert applied.status_changes.first().reason == "引っ越し"


def test_each_kind_fieldset_names_the_kinds_it_applies_to_for_the_script(client, resident):
    """static/js/show-for-choice.js hides a fieldset unless the kind chosen is one of its
    data-show-for; the page loads it as an external, deferred file."""
    client.force_login(resident)
    html = client.get(register_url()).content.decode()
    assert re.findall(r'<fieldset class="kind-group" data-show-for="([^"]+)">', html) == [
        "kind:group",
        "kind:organization",
        "kind:group organization",
    ]
    assert '<script src="/static/js/show-for-choice.js" defer></script>' in html
    assert re.search(r"<script>|<script [^>]*>[^<]", html) is None  # no inline script


@pytest.mark.parametrize("programme", ["pika", "magokoro", "makasete"])
def test_each_programme_page_links_to_its_terms(client, db, programme):
    html = client.get(reverse("partners:programme_detail", args=[programme])).content.decode()
    terms = reverse("partners:terms", args=[programme])
    link = re.search(rf'<a href="{terms}">([^<]+)</a>', html)
    assert link, html
    assert "規約" in link.group(1)
    assert client.get(terms).status_code == 200

"""受付票 of an organisation's registration (organizations/receipts.py registration_receipt):
number OR-…, when it was registered in 和暦, who registered it and what the form took, never
its verification state; the 代表者・担当者 and the registry's staff print it, a plain 会員 and
anyone else get 404; linked from the completion page, the manage page and the admin; the
same queries for 1 and 12 fields of activity."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from organizations import services
from organizations.models import ActivityField, Membership, Organization
from tests import factories

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
REGISTERED = dt.datetime(2026, 12, 5, 14, 5, tzinfo=JST)


def ja(message):
    with override("ja"):
        return escape(gettext(message))


def _url(organization):
    return reverse("organizations:receipt", args=[organization.pk])


def _get(client, user, url):
    return factories.sign_in(client, user).get(url)


def _sheet(response):
    html = response.content.decode()
    return html[html.index('<article class="print-sheet"') : html.index("</article>")]


@pytest.fixture
def registered(client, resident):
    """室蘭港を愛する会, registered through the form by the resident (its 代表者)."""
    factories.sign_in(client, resident)
    data = factories.organization_form_data(
        public_email="info@minato.example.jp",
        public_phone="0143-22-1111",
        website="https://minato.example.jp/",
        contact_note="市民活動センター気付",
    )
    with time_machine.travel(REGISTERED, tick=False):
        client.post(reverse("organizations:register"), data)
        client.post(reverse("organizations:register"), {**data, "_submit": "1"})
    client.logout()
    return Organization.objects.get(name="室蘭港を愛する会")


def test_the_registrant_prints_what_was_registered(client, resident, registered):
    response = _get(client, resident, _url(registered))
    assert response.status_code == 200
    sheet = _sheet(response)
    assert f"OR-2026-{registered.pk:05d}" in sheet
    assert "令和8年12月5日（2026年12月5日） 14:05" in sheet
    assert resident.get_full_name() in sheet
    for value in (
        "室蘭港を愛する会",
        "ムロランコウヲアイスルカイ",
        str(registered.actor_type),
        "輪西町",
        "環境保全・美化",
        "港の清掃と見学会をしています。",
        "2005",
        "12",
        "会長",
        "info@minato.example.jp",
        "0143-22-1111",
        "https://minato.example.jp/",
        "市民活動センター気付",
    ):
        assert escape(value) in sheet, value
    assert ja("Organisation registration") in sheet
    # No channel of its own, and no verification state: a receipt says what arrived.
    assert f"{ja('Received by')}</th><td>—</td>" in sheet
    assert ja("Awaiting verification") not in sheet


def test_the_receipt_does_not_change_with_the_verification(client, resident, staff, registered):
    before = _sheet(_get(client, resident, _url(registered)))
    services.organization_verify(organization=registered, by=staff, reason="確認しました")
    assert _sheet(_get(client, resident, _url(registered))) == before


def test_the_completion_and_manage_pages_link_to_the_receipt(client, resident, registered):
    factories.sign_in(client, resident)
    for name in ("organizations:registered", "organizations:manage"):
        page = client.get(reverse(name, args=[registered.pk]))
        assert _url(registered) in page.content.decode(), name


def test_a_contact_person_and_the_registry_staff_print_it(client, registered, staff):
    contact = factories.make_user("contact@example.jp")
    factories.add_member(registered, contact, Membership.Role.CONTACT)
    assert _get(client, contact, _url(registered)).status_code == 200
    client.logout()
    response = _get(client, staff, _url(registered))
    assert response.status_code == 200
    # Staff go back to the organisation in the admin.
    admin_url = reverse("admin:organizations_organization_change", args=[registered.pk])
    assert admin_url in response.content.decode()


def test_a_plain_member_and_anyone_else_get_404(client, registered, member, other_member):
    factories.add_member(registered, member)
    url = _url(registered)
    assert client.get(url).status_code == 302  # to the sign-in page
    assert _get(client, member, url).status_code == 404
    client.logout()
    assert _get(client, other_member, url).status_code == 404
    # Nor does a plain member's manage page offer it.
    manage = _get(client, member, reverse("organizations:manage", args=[registered.pk]))
    assert manage.status_code == 200 and url not in manage.content.decode()


def test_staff_of_another_department_get_404(client, registered):
    from django.contrib.auth.models import Group

    doboku = factories.make_user("doboku@city.muroran.example.jp", staff=True)
    doboku.groups.add(Group.objects.get(name="土木課"))
    assert _get(client, doboku, _url(registered)).status_code == 404


def test_a_post_is_refused(client, resident, registered):
    assert factories.sign_in(client, resident).post(_url(registered)).status_code == 405


def test_the_admin_change_form_links_to_the_receipt(client, staff, registered):
    page = _get(
        client, staff, reverse("admin:organizations_organization_change", args=[registered.pk])
    )
    assert page.status_code == 200
    assert _url(registered) in page.content.decode()


def test_the_same_queries_for_1_and_12_fields_of_activity(client, resident, registered):
    factories.sign_in(client, resident)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(registered))
    every_field = ActivityField.objects.all()
    assert every_field.count() == 12
    registered.fields.set(every_field)
    with CaptureQueriesContext(connection) as twelve:
        sheet = _sheet(client.get(_url(registered)))
    assert len(twelve) == len(one)
    for field in every_field:
        assert escape(str(field)) in sheet

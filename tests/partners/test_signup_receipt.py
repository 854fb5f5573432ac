"""受付票 of a shift sign-up (partners/receipts.py signup_receipt): number SG-…, the time it was
received in 和暦, the opportunity and the shift, never the status; another person gets 404,
programme staff may print it; the opportunity page links to it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from partners.services import signup_create
from tests import factories
from tests.partners.test_opportunities import make_opportunity, partner

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
RECEIVED = dt.datetime(2026, 12, 5, 14, 5, tzinfo=JST)


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


@pytest.fixture
def signup(resident):
    with time_machine.travel(RECEIVED, tick=False):
        registration = partner(user=resident)
        shift = make_opportunity(starts=RECEIVED + dt.timedelta(days=10)).shifts.get()
        return signup_create(shift=shift, registration=registration, by=resident)


def test_the_partner_prints_the_sign_up_receipt(client, resident, signup):
    url = reverse("partners:signup_receipt", args=[signup.pk])
    html = factories.sign_in(client, resident).get(url).content.decode()
    assert f"SG-2026-{signup.pk:05d}" in html
    assert "令和8年12月5日" in html
    assert "みなと祭り 会場案内" in html
    assert "室蘭港 中央ふ頭" in html
    assert "2026-12-15" in html and "14:05〜17:05" in html
    assert _ja("Confirmed") not in html  # a receipt says what arrived, not its status


@time_machine.travel(RECEIVED, tick=False)
def test_the_opportunity_page_links_to_the_receipt(client, resident, signup):
    page = factories.sign_in(client, resident).get(
        reverse("partners:opportunity_detail", args=[signup.shift.opportunity_id])
    )
    assert reverse("partners:signup_receipt", args=[signup.pk]) in page.content.decode()


def test_another_user_gets_404_and_staff_200(client, other_member, staff, signup):
    url = reverse("partners:signup_receipt", args=[signup.pk])
    assert factories.sign_in(client, other_member).get(url).status_code == 404
    client.logout()
    assert factories.sign_in(client, staff).get(url).status_code == 200


def test_the_admin_change_form_links_to_the_receipt(client, staff, signup):
    page = factories.sign_in(client, staff).get(
        reverse("admin:partners_signup_change", args=[signup.pk])
    )
    assert page.status_code == 200
    assert reverse("partners:signup_receipt", args=[signup.pk]) in page.content.decode()


@time_machine.travel(RECEIVED, tick=False)
def test_mypage_shift_list_links_to_the_receipt(client, resident, signup):
    html = factories.sign_in(client, resident).get(reverse("mypage")).content.decode()
    assert reverse("partners:signup_receipt", args=[signup.pk]) in html

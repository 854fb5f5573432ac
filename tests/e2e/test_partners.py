"""The partner programme in a real browser: a resident registers as a まち「ピカ」 partner
(入力 → 確認 → 完了) and the pages on the way have no serious accessibility violations, in
Japanese and English; the programme pages fit a phone."""

from __future__ import annotations

import re

import pytest

from partners.models import Registration
from tests import factories
from tests.e2e.test_accessibility import (
    LANGUAGES,
    NARROWEST,
    assert_no_horizontal_scroll,
    switch_language,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def fill_pika_registration(page):
    page.locator("input[name=kind][value=individual]").check()
    page.fill("#id_contact_phone", "0143-22-1111")
    page.locator("#id_district").select_option(label="輪西町")
    page.locator("input[name=activity_kinds]").first.check()
    page.locator("#id_place1_district").select_option(label="輪西町")
    page.fill("#id_place1_description", "輪西町 みなと公園とその周辺の歩道")
    page.locator("#id_agree").check()


@pytest.mark.parametrize("language", LANGUAGES)
def test_resident_registers_as_a_pika_partner(page, context, assert_accessible, login_as, language):
    resident = factories.make_user(
        "pika@example.jp",
        family_name="輪西",
        given_name="花子",
        family_name_kana="ワニシ",
        given_name_kana="ハナコ",
    )
    login_as(context, resident)
    switch_language(page, language)

    page.goto("/partners/")
    assert_accessible(page, "programme list")
    page.goto("/partners/pika/")
    assert_accessible(page, "まち「ピカ」 programme page")

    page.goto("/partners/pika/register/")
    assert page.locator("#id_contact_kana").input_value() == "ワニシ ハナコ"  # from the profile
    assert_accessible(page, "registration form")

    page.locator("main form button[type=submit]").click()  # no agreement, no place
    page.wait_for_selector(".error-summary")
    assert_accessible(page, "registration form with errors")
    assert Registration.objects.count() == 0

    fill_pika_registration(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("button[name=_submit]")
    assert_accessible(page, "registration confirmation step")
    assert Registration.objects.count() == 0

    page.locator("button[name=_submit]").click()
    page.wait_for_url("**/done/")
    assert re.search(r"MP-\d{4}-\d{5}", page.locator("main").inner_text())
    assert_accessible(page, "registration done page")

    registration = Registration.objects.get(user=resident)
    assert registration.status == Registration.Status.APPLIED
    page.goto(registration.get_absolute_url())
    assert_accessible(page, "registration page")


def test_programme_pages_fit_the_narrowest_phone(new_context, assert_accessible):
    context = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    page = context.new_page()
    for url in ["/partners/", "/partners/pika/", "/partners/makasete/"]:
        page.goto(url)
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"{url} at 320px")

"""The registration form's patterns in a real browser at 375 px: the registration page's status
actions, each its own form (its own heading, consequence, reason box and button), post only
their own action and reason; the registration form with its kind fieldsets and the terms page
have no serious or critical axe violations."""

from __future__ import annotations

import pytest

from partners.models import Registration
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(new_context):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True)


def test_the_status_actions_are_separate_forms_and_pass_axe_at_375px(
    phone, login_as, assert_accessible, expect
):
    resident = factories.make_user(
        "regform@example.jp",
        family_name="輪西",
        given_name="花子",
        family_name_kana="ワニシ",
        given_name_kana="ハナコ",
    )
    registration = factories.make_registration(user=resident, status=Registration.Status.REGISTERED)
    login_as(phone, resident)
    page = phone.new_page()

    page.goto(registration.get_absolute_url())
    assert_accessible(page, "registration page at 375px")
    suspend = page.locator("section.action-form", has=page.locator('input[value="suspend"]'))
    withdraw = page.locator("section.action-form", has=page.locator('input[value="withdraw"]'))
    expect(suspend.get_by_role("heading", name="活動を休止する")).to_be_visible()
    expect(withdraw.get_by_role("heading", name="制度から退会する")).to_be_visible()
    expect(withdraw).to_contain_text("オンラインでは元に戻せません")

    # A reason typed for 休止 goes with 休止 only.
    suspend.get_by_label("「活動を休止する」の理由（任意）").fill("冬の間")
    withdraw.get_by_label("「制度から退会する」の理由（任意）").fill("引っ越し")
    suspend.get_by_role("button").click()
    page.wait_for_load_state()

    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUSPENDED
    assert registration.status_changes.first().reason == "冬の間"
    assert_accessible(page, "registration page, paused, at 375px")


def test_the_registration_form_and_terms_pass_axe_at_375px(phone, login_as, assert_accessible):
    resident = factories.make_user("regform2@example.jp")
    login_as(phone, resident)
    page = phone.new_page()
    page.goto("/partners/pika/register/")
    assert_accessible(page, "registration form at 375px")
    page.goto("/partners/pika/terms/")
    assert_accessible(page, "terms page at 375px")

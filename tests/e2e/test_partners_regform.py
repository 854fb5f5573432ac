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


GROUP_FIELDSETS = {
    "group": "家族・グループで登録する場合のみ",
    "organization": "団体として登録する場合のみ",
    "members": "家族・グループ・団体の場合のみ",
}


def _fieldset(page, legend):
    return page.locator("fieldset.kind-group", has=page.get_by_text(legend, exact=True))


def test_choosing_individual_hides_the_group_fields_at_375px(
    phone, login_as, expect, assert_accessible
):
    """static/js/show-for-choice.js: 個人 shows none of the group fields, 家族・グループ its
    name and the number of people, 団体 the organisation and the number of people."""
    login_as(phone, factories.make_user("regform3@example.jp"))
    page = phone.new_page()
    page.goto("/partners/pika/register/")
    group, organization, members = (_fieldset(page, text) for text in GROUP_FIELDSETS.values())

    # 個人 is chosen first.
    expect(page.get_by_label("個人", exact=True)).to_be_checked()
    for fieldset in (group, organization, members):
        expect(fieldset).to_be_hidden()
    expect(page.get_by_label("家族・グループの名称")).to_be_hidden()

    page.get_by_label("登録団体", exact=True).check()
    expect(organization).to_be_visible()
    expect(members).to_be_visible()
    expect(group).to_be_hidden()
    expect(page.get_by_label("人数")).to_be_visible()
    assert_accessible(page, "registration form, organisation chosen, at 375px")

    page.get_by_label("家族・グループ", exact=True).check()
    expect(group).to_be_visible()
    expect(members).to_be_visible()
    expect(organization).to_be_hidden()

    page.get_by_label("個人", exact=True).check()
    for fieldset in (group, organization, members):
        expect(fieldset).to_be_hidden()


def test_without_javascript_every_fieldset_shows_and_says_when_it_applies(
    new_context, login_as, expect
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    login_as(context, factories.make_user("regform4@example.jp"))
    page = context.new_page()
    page.goto("/partners/pika/register/")

    expect(page.get_by_label("個人", exact=True)).to_be_checked()
    for legend in GROUP_FIELDSETS.values():
        fieldset = _fieldset(page, legend)
        expect(fieldset).to_be_visible()
        expect(fieldset.locator("legend")).to_have_text(legend)
    expect(_fieldset(page, GROUP_FIELDSETS["members"])).to_contain_text(
        "個人で登録する場合は、そのままにしてください（使用しません）。"
    )
    expect(page.get_by_label("家族・グループの名称")).to_be_visible()

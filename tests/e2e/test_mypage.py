"""マイページ on a phone (375 px): a partner with a shift coming, equipment to bring back and a
group application returned for changes reads them under 次にすること in date order, each with
its link; the registrations say their state as a badge; no sideways scrolling, axe clean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from partners import services as ps
from partners.models import Equipment, EquipmentLoan
from subsidies.models import Application
from tests import factories
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll
from tests.partners.test_opportunities import make_opportunity
from tests.subsidies import factories as sf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def partner(db, staff):
    """A まごころ partner of 輪西まちづくりの会 with a shift in 3 days, equipment lent until
    5 days from now, and the group's subsidy application returned for changes."""
    user = factories.make_user("mypage@example.jp")
    organization = factories.make_organization(name="輪西まちづくりの会", representative=user)
    magokoro = factories.make_registration(user=user, programme="magokoro", status="registered")
    opportunity = make_opportunity(
        title="港まつり 会場案内", starts=timezone.now() + dt.timedelta(days=3)
    )
    ps.signup_create(shift=opportunity.shifts.get(), registration=magokoro, by=user)
    today = timezone.localdate()
    loan = ps.request_create(
        request=EquipmentLoan(
            registration=magokoro,
            equipment=Equipment.objects.get(identifier="KUSA-001"),
            lend_on=today + dt.timedelta(days=1),
            return_by=today + dt.timedelta(days=5),
        ),
        by=user,
    )
    ps.request_mark_lent(request=loan, by=staff)
    application = sf.make_application(
        programme=sf.make_programme(),
        organization=organization,
        applicant=user,
        status=Application.Status.RETURNED,
        title="花いっぱい運動",
    )
    return {
        "user": user,
        "registration": magokoro,
        "opportunity": opportunity,
        "application": application,
    }


def test_next_steps_on_a_phone_in_date_order_with_their_links(
    new_context, login_as, assert_accessible, expect, partner
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    # With a second factor: no recommendation to set one up among the tasks.
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=partner["user"], type=Authenticator.Type.TOTP, data={})
    login_as(context, partner["user"])

    page.goto("/mypage/")

    tasks = page.locator("#mypage-tasks + ol.tasks > li")
    expect(tasks).to_have_count(3)
    expect(tasks.nth(0)).to_contain_text("補助金の申請が差し戻されました：花いっぱい運動")
    expect(tasks.nth(0)).to_contain_text("要対応")
    expect(tasks.nth(1)).to_contain_text("次の活動：港まつり 会場案内")
    expect(tasks.nth(1)).to_contain_text("室蘭港 中央ふ頭")
    expect(tasks.nth(2)).to_contain_text("用具の返却：草刈機")
    expect(tasks.nth(2)).to_contain_text("返却期限")
    expect(tasks.nth(2)).to_contain_text("あと5日")
    # Each task's one link does what it says.
    expect(tasks.nth(0).get_by_role("link", name="修正して再提出する")).to_have_attribute(
        "href", f"/subsidies/applications/{partner['application'].pk}/edit/"
    )
    expect(tasks.nth(1).get_by_role("link")).to_have_attribute(
        "href", f"/partners/opportunities/{partner['opportunity'].pk}/"
    )
    # The registration reads 「状態：登録済み」, a badge and not a button; まごころ is not offered
    # again, the other programmes are.
    registrations = page.locator(
        "section", has=page.get_by_role("heading", name="行政パートナーの登録")
    )
    expect(registrations.locator(".status")).to_have_text("状態：登録済み")
    expect(
        registrations.get_by_role("link", name="まごころパートナー（無償の協力）に登録する")
    ).to_have_count(0)
    expect(
        registrations.get_by_role("link", name="まち「ピカ」パートナー（清掃・美化）に登録する")
    ).to_have_count(1)
    assert page.locator(".status").first.evaluate("el => getComputedStyle(el).cursor") != "pointer"

    assert_no_horizontal_scroll(page)
    assert_accessible(page, "マイページ with tasks at 375px")

    tasks.nth(2).get_by_role("link").click()
    page.wait_for_url(f"**/partners/registrations/{partner['registration'].pk}/requests/")
    expect(page.locator("main")).to_contain_text("状態：貸出中")

"""中止・廃止 in the browser, on a phone: the member of a granted project asks to stop it from the
application page, is told to give the reason, gives it, and the application waits for the
city's answer; the pages have no serious or critical axe violations and fit 375 px."""

from __future__ import annotations

import pytest

from subsidies.models import Application
from tests.e2e import test_subsidies_journey as journey
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll

# The journey's world: a programme open now, a member of a verified NPO, a granted project.
media = journey.media
subsidy_world = journey.subsidy_world
main_text = journey.main_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Application.Status


def test_a_member_asks_to_stop_a_granted_project_on_a_phone(
    new_context, login_as, assert_accessible, expect, subsidy_world
):
    granted = subsidy_world["granted"]
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, subsidy_world["member"])
    page = context.new_page()
    page.goto(f"/subsidies/applications/{granted.pk}/")
    page.get_by_role("link", name="事業の中止・廃止を申請する").click()
    page.wait_for_url(f"**/subsidies/applications/{granted.pk}/stop/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "stop request form")

    page.get_by_role("button", name="中止・廃止を申請する").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "事業を中止・廃止する理由を記入してください。"
    )
    assert_accessible(page, "stop request form with an error")
    granted.refresh_from_db()
    assert granted.status == S.GRANTED

    page.get_by_label("事業を中止・廃止する理由").fill(
        "会場の改修で年度内に実施できなくなりました。"
    )
    page.get_by_role("button", name="中止・廃止を申請する").click()
    page.wait_for_url(f"**/subsidies/applications/{granted.pk}/")
    assert "中止・廃止申請中" in main_text(page)
    granted.refresh_from_db()
    assert granted.status == S.STOP_REQUESTED
    assert (
        granted.status_changes.latest("pk").reason == "会場の改修で年度内に実施できなくなりました。"
    )

"""Signing out on a shared computer: the browser drops the site's cookies and storage
(Clear-Site-Data on the sign-out response), so the next person finds nothing of the session."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_signing_out_clears_the_sites_cookies_and_storage(page, context, login_as, db):
    login_as(context, factories.make_user("shared-pc@example.jp"))
    page.goto("/mypage/")
    page.evaluate("localStorage.setItem('draft', 'something personal')")
    assert any(c["name"] == "sessionid" for c in context.cookies())

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/")

    assert page.get_by_role("link", name="ログイン").first.is_visible()
    assert not any(c["name"] == "sessionid" for c in context.cookies())
    assert page.evaluate("localStorage.getItem('draft')") is None

"""パブリックコメント in the browser: the list, a case's page and a result page at 320 px (a phone, WCAG
1.4.10) and 1280 px, in Japanese and English: no sideways scrolling, axe finds nothing serious
or critical, the result shows its four parts and no personal data, and prints only the
result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from publiccomment.models import Channel, Facility
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.publiccomment import factories as pf
from tests.publiccomment.results import add_document, group_all, publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
SUBMITTER = "秘密野ＸＱ太郎"


@pytest.fixture
def cases(db):
    now = timezone.now()
    open_case = pf.make_case(
        title="室蘭市みどりの基本計画（案）",
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=14),
        short_window_reason="国の制度改正の施行日に間に合わせるため。",
        legal_basis="都市緑地法第4条",
        submit_fax="0143-25-0000",
        submit_email="kikaku@example.jp",
    )
    open_case.facilities.add(*Facility.objects.all()[:4])
    add_document(open_case)
    result = pf.make_case(
        title="室蘭市環境基本計画（案）",
        opens_at=now - dt.timedelta(days=80),
        closes_at=now - dt.timedelta(days=40),
    )
    for n, channel in enumerate((Channel.POST, Channel.FAX, Channel.BOX, Channel.EMAIL)):
        pf.submit(
            result,
            f"意見その{n + 1}：公園の管理に市民の力を生かしてほしい。" * 3,
            name=SUBMITTER,
            address="室蘭市秘密町９丁目ＸＱ番地",
            channel=channel,
            received_at=now - dt.timedelta(days=50),
            section_numbers=[n % 3 + 1],
        )
    group_all(result, summaries=("公園の管理への市民参加を求める意見", "推進体制についての意見"))
    publish(result)
    return {
        "list": reverse("publiccomment:case_list"),
        "case": open_case.get_absolute_url(),
        "result": reverse("publiccomment:case_result", args=[result.pk]),
    }


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("viewport", [NARROWEST, DESKTOP], ids=["320px", "1280px"])
def test_case_and_result_pages_fit_and_pass_axe(
    new_context, assert_accessible, cases, language, viewport
):
    context = new_context(viewport=viewport)
    page = context.new_page()
    switch_language(page, language)
    for what in ("list", "case", "result"):
        page.goto(cases[what])
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"the {what} page at {viewport['width']}px in {language}")
        assert SUBMITTER not in page.content()
    page.goto(cases["case"])
    if language == "ja":
        assert page.get_by_role("heading", name="意見募集期間を30日未満とする理由").is_visible()
        assert page.get_by_text("国の制度改正の施行日に間に合わせるため。").is_visible()
        assert page.get_by_role("link", name="意見記入用紙を印刷する").is_visible()


def test_result_page_shows_its_parts_and_prints_only_the_result(new_context, cases):
    context = new_context(viewport=NARROWEST)
    page = context.new_page()
    page.goto(cases["result"])
    for heading in ("意見の提出状況", "意見等の概要と市の考え方", "決定した計画", "案からの変更点"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.get_by_text("公園の管理への市民参加を求める意見").is_visible()
    assert page.get_by_role("button", name="印刷する").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").first.is_visible()
    assert not page.locator(".print-tools").is_visible()
    assert page.get_by_text("公園の管理への市民参加を求める意見").is_visible()

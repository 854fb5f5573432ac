"""Every figure on a public page says where it comes from and when: the guideline's figures
(まち「ピカ」 約7,300人, to 平成26年度) apart from this portal's live counts (as of today)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.translation import gettext, override

from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
GUIDELINE = "出典：室蘭市「協働のまちづくり指針【改定版】」（平成26年度までの数値）"
PORTAL_TODAY = "出典：このポータルの記録（2026年12月5日現在）"
PORTAL_THIS_YEAR = "出典：このポータルの記録（2026年度（令和8年度）、2026年12月5日現在）"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client, url) -> str:
    with override("ja"):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_catalogue_gives_the_labels_used_here():
    with override("ja"):
        assert (
            gettext(
                "Source: Muroran City, Guideline for Community Building through Collaboration"
                " (revised edition); figures up to fiscal 2014 (平成26年度)."
            )
            == GUIDELINE
        )


def test_programme_list_tells_the_guideline_figure_from_the_live_count(client, frozen):
    factories.make_registration(status="registered")
    html = get(client, "/partners/")
    assert "7,300" in html
    assert html.count(GUIDELINE) == 3  # まち「ピカ」, まごころ, まかせて: each quotes the guideline
    assert html.count(PORTAL_TODAY) == 3  # each programme's live count
    # The label follows its figure: the guideline's before the count, the portal's after it.
    pika = html.index("7,300")
    assert pika < html.index(GUIDELINE, pika) < html.index(PORTAL_TODAY, pika)


def test_pika_page_labels_both_figures_and_the_years_activities(client, frozen):
    factories.make_registration(status="registered")
    html = get(client, "/partners/pika/")
    assert html.count(GUIDELINE) == 1
    assert html.count(PORTAL_TODAY) == 1
    assert html.count(PORTAL_THIS_YEAR) == 1


def test_figures_page_says_its_source_and_date(client, frozen):
    html = get(client, "/figures/")
    assert PORTAL_THIS_YEAR in html


def test_the_date_follows_the_clock(client):
    with time_machine.travel(dt.datetime(2027, 4, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))):
        html = get(client, "/figures/")
    assert "出典：このポータルの記録（2027年度（令和9年度）、2027年4月1日現在）" in html


def test_english_pages_label_sources_too(client, settings, frozen):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/partners/pika/").content.decode()
    assert '<html lang="en">' in html
    assert "Source: Muroran City, Guideline for Community Building through Collaboration" in html
    assert "records, as of Dec. 5, 2026." in html, re.findall(r"figure-source.{0,200}", html)

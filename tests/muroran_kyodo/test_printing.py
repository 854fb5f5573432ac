"""The printable-document pattern's shared pieces: the 和暦 template filters (era and year
boundaries, aware datetimes read in Tokyo, bad values never failing a page), the derived
receipt numbers, the issuer setting."""

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone

from muroran_kyodo.lib import jp
from muroran_kyodo.lib.printing import DEFAULT_ISSUER, derived_number, issuer

JST = dt.timezone(dt.timedelta(hours=9))


def _render(source: str, **context) -> str:
    return Template("{% load jp printing %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("day", "wareki", "both"),
    [
        # The first day of 令和 is 令和元年, the day before still 平成31年.
        (dt.date(2019, 5, 1), "令和元年5月1日", "令和元年5月1日（2019年5月1日）"),
        (dt.date(2019, 4, 30), "平成31年4月30日", "平成31年4月30日（2019年4月30日）"),
        # 1 January changes the era year, 1 April (a new 年度) does not.
        (dt.date(2019, 12, 31), "令和元年12月31日", "令和元年12月31日（2019年12月31日）"),
        (dt.date(2020, 1, 1), "令和2年1月1日", "令和2年1月1日（2020年1月1日）"),
        (dt.date(2026, 3, 31), "令和8年3月31日", "令和8年3月31日（2026年3月31日）"),
        (dt.date(2026, 4, 1), "令和8年4月1日", "令和8年4月1日（2026年4月1日）"),
        (dt.date(1989, 1, 8), "平成元年1月8日", "平成元年1月8日（1989年1月8日）"),
        (dt.date(1989, 1, 7), "昭和64年1月7日", "昭和64年1月7日（1989年1月7日）"),
    ],
)
def test_wareki_filters_follow_the_era_boundaries(day, wareki, both):
    assert _render("{{ day|wareki }}", day=day) == wareki
    assert _render("{{ day|wareki_both }}", day=day) == both
    assert jp.wareki_with_western(day) == both


def test_an_aware_datetime_is_dated_in_tokyo():
    # 2019-04-30T15:00Z is 00:00 JST on 1 May 2019: 令和元年, not 平成31年.
    moment = dt.datetime(2019, 4, 30, 15, 0, tzinfo=dt.UTC)
    assert _render("{{ moment|wareki_both }}", moment=moment) == "令和元年5月1日（2019年5月1日）"
    # 2025-12-31T15:30Z is 00:30 JST on 1 January 2026.
    new_year = dt.datetime(2025, 12, 31, 15, 30, tzinfo=dt.UTC)
    assert _render("{{ moment|wareki }}", moment=new_year) == "令和8年1月1日"


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_value_prints_nothing(value):
    assert _render("[{{ value|wareki }}][{{ value|wareki_both }}]", value=value) == "[][]"


def test_a_value_that_is_no_date_or_before_meiji_does_not_fail_the_page():
    assert _render("{{ value|wareki }}", value="未定") == "未定"
    assert _render("{{ value|wareki_both }}", value=dt.date(1800, 1, 1)) == "1800-01-01"


def test_today_in_wareki_inside_a_frozen_clock():
    with time_machine.travel(dt.datetime(2027, 4, 1, 0, 1, tzinfo=JST), tick=False):
        today = timezone.localdate()
        assert _render("{{ today|wareki_both }}", today=today) == "令和9年4月1日（2027年4月1日）"


def test_derived_numbers_carry_the_fiscal_year_of_receipt():
    # 23:59 JST on 31 March is still the old 年度; 00:00 JST on 1 April the new one.
    assert derived_number("PU", dt.datetime(2027, 3, 31, 23, 59, tzinfo=JST), 42) == (
        "PU-2026-00042"
    )
    assert derived_number("PU", dt.datetime(2027, 3, 31, 15, 0, tzinfo=dt.UTC), 42) == (
        "PU-2027-00042"
    )
    assert derived_number("CR", dt.date(2026, 5, 15), 123456) == "CR-2026-123456"


def test_the_issuer_is_a_setting_with_the_division_as_default(settings):
    assert issuer() == DEFAULT_ISSUER == "室蘭市 地域生活課"
    settings.PRINT_ISSUER = "室蘭市 市民協働推進課"
    assert issuer() == "室蘭市 市民協働推進課"
    assert _render("{% print_issuer %}") == "室蘭市 市民協働推進課"

"""The Japanese civic conventions in muroran_kyodo/jp.py: 年度, 和暦, NFKC, kana, postal codes,
phone numbers, and the form fields that apply them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from muroran_kyodo.lib import jp

JST = ZoneInfo("Asia/Tokyo")

# --- 年度 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 31), 2025),
        (dt.date(2026, 4, 1), 2026),
        (dt.date(2026, 12, 31), 2026),
        (dt.date(2027, 1, 1), 2026),
        (dt.date(2027, 3, 31), 2026),
    ],
)
def test_fiscal_year_runs_from_april_to_march(day, expected):
    assert jp.fiscal_year(day) == expected


def test_fiscal_year_of_an_aware_datetime_is_read_in_tokyo():
    # 15:30 UTC on 31 March is 00:30 JST on 1 April: already the new 年度.
    moment = dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC)
    assert jp.fiscal_year(moment) == 2026


def test_fiscal_year_of_an_aware_datetime_just_before_midnight_jst_is_the_old_year():
    moment = dt.datetime(2026, 3, 31, 14, 59, 59, tzinfo=dt.UTC)  # 23:59:59 JST
    assert jp.fiscal_year(moment) == 2025


def test_current_fiscal_year_follows_the_tokyo_calendar():
    # 2026-03-31T15:30Z: still 31 March in UTC, already 1 April in Muroran.
    with time_machine.travel(dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC), tick=False):
        assert jp.current_fiscal_year() == 2026
    with time_machine.travel(dt.datetime(2026, 3, 31, 14, 30, tzinfo=dt.UTC), tick=False):
        assert jp.current_fiscal_year() == 2025


def test_fiscal_year_dates_are_first_and_last_day_inclusive():
    assert jp.fiscal_year_dates(2026) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def test_fiscal_year_datetimes_are_a_half_open_range_in_jst():
    start, end = jp.fiscal_year_datetimes(2026)
    assert start == dt.datetime(2026, 4, 1, tzinfo=JST)
    assert end == dt.datetime(2027, 4, 1, tzinfo=JST)
    assert start.utcoffset() == dt.timedelta(hours=9)
    # The last instant of 31 March 2027 JST is inside; midnight of 1 April is not.
    assert start <= dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=JST) < end
    assert start == dt.datetime(2026, 3, 31, 15, 0, tzinfo=dt.UTC)  # 00:00 JST is 15:00 UTC


def test_end_of_day_is_the_last_moment_of_the_day_in_jst():
    end = jp.end_of_day(dt.date(2026, 11, 28))
    assert end == dt.datetime(2026, 11, 28, 23, 59, 59, 999999, tzinfo=JST)
    assert end.utcoffset() == dt.timedelta(hours=9)
    assert end < dt.datetime(2026, 11, 29, tzinfo=JST)


# --- 和暦 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2019, 4, 30), "平成31年"),
        (dt.date(2019, 5, 1), "令和元年"),
        (dt.date(1989, 1, 7), "昭和64年"),
        (dt.date(1989, 1, 8), "平成元年"),
        (dt.date(2020, 1, 1), "令和2年"),
        (dt.date(2026, 11, 28), "令和8年"),
    ],
)
def test_wareki_year_changes_era_on_the_day_of_accession(day, expected):
    assert jp.wareki_year(day) == expected


def test_wareki_year_of_an_aware_datetime_is_read_in_tokyo():
    # 2019-04-30T15:00Z is 00:00 JST on 1 May 2019, the first day of 令和.
    assert jp.wareki_year(dt.datetime(2019, 4, 30, 15, 0, tzinfo=dt.UTC)) == "令和元年"


def test_wareki_date_names_year_month_and_day():
    assert jp.wareki_date(dt.date(2026, 11, 28)) == "令和8年11月28日"
    assert jp.wareki_date(dt.date(2019, 5, 1)) == "令和元年5月1日"


def test_wareki_before_meiji_is_refused():
    with pytest.raises(ValueError):
        jp.wareki_year(dt.date(1868, 1, 24))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, "令和元年度"),  # began in 平成31年 but the city calls it 令和元年度
        (2018, "平成30年度"),
        (2026, "令和8年度"),
        (1989, "平成元年度"),
    ],
)
def test_wareki_fiscal_year(year, expected):
    assert jp.wareki_fiscal_year(year) == expected


def test_fiscal_year_label_puts_the_western_year_first():
    assert jp.fiscal_year_label(2026) == "2026年度（令和8年度）"
    assert jp.fiscal_year_label(2019) == "2019年度（令和元年度）"


# --- NFKC and kana ---------------------------------------------------------------------------


def test_nfkc_turns_full_width_digits_and_letters_into_ascii():
    assert jp.nfkc("ＡＢＣ１２３") == "ABC123"
    assert jp.nfkc("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "taro@example.jp"


def test_nfkc_turns_half_width_kana_into_full_width_and_strips():
    assert jp.nfkc(" ﾑﾛﾗﾝ ") == "ムロラン"
    assert jp.nfkc("ﾊﾟｰﾄﾅｰ") == "パートナー"  # the voiced mark joins its letter


def test_nfkc_of_nothing_is_empty():
    assert jp.nfkc(None) == ""


def test_to_katakana_converts_hiragana():
    assert jp.to_katakana("むろらん") == "ムロラン"
    assert jp.to_katakana("わにし　はなこ") == "ワニシ　ハナコ"


def test_to_katakana_converts_half_width_kana():
    assert jp.to_katakana("ﾑﾛﾗﾝ") == "ムロラン"


def test_to_katakana_keeps_kanji_so_the_kana_check_fails():
    converted = jp.to_katakana("室蘭らん")
    assert converted == "室蘭ラン"
    assert not jp.is_katakana(converted)


def test_to_katakana_makes_any_run_of_spaces_one_full_width_space():
    assert jp.to_katakana("ワニシ   ハナコ") == "ワニシ　ハナコ"


@pytest.mark.parametrize(
    "value", ["ムロラン", "ワニシ　ハナコ", "パートナー", "ヴァイオリン", "ジョン・スミス"]
)
def test_is_katakana_accepts_katakana_with_long_vowel_dots_and_spaces(value):
    assert jp.is_katakana(value)


@pytest.mark.parametrize("value", ["", "室蘭", "むろらん", "Muroran", "ムロラン1"])
def test_is_katakana_refuses_anything_else(value):
    assert not jp.is_katakana(value)


# --- 郵便番号 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["０５１－８５１１", "0518511", "051-8511", "051ー8511", " 051 8511 "]
)
def test_postal_code_is_normalised_to_nnn_nnnn(typed):
    assert jp.normalize_postal_code(typed) == "051-8511"


def test_postal_code_with_the_postal_mark_is_accepted():
    # People paste addresses as they are printed: 〒051-8511.
    assert jp.normalize_postal_code("〒051-8511") == "051-8511"


@pytest.mark.parametrize("typed", ["051851", "05185111", "051-851a", "室蘭"])
def test_postal_code_that_is_not_seven_digits_is_refused(typed):
    with pytest.raises(ValidationError) as info:
        jp.normalize_postal_code(typed)
    assert info.value.code == "invalid_postal_code"


# --- 電話番号 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0143-22-1111", "0143-22-1111"),  # the hyphens a person typed are kept
        ("0143221111", "0143221111"),  # and none are added
        ("０９０１２３４５６７８", "09012345678"),
        ("０１４３－２２－１１１１", "0143-22-1111"),
        ("(0143) 22-1111", "0143-22-1111"),
        ("090 1234 5678", "090-1234-5678"),
        ("050-1234-5678", "050-1234-5678"),
        ("03-1234-5678", "03-1234-5678"),
        # Toll-free 0120 numbers have ten digits and pass the landline shape.
        ("0120-123-456", "0120-123-456"),
    ],
)
def test_phone_keeps_the_digits_and_hyphens_typed(typed, kept):
    assert jp.normalize_phone(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "12345",  # too short
        "1143221111",  # ten digits not starting with 0
        "0012345678",  # 00… is an international prefix, not a number
        "01432211110",  # eleven digits but not a mobile/IP prefix
        "0143-22-111x",
        "+81-143-22-1111",
    ],
)
def test_phone_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(ValidationError) as info:
        jp.normalize_phone(typed)
    assert info.value.code == "invalid_phone"


# --- Form fields -----------------------------------------------------------------------------


class ContactForm(forms.Form):
    kana = jp.KanaField()
    postal_code = jp.PostalCodeField(required=False)
    phone = jp.PhoneField(required=False)
    email = jp.NormalizedEmailField(required=False)


def _form(**data):
    return ContactForm(data={"kana": "ムロラン", **data})


def test_form_fields_normalise_what_a_person_types():
    form = _form(
        kana="ﾜﾆｼ はなこ",
        postal_code="０５１－８５１１",
        phone="０１４３（２２）１１１１",
        email="ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｊｐ",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "kana": "ワニシ　ハナコ",
        "postal_code": "051-8511",
        "phone": "0143-22-1111",
        "email": "taro@example.jp",
    }


def test_kana_field_refuses_kanji_with_its_own_code():
    form = _form(kana="輪西")
    assert not form.is_valid()
    assert form.has_error("kana", code="not_kana")


def test_kana_field_is_required_with_djangos_japanese_message():
    with translation.override("ja"):
        form = _form(kana="")
        assert not form.is_valid()
        assert form.errors["kana"] == ["このフィールドは必須です。"]


def test_postal_code_field_refuses_six_digits():
    form = _form(postal_code="051851")
    assert not form.is_valid()
    assert form.has_error("postal_code", code="invalid_postal_code")


def test_phone_field_refuses_five_digits():
    form = _form(phone="12345")
    assert not form.is_valid()
    assert form.has_error("phone", code="invalid_phone")


def test_optional_postal_code_and_phone_may_be_left_empty():
    form = _form(postal_code="", phone="", email="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postal_code"] == ""
    assert form.cleaned_data["phone"] == ""


def test_normalized_email_field_still_refuses_a_non_address():
    form = _form(email="ｔａｒｏ＠")
    assert not form.is_valid()
    assert form.has_error("email", code="invalid")


def test_phone_and_postal_code_widgets_help_phones_and_autofill():
    form = ContactForm()
    html = str(form["phone"])
    assert 'type="tel"' in html
    assert 'autocomplete="tel"' in html
    html = str(form["postal_code"])
    assert 'autocomplete="postal-code"' in html
    assert 'inputmode="numeric"' in html


class DateForm(forms.Form):
    day = forms.DateField(widget=jp.DateInput())


@pytest.mark.parametrize("typed", ["2026/11/28", "2026-11-28", "2026年11月28日"])
def test_date_field_accepts_japanese_ways_of_typing_a_date(typed):
    with translation.override("ja"):
        form = DateForm(data={"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 11, 28)


def test_date_field_refuses_nonsense_with_djangos_japanese_message():
    with translation.override("ja"):
        form = DateForm(data={"day": "11月28日ごろ"})
        assert not form.is_valid()
        assert form.errors["day"] == ["日付を正しく入力してください。"]


def test_date_input_renders_the_browser_date_picker_in_iso_format():
    form = DateForm(initial={"day": dt.date(2026, 11, 28)})
    html = str(form["day"])
    assert 'type="date"' in html
    assert 'value="2026-11-28"' in html


def test_an_absent_optional_email_is_empty_text_never_none():
    field = jp.NormalizedEmailField(required=False)
    assert field.clean(None) == ""
    assert field.clean("") == ""
    assert field.clean("ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｊｐ") == "taro@example.jp"

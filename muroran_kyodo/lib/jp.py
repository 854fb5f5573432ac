"""Japanese civic conventions in one place: 年度, 和暦, NFKC, カナ, 郵便番号, 電話番号.

Every app uses these; none keeps its own copy. Pure functions first, then the form fields
that apply them, so that a form gets normalisation and a Japanese error message by choosing
a field type.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- 年度 (fiscal year: 1 April - 31 March) -------------------------------------------------


def _as_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def fiscal_year(value: dt.date | dt.datetime) -> int:
    """The 年度 a date belongs to: 2026-03-31 is FY2025, 2026-04-01 is FY2026.

    Aware datetimes are read in Asia/Tokyo first, so 2026-03-31T16:00Z (01:00 JST on
    1 April) is already FY2026.
    """
    day = _as_local_date(value)
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year() -> int:
    return fiscal_year(timezone.localdate())


def fiscal_year_dates(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a 年度, both inclusive."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def fiscal_year_datetimes(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a 年度 as aware datetimes in the current time zone, for range filters."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 4, 1, tzinfo=tz),
        dt.datetime(year + 1, 4, 1, tzinfo=tz),
    )


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59.999999 JST of a closing day: deadlines are inclusive of that whole day."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time.max, tzinfo=tz)


# --- 和暦 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Era:
    name: str
    starts: dt.date


ERAS = (
    Era("令和", dt.date(2019, 5, 1)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("明治", dt.date(1868, 1, 25)),
)


def era_of(day: dt.date) -> tuple[Era, int]:
    day = _as_local_date(day)
    for era in ERAS:
        if day >= era.starts:
            return era, day.year - era.starts.year + 1
    raise ValueError(f"{day} is before 明治")


def _era_year_label(era: Era, number: int) -> str:
    return f"{era.name}{'元' if number == 1 else number}年"


def wareki_year(day: dt.date | dt.datetime) -> str:
    """'令和8年' for a date in 2026; '令和元年' for 2019-05-01, '平成31年' for 2019-04-30."""
    return _era_year_label(*era_of(day))


def wareki_date(day: dt.date | dt.datetime) -> str:
    """'令和8年11月28日'."""
    day = _as_local_date(day)
    return f"{wareki_year(day)}{day.month}月{day.day}日"


def wareki_with_western(day: dt.date | dt.datetime) -> str:
    """'令和8年12月5日（2026年12月5日）': how printed documents date themselves, 和暦 first."""
    day = _as_local_date(day)
    return f"{wareki_date(day)}（{day.year}年{day.month}月{day.day}日）"


def wareki_fiscal_year(year: int) -> str:
    """'令和8年度' for FY2026.

    A 年度 is named by the era in force at the end of its first calendar year, which is
    how the city names FY2019 (令和元年度, though it began in 平成31年).
    """
    era, number = era_of(dt.date(year, 12, 31))
    return f"{era.name}{'元' if number == 1 else number}年度"


def fiscal_year_label(year: int) -> str:
    """'2026年度（令和8年度）': the western year first, 和暦 beside it."""
    return f"{year}年度（{wareki_fiscal_year(year)}）"


# --- NFKC and kana ---------------------------------------------------------------------------

_HYPHENS = re.compile(r"[\-‐‑‒–—―−ー－ｰ]")


def nfkc(value: str | None) -> str:
    """NFKC-normalise an identifier (e-mail, phone, postal code, number): full-width digits
    and letters become ASCII, half-width kana become full-width. Not for free text."""
    return unicodedata.normalize("NFKC", value or "").strip()


def to_katakana(value: str) -> str:
    """Half-width kana become full-width, hiragana become katakana; other characters are kept."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    out = []
    for ch in text:
        code = ord(ch)
        if 0x3041 <= code <= 0x3096:  # ぁ..ゖ
            ch = chr(code + 0x60)
        elif ch in "ゝゞ":
            ch = chr(code + 0x60)
        out.append(ch)
    return re.sub(r"\s+", "　", "".join(out))


def is_katakana(value: str) -> bool:
    """Full-width katakana with ー, ・ and spaces; nothing else (no kanji, no latin)."""
    return bool(value) and all(0x30A1 <= ord(ch) <= 0x30FA or ch in "ーヽヾ・　 " for ch in value)


def normalize_postal_code(value: str) -> str:
    """'０５１－００１１', '0510011', '〒051-0011' and '051-0011' all become '051-0011'."""
    digits = _HYPHENS.sub("", nfkc(value).removeprefix("〒")).replace(" ", "")
    if not re.fullmatch(r"\d{7}", digits):
        raise ValidationError(
            _("Enter the postal code as seven digits, for example 051-8511."),
            code="invalid_postal_code",
        )
    return f"{digits[:3]}-{digits[3:]}"


def normalize_phone(value: str) -> str:
    """Keep the digits and hyphens a person typed (after NFKC); check the shape loosely.

    Landlines have ten digits (Muroran: 0143-…), mobiles and IP phones eleven
    (090/080/070/050). Brackets and spaces become hyphens, as most people mean them.
    """
    text = nfkc(value)
    text = _HYPHENS.sub("-", text)
    text = re.sub(r"[()\s]+", "-", text).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    digits = text.replace("-", "")
    valid = re.fullmatch(r"\d+", digits) and (
        (len(digits) == 10 and digits[0] == "0" and digits[1] != "0")
        or (len(digits) == 11 and digits[:3] in {"090", "080", "070", "050"})
    )
    if not valid:
        raise ValidationError(
            _("Enter a Japanese phone number, for example 0143-22-1111 or 090-1234-5678."),
            code="invalid_phone",
        )
    return text


# --- names ---------------------------------------------------------------------------------

# Characters that take no room on screen though they are not format characters (Cf): the
# Hangul fillers, the braille blank, the Mongolian vowel separator.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def _invisible(ch: str) -> bool:
    return ch in _BLANK_LOOKING or unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def validate_name(value: str) -> None:
    """A name a person or group can mean: something visible, and no invisible formatting
    characters (Unicode Cf: zero-width spaces and joiners U+200B-200F, the direction embeddings,
    overrides and isolates U+202A-202E and U+2066-2069, U+2060, U+FEFF, ...) nor control
    characters, which make a name look like another one or reverse the text around it.

    Variation selectors (異体字 of a family name, Unicode Mn) stay allowed.
    """
    if not value:
        return
    if all(_invisible(ch) for ch in value):
        raise ValidationError(_("Enter the name in visible characters."), code="invisible_name")
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise ValidationError(
            _(
                "The name contains invisible or text-direction characters. "
                "Type it again without them."
            ),
            code="invisible_characters",
        )


# --- Form fields ---------------------------------------------------------------------------


class KanaField(forms.CharField):
    """Full-width katakana. Hiragana and half-width kana are converted; kanji and latin are
    refused with a message that says what to type."""

    default_error_messages = {
        "not_kana": _(
            "Enter the reading in katakana (for example ムロラン). Kanji and letters cannot be used."
        ),
    }

    def to_python(self, value: Any | None) -> str | None:
        text = super().to_python(value)
        return to_katakana(text) if text else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not is_katakana(value):
            raise ValidationError(self.error_messages["not_kana"], code="not_kana")


class PostalCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "postal-code")
        self.widget.attrs.setdefault("inputmode", "numeric")

    def clean(self, value: Any) -> str | None:
        text: str | None = super().clean(value)
        return normalize_postal_code(text) if text else text


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value: Any) -> str | None:
        text: str | None = super().clean(value)
        return normalize_phone(text) if text else text


class NormalizedEmailField(forms.EmailField):
    """E-mail addresses typed in full-width (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) still work."""

    def to_python(self, value: Any | None) -> str | None:
        # Django's to_python turns an absent value (None) into "": never hand None back, which
        # a NOT NULL column refuses (a form posted without the field was a 500).
        text = super().to_python(value)
        return nfkc(text).lower() if text else text


class DateInput(forms.DateInput):
    """The browser's date picker; also accepts 2026/11/28 typed where it is not available."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")

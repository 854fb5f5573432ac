"""Form fields the stock ones lack: ids the database can hold, and amounts, counts and dates as
people in Japan type them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .jp import DateInput, nfkc

_ID = re.compile(r"[0-9]{1,19}", re.ASCII)
MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that a value that cannot be an id of the table (not digits, or
    beyond the database's integer range) is refused as an invalid choice: Django passes it to
    the database, where an out-of-range number is an error (a 500) instead of "not found"."""

    def _check_values(self, value: Iterable[Any]) -> models.QuerySet[Any]:
        queryset = self.queryset
        assert queryset is not None  # Django calls this from clean(), with the queryset set
        key = self.to_field_name or "pk"
        field = queryset.model._meta.get_field(key) if key != "pk" else None
        field = field or queryset.model._meta.pk
        if isinstance(field, models.IntegerField):
            for pk in value:
                text = str(pk)
                if not (_ID.fullmatch(text) and int(text) <= MAX_ID):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        # Django's private helper, which django-stubs do not declare.
        return super()._check_values(value)  # type: ignore[misc]


# --- what people type: full-width digits, commas, 円, 2026/11/28 -------------------------------

# No amount typed into a form of the portal comes near ¥100 million: above it is a typo.
MAX_TYPED_YEN = 100_000_000
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class YenField(forms.CharField):
    """Whole yen. Full-width digits, commas, ¥ and 円 are accepted ("１００，０００円",
    "¥50,000", "50000.0"); negatives, fractions, words and absurd amounts are refused, each
    with a message that says what to type. A field may word a message for its own amount with
    `error_messages` (e.g. "the new amount")."""

    default_error_messages = {
        "invalid": _("Enter the amount in yen using digits only, for example 120,000."),
        "negative": _("Amounts cannot be negative. Enter 0 or more."),
        "fraction": _("Enter whole yen, without a decimal point."),
        "too_large": _("Enter at most ¥%(limit)s."),
    }

    def __init__(self, *, max_value: int = MAX_TYPED_YEN, **kwargs: Any) -> None:
        self.max_value = max_value
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 30}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]  # yen, not text
        if isinstance(value, int):
            return value
        text = nfkc(super().to_python(value))
        text = re.sub(r"[,\s¥￥円]", "", text.replace("\\", ""))
        if not text:
            return None
        if len(text) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if text[0] in "-−△▲":
            raise ValidationError(self.error_messages["negative"], code="negative")
        if re.fullmatch(r"\d+\.\d*", text):
            if set(text.split(".", 1)[1]) <= {"0"}:
                text = text.split(".", 1)[0]
            else:
                raise ValidationError(self.error_messages["fraction"], code="fraction")
        if not re.fullmatch(r"\d+", text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(text)
        if amount > self.max_value:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": f"{self.max_value:,}"},
            )
        return amount


class CountField(forms.IntegerField):
    """A number of people (or things), typed in full or half width, with commas or 人."""

    default_error_messages = {
        "invalid": _("Enter a number of people in digits, for example 5."),
        "min_value": _("Enter 0 or more."),
        "max_value": _("Enter at most %(limit_value)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100_000)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = nfkc(value).replace(",", "").removesuffix("人").strip()
        return super().to_python(value)


# --- dates people can mean ------------------------------------------------------------------

# Nothing the portal records happened before 2000 (0001-01-01 is a slip of the keyboard), and
# nothing is planned more than ten years ahead (9999-12-31 would block what it books).
EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 10

DateLimit = dt.date | Callable[[], dt.date] | None


def latest_plausible_date() -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def check_date_range(day: dt.date | None, *, earliest: DateLimit, latest: DateLimit) -> None:
    """Refuse a date before `earliest` or after `latest` (dates, or functions giving one, read
    at validation time so that a form built yesterday still knows today), with a message that
    says which date is the limit."""
    if day is None:
        return
    first = earliest() if callable(earliest) else earliest
    last = latest() if callable(latest) else latest
    if first and day < first:
        raise ValidationError(
            _("Enter a date on or after %(day)s."),
            code="too_early",
            params={"day": first.strftime("%Y/%m/%d")},
        )
    if last and day > last:
        raise ValidationError(
            _("Enter a date on or before %(day)s."),
            code="too_late",
            params={"day": last.strftime("%Y/%m/%d")},
        )


class DateField(forms.DateField):
    """The browser's date picker, or 2026/11/28 and ２０２６年１１月２８日 typed by hand; only
    dates someone can mean (from 2000 to ten years ahead, unless the form says otherwise)."""

    widget = DateInput
    default_error_messages = {"invalid": _("Enter a date such as 2026/11/28.")}

    def __init__(
        self,
        *,
        earliest: DateLimit = EARLIEST_DATE,
        latest: DateLimit = latest_plausible_date,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str):
            value = nfkc(value)
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        check_date_range(value, earliest=self.earliest, latest=self.latest)

"""Dates people can mean: the shared date field refuses 0001-01-01 and 9999-12-31."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from muroran_kyodo.lib.fields import DateField, check_date_range
from subsidies.forms.applications import PlanForm
from subsidies.forms.followup import AdvancePaymentForm
from subsidies.forms.review import DecisionActionForm

FROZEN = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.mark.parametrize("typed", ["0001-01-01", "1999/12/31", "9999-12-31", "2036/12/08"])
def test_dates_nobody_means_are_refused(frozen, typed):
    with pytest.raises(ValidationError) as refused:
        DateField(required=False).clean(typed)
    assert refused.value.code in {"too_early", "too_late"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("２０２６年１２月７日", dt.date(2026, 12, 7)),
        ("2036/12/07", dt.date(2036, 12, 7)),  # ten years ahead is the last day
        ("", None),
    ],
)
def test_dates_someone_can_mean_are_kept(frozen, typed, expected):
    assert DateField(required=False).clean(typed) == expected


def test_a_form_may_narrow_the_range(frozen):
    field = DateField(earliest=lambda: dt.date(2026, 12, 7), latest=None)
    with pytest.raises(ValidationError):
        field.clean("2026-12-06")
    assert field.clean("2099-01-01") == dt.date(2099, 1, 1)


def test_the_refusal_names_the_limit_in_japanese():
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        check_date_range(dt.date(1, 1, 1), earliest=dt.date(2000, 1, 1), latest=None)
    with translation.override("ja"):
        assert refused.value.messages == ["2000/01/01以降の日付を入力してください。"]


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (PlanForm, "starts_on"),
        (PlanForm, "ends_on"),
        (AdvancePaymentForm, "paid_on"),
        (DecisionActionForm, "repayment_due_on"),
    ],
)
def test_the_subsidies_date_fields_refuse_them(frozen, form, name):
    for typed in ("0001-01-01", "9999-12-31"):
        with pytest.raises(ValidationError):
            form.base_fields[name].clean(typed)

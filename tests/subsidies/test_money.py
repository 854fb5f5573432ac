"""The formula: min(cap, eligible expenses × rate rounded down to ¥1,000), and the budget
checks. Pure arithmetic, no database."""

from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from subsidies import money
from subsidies.models import IncomeLine

HALF = Fraction(1, 2)
FULL = Fraction(10, 10)
TWO_THIRDS = Fraction(2, 3)


@pytest.mark.parametrize(
    ("cap", "rate", "expenses", "expected"),
    [
        # 1/2, under the cap, already a round number
        (300_000, HALF, 200_000, 100_000),
        # 1/2 of an odd amount: 100,499.5 → 100,000
        (300_000, HALF, 200_999, 100_000),
        # rounded down, never up: 1/2 × 201,998 = 100,999 → 100,000
        (300_000, HALF, 201_998, 100_000),
        # exactly on a thousand after the rate
        (300_000, HALF, 202_000, 101_000),
        # the cap wins
        (300_000, HALF, 1_000_000, 300_000),
        # the cap exactly
        (300_000, HALF, 600_000, 300_000),
        # 10/10 (youth track): all of it, rounded down, capped at 100,000
        (100_000, FULL, 87_654, 87_000),
        (100_000, FULL, 150_000, 100_000),
        (100_000, FULL, 100_000, 100_000),
        # 2/3: 2/3 × 100,000 = 66,666⅔ → 66,000; exact, no float drift
        (500_000, TWO_THIRDS, 100_000, 66_000),
        # 2/3 × 1,500 = 1,000 exactly (a float gives 999.999… and would floor to 0)
        (500_000, TWO_THIRDS, 1_500, 1_000),
        # 2/3 × 1,499 = 999.33 → 0
        (500_000, TWO_THIRDS, 1_499, 0),
        # zero expenses, zero subsidy
        (300_000, HALF, 0, 0),
        # below ¥1,000 after the rate
        (300_000, HALF, 1_998, 0),
        # a cap that is not a round thousand is still the cap
        (123_456, FULL, 1_000_000, 123_456),
        # large amounts stay exact
        (10**10, Fraction(9, 10), 9_999_999_999, 8_999_999_000),
        (10**10, Fraction(1, 3), 3 * 10**9 + 2_999, 10**9 + 0),
    ],
)
def test_eligible_amount(cap, rate, expenses, expected):
    assert money.eligible_amount(cap=cap, rate=rate, eligible_expenses=expenses) == expected


def test_eligible_amount_is_always_a_whole_thousand_below_the_cap():
    for expenses in range(0, 20_000, 7):
        amount = money.eligible_amount(cap=10**6, rate=TWO_THIRDS, eligible_expenses=expenses)
        assert amount % 1000 == 0
        assert amount <= expenses * 2 / 3


@pytest.mark.parametrize("rate", [Fraction(0), Fraction(11, 10), Fraction(-1, 2)])
def test_eligible_amount_refuses_a_rate_outside_0_to_1(rate):
    with pytest.raises(ValueError):
        money.eligible_amount(cap=1000, rate=rate, eligible_expenses=1000)


def test_eligible_amount_refuses_negative_expenses():
    with pytest.raises(ValueError):
        money.eligible_amount(cap=1000, rate=HALF, eligible_expenses=-1)


# --- budget checks ----------------------------------------------------------------------------


def _line(kind=None, amount=0, eligible=True):
    return SimpleNamespace(kind=kind, amount=amount, eligible=eligible)


def _category(cap=300_000, numerator=1, denominator=2):
    return SimpleNamespace(
        cap=cap,
        rate=Fraction(numerator, denominator),
        rate_label=f"{numerator}/{denominator}",
    )


def _budget(subsidy, own, expenses):
    return money.totals(
        [_line(IncomeLine.Kind.THIS_SUBSIDY, subsidy), _line(IncomeLine.Kind.OWN_FUNDS, own)],
        [_line(amount=amount, eligible=eligible) for amount, eligible in expenses],
    )


def test_totals_separate_eligible_expenses():
    budget = _budget(100_000, 150_000, [(200_000, True), (50_000, False)])
    assert budget.income == 250_000
    assert budget.expenses == 250_000
    assert budget.eligible_expenses == 200_000
    assert budget.this_subsidy == 100_000
    assert budget.balanced


def test_a_balanced_budget_within_the_formula_has_no_errors():
    budget = _budget(100_000, 100_000, [(200_000, True)])
    assert money.budget_errors(budget=budget, category=_category(), requested=100_000) == {}
    money.check_budget(budget=budget, category=_category(), requested=100_000)


def test_income_must_equal_expenses():
    budget = _budget(100_000, 90_000, [(200_000, True)])
    errors = money.budget_errors(budget=budget, category=_category(), requested=100_000)
    assert list(errors) == ["income_lines"]
    assert "190,000" in errors["income_lines"][0]
    assert "200,000" in errors["income_lines"][0]


def test_request_above_the_rate_is_refused_with_the_limit():
    # 1/2 of the eligible ¥150,000 (the ¥50,000 not eligible does not count) = ¥75,000
    budget = _budget(100_000, 100_000, [(150_000, True), (50_000, False)])
    errors = money.budget_errors(budget=budget, category=_category(), requested=100_000)
    assert list(errors) == ["requested_amount"]
    assert "75,000" in errors["requested_amount"][0]


def test_request_above_the_cap_is_refused():
    budget = _budget(400_000, 600_000, [(1_000_000, True)])
    errors = money.budget_errors(budget=budget, category=_category(), requested=400_000)
    assert "300,000" in errors["requested_amount"][0]


def test_request_equal_to_the_limit_is_accepted():
    budget = _budget(300_000, 300_000, [(600_000, True)])
    assert money.budget_errors(budget=budget, category=_category(), requested=300_000) == {}


def test_the_subsidy_income_line_must_match_the_request():
    budget = _budget(80_000, 120_000, [(200_000, True)])
    errors = money.budget_errors(budget=budget, category=_category(), requested=100_000)
    assert list(errors) == ["income_lines"]


def test_no_expenses_and_no_request_are_both_reported():
    budget = money.totals([], [])
    errors = money.budget_errors(budget=budget, category=_category(), requested=0)
    assert set(errors) == {"expense_lines", "requested_amount"}


def test_check_budget_raises_with_field_keys():
    budget = _budget(100_000, 0, [(200_000, True)])
    with pytest.raises(ValidationError) as error:
        money.check_budget(budget=budget, category=_category(), requested=100_000)
    assert set(error.value.message_dict) == {"income_lines"}

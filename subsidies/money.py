"""The subsidy's arithmetic, in whole yen and exact fractions (no floats anywhere).

補助対象経費 × 補助率, rounded down to ¥1,000 (千円未満切捨て), capped at 上限額.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ROUNDING_UNIT = 1000


def eligible_amount(*, cap: int, rate: Fraction, eligible_expenses: int) -> int:
    """min(cap, floor(eligible_expenses × rate / 1000) × 1000), all in integers.

    `rate` is a Fraction (1/2, 2/3, 10/10), so 2/3 of ¥100,000 is exactly 66,666⅔ before
    rounding, never 66,666.666…7 that a float could round the wrong way.
    """
    if eligible_expenses < 0 or cap < 0:
        raise ValueError("amounts cannot be negative")
    if not (0 < rate <= 1):
        raise ValueError("the rate must be between 0 and 1")
    raw = Fraction(eligible_expenses) * rate
    # Fraction // int is an exact floor division.
    rounded = int(raw // ROUNDING_UNIT) * ROUNDING_UNIT
    return min(cap, rounded)


def category_eligible_amount(category, eligible_expenses: int) -> int:
    return eligible_amount(
        cap=category.cap, rate=category.rate, eligible_expenses=eligible_expenses
    )


@dataclass(frozen=True)
class Budget:
    """The totals of one stage (plan or actual) of an application's budget."""

    income: int
    expenses: int
    eligible_expenses: int
    this_subsidy: int  # the income line(s) “本補助金”

    @property
    def balanced(self) -> bool:
        return self.income == self.expenses


def totals(income_lines: Iterable, expense_lines: Iterable) -> Budget:
    from .models import IncomeLine

    income_lines = list(income_lines)
    expense_lines = list(expense_lines)
    return Budget(
        income=sum(line.amount for line in income_lines),
        expenses=sum(line.amount for line in expense_lines),
        eligible_expenses=sum(line.amount for line in expense_lines if line.eligible),
        this_subsidy=sum(
            line.amount for line in income_lines if line.kind == IncomeLine.Kind.THIS_SUBSIDY
        ),
    )


def budget_errors(*, budget: Budget, category, requested: int) -> dict[str, list[str]]:
    """What is wrong with a planned budget and its request, by field; empty when it is right.

    - there are expenses, and income equals expenses (収支が一致);
    - the “this subsidy” income line equals the amount requested;
    - the request is not above the eligible amount (min(cap, rate, rounded down)).
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if budget.expenses == 0:
        add("expense_lines", _("Enter the expenses of the project, by expense item."))
    if not budget.balanced:
        add(
            "income_lines",
            _(
                "Income (¥%(income)s) and expenses (¥%(expenses)s) must be equal. Adjust the "
                "lines so that the totals match."
            )
            % {"income": f"{budget.income:,}", "expenses": f"{budget.expenses:,}"},
        )
    if requested <= 0:
        add("requested_amount", _("Enter the amount you request."))
    elif budget.this_subsidy != requested:
        add(
            "income_lines",
            _(
                "The income line “This subsidy” (¥%(line)s) must equal the amount requested "
                "(¥%(requested)s)."
            )
            % {"line": f"{budget.this_subsidy:,}", "requested": f"{requested:,}"},
        )
    if category is not None and requested > 0:
        limit = category_eligible_amount(category, budget.eligible_expenses)
        if requested > limit:
            add(
                "requested_amount",
                _(
                    "You can request at most ¥%(limit)s: %(rate)s of the eligible expenses "
                    "(¥%(eligible)s), rounded down to ¥1,000, and no more than the cap of "
                    "¥%(cap)s."
                )
                % {
                    "limit": f"{limit:,}",
                    "rate": category.rate_label,
                    "eligible": f"{budget.eligible_expenses:,}",
                    "cap": f"{category.cap:,}",
                },
            )
    return errors


def check_budget(*, budget: Budget, category, requested: int) -> None:
    errors = budget_errors(budget=budget, category=category, requested=requested)
    if errors:
        raise ValidationError(errors)

"""The plan page without JavaScript, and what its scripts read: partner organisations as a
list of checkboxes (no Ctrl), the budget inputs described for static/js/live-totals.js, and the
totals the server computed when the draft was saved."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def page(client, application, member):
    client.force_login(member)

    def get():
        response = client.get(reverse("subsidies:application_edit", args=[application.pk]))
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_partner_organisations_are_checkboxes_with_type_and_district(page, application):
    partner = factories.make_organization(name="輪西商店会", name_kana="ワニシショウテンカイ")
    application.partner_organizations.set([partner])

    html = page()

    assert 'name="partner_organizations"' in html
    assert not re.search(r"<select[^>]*multiple", html)
    assert "Ctrl" not in html and "⌘" not in html
    assert re.search(
        rf'<input type="checkbox" name="partner_organizations" value="{partner.pk}"[^>]*checked',
        html,
    )
    assert f"（{partner.actor_type}・輪西町）" in html
    # The search box is there for the script, hidden without it; its script is external.
    assert "data-checkbox-search-box hidden" in html
    assert '<script src="/static/js/checkbox-search.js" defer></script>' in html
    assert '<script src="/static/js/live-totals.js" defer></script>' in html
    assert re.search(r"<script>|<script [^>]*>[^<]", html) is None  # no inline script


def test_budget_inputs_say_which_totals_they_add_to(page):
    html = page()

    assert 'name="income-0-amount"' in html
    assert re.search(
        r'name="income-0-amount"[^>]*data-sum="income; this_subsidy if id_income-0-kind=this_subsidy"',
        html,
    ) or re.search(
        r'data-sum="income; this_subsidy if id_income-0-kind=this_subsidy"[^>]*name="income-0-amount"',
        html,
    )
    assert 'data-sum="expenses; eligible if id_expense-0-eligible"' in html
    assert re.search(
        r'name="requested_amount"[^>]*data-sum="requested"|data-sum="requested"[^>]*name="requested_amount"',
        html,
    )
    # The categories carry their rate and cap; the totals say how the limit is computed.
    assert re.search(r'<option value="\d+" selected data-rate="1/2" data-cap="300000">', html)
    assert re.search(
        r'data-live-totals data-derive="difference = income - expenses; limit = share eligible" '
        r'data-share-from="id_category" data-share-round="1000"',
        html,
    )


def test_without_javascript_the_page_shows_the_saved_totals(page, application):
    """make_application's budget: income ¥200,000 (¥100,000 this subsidy), expenses ¥200,000
    of which the eligible ones give the limit; the server's figures are in the outputs."""
    from subsidies import money
    from subsidies.models import BudgetStage

    income = list(application.income_lines.filter(stage=BudgetStage.PLAN))
    expenses = list(application.expense_lines.filter(stage=BudgetStage.PLAN))
    budget = money.totals(income, expenses)
    limit = money.category_eligible_amount(application.category, budget.eligible_expenses)

    html = page()

    def output(name):
        return re.findall(rf'<span data-total="{name}">([^<]*)</span>', html)

    assert output("income") == [f"{budget.income:,}"]
    assert output("expenses") == [f"{budget.expenses:,}"]
    assert output("eligible") == [f"{budget.eligible_expenses:,}"] * 2
    assert output("limit") == [f"{limit:,}"]
    assert output("requested") == [f"{application.requested_amount:,}"]
    assert output("this_subsidy") == [f"{budget.this_subsidy:,}"]
    # Balanced: the "balanced" text shows, the warning is hidden.
    assert re.search(r'<span data-show-if="difference == 0">0円（一致）</span>', html)
    assert re.search(r'<strong data-show-if="difference != 0" hidden>', html)

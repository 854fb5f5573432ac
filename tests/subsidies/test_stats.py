import pytest

from subsidies.models import Application
from subsidies.stats import figures
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

S = Application.Status


def test_figures_of_a_fiscal_year_in_one_query(organization, member, django_assert_num_queries):
    programme = sf.make_programme()
    earlier = sf.make_programme(fiscal_year=2025)

    def make(status, programme=programme, **extra):
        sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=status,
            budget=False,
            attachments=False,
            **extra,
        )

    make(S.DRAFT)
    make(S.SUBMITTED)
    make(S.WITHDRAWN)
    make(S.REJECTED)
    make(S.GRANTED, decided_amount=100_000)
    make(S.CLOSED, decided_amount=80_000, confirmed_amount=70_000)
    make(S.CLOSED, programme=earlier, decided_amount=50_000, confirmed_amount=50_000)
    # 取消 (after 額の確定) and 中止・廃止: not adopted, not in the amounts; their own lines.
    make(S.CANCELLED, decided_amount=90_000, confirmed_amount=90_000, kept_amount=90_000)
    make(S.STOPPED, decided_amount=40_000, kept_amount=0)

    with django_assert_num_queries(1):
        values = {figure.key: figure.value for figure in figures(2026)}
    assert values == {
        "subsidies.applications": 7,
        "subsidies.adopted": 2,
        "subsidies.decided_yen": 180_000,
        "subsidies.confirmed_yen": 70_000,
        "subsidies.cancelled": 1,
        "subsidies.stopped": 1,
    }


def test_figures_of_an_empty_year_are_zero(db):
    assert {figure.value for figure in figures(2030)} == {0}

"""`seed_demo`'s subsidy data: every state reached through the services (numbers, history),
nothing created twice, and the volume data."""

import io

import pytest
from django.core.management import call_command

from subsidies import demo
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    Consultation,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Payment,
    Programme,
    ResultsMeeting,
    ReviewAssignment,
    Score,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
MODELS = [
    Programme,
    IntakeWindow,
    Application,
    ApplicationStatusChange,
    Attachment,
    Consultation,
    ExpenseLine,
    IncomeLine,
    Payment,
    ReviewAssignment,
    Score,
    ResultsMeeting,
]


@pytest.fixture(autouse=True)
def _no_demo_passwords(monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_USER_PASSWORD", raising=False)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_seeds_every_state_through_the_services_and_changes_nothing_the_second_time():
    seed()
    first = counts()
    seed()
    assert counts() == first

    statuses = set(Application.objects.values_list("status", flat=True))
    assert {d.status for d in demo.APPLICATIONS} <= statuses
    assert {S.DRAFT, S.SUBMITTED, S.RETURNED, S.UNDER_REVIEW, S.ADOPTED, S.GRANTED} <= statuses
    assert {S.REPORTED, S.CONFIRMED, S.PAID, S.REJECTED} <= statuses
    # Receipt numbers from the counter, and a history row for every step taken.
    paid = Application.objects.get(status=S.PAID)
    assert paid.number.startswith("HS-2026-")
    assert list(paid.status_changes.order_by("pk").values_list("new_status", flat=True)) == [
        S.DRAFT,
        S.SUBMITTED,
        S.ACCEPTED,
        S.UNDER_REVIEW,
        S.ADOPTED,
        S.GRANTED,
        S.REPORTED,
        S.CONFIRMED,
        S.PAID,
    ]
    assert Payment.objects.get(application=paid).amount == paid.confirmed_amount
    # 額の確定 below the decided amount when the actual expenses were lower.
    confirmed = Application.objects.get(status=S.CONFIRMED)
    assert confirmed.confirmed_amount < confirmed.decided_amount
    # Under review: two reviewers scored every criterion.
    reviewed = Application.objects.get(status=S.UNDER_REVIEW)
    criteria = reviewed.programme.criteria.count()
    assert Score.objects.filter(assignment__application=reviewed).count() == 2 * criteria


def test_this_years_programmes_one_window_open_now():
    seed()
    assert set(Programme.objects.filter(fiscal_year=2026).values_list("track", flat=True)) == set(
        Programme.Track.values
    )
    open_now = IntakeWindow.objects.open().filter(programme__fiscal_year=2026)
    assert open_now.exists()
    for programme in Programme.objects.filter(fiscal_year=2026):
        assert programme.categories.exists() and programme.criteria.exists()
        assert programme.required_attachment_types.exists()
    assert ResultsMeeting.objects.get(fiscal_year=2026).is_published


def test_demo_pages_answer(client):
    seed()
    for path in ["/", "/subsidies/", "/subsidies/adopted/", "/subsidies/meetings/2026/"]:
        assert client.get(path).status_code == 200, path
    programme = Programme.objects.get(fiscal_year=2026, track=Programme.Track.CITIZEN)
    assert client.get(f"/subsidies/programmes/{programme.pk}/").status_code == 200
    html = client.get("/subsidies/adopted/").content.decode()
    assert "空き店舗を使ったまちなかサロン" in html


def test_volume_creates_applications_with_budgets_and_scores_once():
    seed()
    out = io.StringIO()
    demo.seed_volume(count=40, stdout=out)
    volume = Application.objects.filter(number__startswith=demo.VOLUME_PREFIX)
    assert volume.count() == 40
    assert ExpenseLine.objects.filter(application__in=volume).count() == 3 * 40
    assert IncomeLine.objects.filter(application__in=volume).count() == 2 * 40
    assert Score.objects.filter(assignment__application__in=volume).exists()
    # The plan budgets balance and the request matches the 本補助金 line.
    for application in volume[:5]:
        expenses = sum(application.expense_lines.values_list("amount", flat=True))
        income = sum(application.income_lines.values_list("amount", flat=True))
        assert expenses == income
    # This year's demo programmes are left alone.
    assert not volume.filter(programme__fiscal_year=2026).exists()
    # Every year has adopted projects for the public list; the states are mixed.
    for year in set(volume.values_list("programme__fiscal_year", flat=True)):
        assert volume.filter(programme__fiscal_year=year).adopted().exists(), year
    assert volume.filter(status=Application.Status.REJECTED).exists()
    assert volume.filter(status=Application.Status.WITHDRAWN).exists()
    before = counts()
    demo.seed_volume(count=40, stdout=out)
    assert counts() == before
    assert "already there" in out.getvalue()

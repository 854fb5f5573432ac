"""Bad input that once gave a server error: ids beyond the database's integer range in
multiple-choice fields, an empty POST body, digits that Python reads but int() does not, and a
year typed into a staff URL. Each now gets a form error, a 404 or a sensible default."""

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Organization
from partners.models import Registration, Signup
from subsidies.models import Application
from tests import factories
from tests.partners.test_opportunities import make_opportunity
from tests.partners.test_views import form_data as pika_form_data

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.fixture
def frozen():
    import time_machine

    from tests.subsidies.factories import NOW

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(frozen, organization, member):
    from tests.subsidies import factories as sf

    return sf.make_application(
        programme=sf.make_programme(), organization=organization, applicant=member
    )


def test_a_huge_id_among_the_partner_organisations_is_a_form_error(client, member, draft):
    client.force_login(member)
    url = reverse("subsidies:application_edit", args=[draft.pk])

    response = client.post(
        url,
        {
            "title": "港のまち花いっぱい運動",
            "partner_organizations": [HUGE],
            "income-TOTAL_FORMS": "0",
            "income-INITIAL_FORMS": "0",
            "expense-TOTAL_FORMS": "0",
            "expense-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "partner_organizations" in response.context["form"].errors
    assert Application.objects.get(pk=draft.pk).partner_organizations.count() == 0


def test_an_empty_post_to_the_plan_is_the_page_again_not_an_error(member, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("subsidies:application_edit", args=[draft.pk])
    client.get(url)
    token = client.cookies["csrftoken"].value

    response = client.post(url, {}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
    assert Application.objects.get(pk=draft.pk).title == draft.title


def test_a_huge_activity_id_on_the_partner_registration_is_a_form_error(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("partners:register", args=["pika"]), pika_form_data(activity_kinds=[HUGE])
    )

    assert response.status_code == 200
    assert "activity_kinds" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_a_huge_field_id_on_the_organisation_form_is_a_form_error(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("organizations:register"), factories.organization_form_data(fields=[HUGE])
    )

    assert response.status_code == 200
    assert "fields" in response.context["form"].errors
    assert not Organization.objects.filter(name="室蘭港を愛する会").exists()


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-1", "1e3"])
def test_a_sign_up_for_a_registration_id_that_cannot_be_one_is_404(client, resident, value):
    factories.make_registration(programme="magokoro", user=resident, status="registered")
    shift = make_opportunity(slots=2).shifts.get()
    client.force_login(resident)

    response = client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]), {"registration": value}
    )

    assert response.status_code == 404
    assert not Signup.objects.exists()


@pytest.mark.parametrize("year", ["-1", "0", "10000", HUGE])
def test_the_honorarium_page_shows_this_year_for_a_year_that_cannot_be(staff_client, year):
    url = reverse("admin:partners_signup_honorarium")

    page = staff_client.get(url, {"year": year})
    csv = staff_client.get(url, {"year": year, "format": "csv"})

    assert page.status_code == csv.status_code == 200
    from muroran_kyodo.lib.jp import current_fiscal_year

    assert page.context["year"] == current_fiscal_year()


# --- reasons typed beside a status button ------------------------------------------------------

NUL_REASON = "理由\x00"


def test_a_reason_with_a_nul_byte_is_refused_when_withdrawing_an_application(client, member, draft):
    client.force_login(member)

    response = client.post(
        reverse("subsidies:application_withdraw", args=[draft.pk]), {"reason": NUL_REASON}
    )

    assert response.status_code == 200
    assert Application.objects.get(pk=draft.pk).status == Application.Status.DRAFT
    assert ">理由</textarea>" in response.content.decode()  # what was typed is kept


def test_a_reason_with_a_nul_byte_is_refused_on_a_registration(client, resident):
    registration = factories.make_registration(user=resident)
    client.force_login(resident)

    client.post(
        reverse("partners:registration_status", args=[registration.pk]),
        {"action": "withdraw", "reason": NUL_REASON},
    )

    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.APPLIED


def test_a_reason_with_a_nul_byte_is_refused_when_cancelling_a_request(client, resident):
    import datetime as dt

    from django.utils import timezone

    from partners import services as rq
    from partners.models import PickupRequest, RequestStatus

    registration = factories.make_registration(user=resident, status="registered")
    pickup = rq.request_create(
        request=PickupRequest(
            registration=registration,
            district=registration.district,
            location="公園の入口",
            burnable_bags=2,
            non_burnable_bags=0,
            available_from=timezone.now() + dt.timedelta(hours=1),
        ),
        by=resident,
    )
    client.force_login(resident)

    client.post(
        reverse("partners:request_cancel", args=[registration.pk, "pickup", pickup.pk]),
        {"reason": NUL_REASON},
    )

    assert PickupRequest.objects.get(pk=pickup.pk).status == RequestStatus.REQUESTED


# --- the admin's adopt action --------------------------------------------------------------------


@pytest.fixture
def under_review(draft):
    Application.objects.filter(pk=draft.pk).update(
        status=Application.Status.UNDER_REVIEW, number="HS-2026-00001", requested_amount=100_000
    )
    return Application.objects.get(pk=draft.pk)


def _adopt(staff_client, application, amount):
    return staff_client.post(
        reverse("admin:subsidies_application_changelist"),
        {
            "action": "adopt",
            "_selected_action": [application.pk],
            "index": "0",
            "amount": amount,
            "reason": "報告会で発表すること",
        },
        follow=True,
    )


@pytest.mark.parametrize("amount", ["５０,０００円", "¥50,000", "50000.0"])
def test_adopt_takes_the_amount_as_people_type_it(staff_client, under_review, amount):
    _adopt(staff_client, under_review, amount)

    adopted = Application.objects.get(pk=under_review.pk)
    assert (adopted.status, adopted.decided_amount) == (Application.Status.ADOPTED, 50_000)


@pytest.mark.parametrize("amount", ["1.5", "-5", "abc"])
def test_adopt_with_an_amount_that_is_not_one_says_so_and_changes_nothing(
    staff_client, under_review, amount
):
    response = _adopt(staff_client, under_review, amount)

    assert Application.objects.get(pk=under_review.pk).status == Application.Status.UNDER_REVIEW
    messages = [str(m) for m in response.context["messages"]]
    assert any("Amount decided" in m or "交付決定" in m or "金額" in m for m in messages), messages


@pytest.mark.parametrize(
    "url",
    [
        "admin:partners_activityreport_changelist",
        "admin:partners_registration_changelist",
        "admin:subsidies_application_changelist",
    ],
)
@pytest.mark.parametrize("year", ["99999999", "-1", HUGE, "abc"])
def test_a_fiscal_year_typed_into_an_admin_list_url_that_is_not_offered_is_ignored(
    staff_client, url, year
):
    response = staff_client.get(reverse(url), {"fiscal_year": year})

    assert response.status_code == 200

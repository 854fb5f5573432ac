"""Staff powers on the public pages need the second factor, as the admin does: a staff account
signed in with its password alone is an ordinary resident there — another group's documents,
applications and partner registrations are 404 to it, and it cannot act for a group."""

import pytest
from django.urls import reverse

from partners.models import Registration
from subsidies.models import Application
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    import time_machine

    from tests.subsidies.factories import NOW

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def submitted(organization, member):
    programme = sf.make_programme()
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member
    )
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED, number="HS-2026-00001"
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def document(submitted):
    """One of the documents the complete application carries (private to the group)."""
    return submitted.attachments.first()


@pytest.fixture
def registration(resident):
    return factories.make_registration(user=resident, contact_phone="0143-22-1111")


def pages(submitted, document, registration):
    return [
        reverse("subsidies:application_detail", args=[submitted.pk]),
        reverse("subsidies:attachment", args=[document.pk]),
        reverse("partners:registration_detail", args=[registration.pk]),
    ]


def test_staff_without_the_second_factor_are_residents_on_the_public_pages(
    client, staff, submitted, document, registration
):
    client.force_login(staff)  # password only

    for url in pages(submitted, document, registration):
        assert client.get(url).status_code == 404, url

    response = client.post(
        reverse("subsidies:application_withdraw", args=[submitted.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED
    response = client.post(
        reverse("partners:registration_status", args=[registration.pk]), {"action": "approve"}
    )
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.APPLIED


def test_staff_with_the_second_factor_have_their_powers(
    client, staff, submitted, document, registration
):
    factories.with_second_factor(client, staff)

    for url in pages(submitted, document, registration):
        assert client.get(url).status_code == 200, url

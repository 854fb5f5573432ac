"""`manage.py send_staff_digest`: each staff member is mailed the lines of the work queue
(`registry.STAFF_QUEUE`) that have something waiting, with absolute links, as their
permissions and department allow; nothing when nothing waits; once a day however often cron
runs it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils.translation import gettext, override

from organizations.models import Organization
from subsidies.models import Application
from tests import factories
from tests.subsidies.factories import JST, make_application, make_programme

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 7, 1, 7, 30, tzinfo=JST)
SITE = "https://kyodo.example.jp"


@pytest.fixture(autouse=True)
def _frozen_site(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(NOW, tick=False):
        yield


def _ja(msgid: str) -> str:
    with override("ja"):
        return gettext(msgid)


def _clerk(*groups, email=None, superuser=False):
    user = factories.make_user(email, staff=True, superuser=superuser)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def waiting(organization, member):
    """Two registrations to approve, an organisation to verify, one application to receive."""
    factories.make_registration(user=factories.make_user(), status="applied")
    factories.make_registration(user=factories.make_user(), status="applied")
    factories.make_organization(name="港の清掃の会", status=Organization.Status.PENDING)
    make_application(
        programme=make_programme(),
        organization=organization,
        applicant=member,
        status=Application.Status.SUBMITTED,
    )


def _digest(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_staff_digest", stdout=open("/dev/null", "w"))


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_clerk_gets_what_waits_with_counts_and_links(
    waiting, staff, django_capture_on_commit_callbacks
):
    _digest(django_capture_on_commit_callbacks)

    (message,) = _to(staff.email)
    assert message.subject.endswith("7/1 (水)の対応待ち：4件")
    body = message.body
    assert f"■ {_ja('Partner programmes')}" in body
    assert f"・{_ja('Registrations to approve')}: 2" in body
    assert f"{SITE}/admin/partners/registration/?status__exact=applied" in body
    assert f"・{_ja('Applications to receive')}: 1" in body
    assert f"{SITE}/admin/subsidies/application/?status__exact=submitted" in body
    assert f"・{_ja('Organisations awaiting verification')}: 1" in body
    # Lines with nothing waiting are left out.
    assert _ja("Completion reports to check") not in body
    assert _ja("Change requests awaiting an answer") not in body
    assert _ja("Equipment loans overdue") not in body
    assert f"{SITE}/admin/" in body


def test_each_clerk_sees_only_their_departments_lines(
    waiting, staff, django_capture_on_commit_callbacks
):
    from organizations.models import District
    from partners.models import PickupRequest, Registration

    partner = Registration.objects.filter(status="applied").first()
    PickupRequest.objects.create(
        registration=partner,
        district=District.objects.get(name="輪西町"),
        location="みなと公園の入口",
        burnable_bags=1,
        available_from=NOW,
    )
    civil = _clerk("土木課", email="doboku@city.muroran.example.jp")
    _clerk(email="nobody@city.muroran.example.jp")  # staff without a department

    _digest(django_capture_on_commit_callbacks)

    (civil_mail,) = _to(civil.email)
    pickups = _ja("Rubbish pickups to route (土木課)")
    assert f"・{pickups}: 1" in civil_mail.body
    assert _ja("Registrations to approve") not in civil_mail.body
    assert _ja("Applications to receive") not in civil_mail.body
    assert pickups not in _to(staff.email)[0].body
    assert _to("nobody@city.muroran.example.jp") == []


def test_nothing_waits_nothing_is_sent(staff, django_capture_on_commit_callbacks):
    _digest(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_residents_and_inactive_staff_get_no_digest(
    waiting, resident, django_capture_on_commit_callbacks
):
    gone = _clerk("地域生活課", email="gone@city.muroran.example.jp")
    gone.is_active = False
    gone.save()
    _digest(django_capture_on_commit_callbacks)
    assert _to(resident.email) == [] and _to(gone.email) == []


def test_a_second_run_the_same_day_sends_nothing_the_next_day_sends_again(
    waiting, staff, django_capture_on_commit_callbacks
):
    _digest(django_capture_on_commit_callbacks)
    _digest(django_capture_on_commit_callbacks)
    assert len(_to(staff.email)) == 1

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        _digest(django_capture_on_commit_callbacks)
    assert len(_to(staff.email)) == 2

"""Rate limits of the partner programmes (settings.RATE_LIMITS, muroran_kyodo/lib/ratelimit.py):
over the limit the form comes back with `LIMITED` and everything typed (a button: the message on
the page it leads back to), nothing is saved and nobody is e-mailed; another account is not
affected."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import override

from muroran_kyodo.lib import ratelimit
from organizations.models import District
from partners import services
from partners.models import (
    ActivityReport,
    PickupRequest,
    Registration,
    RegistrationStatusChange,
    Signup,
)
from tests import factories
from tests.partners.test_opportunities import make_opportunity
from tests.partners.test_views import form_data, register_url, status_url

pytestmark = pytest.mark.django_db

S = Registration.Status


def limited() -> str:
    with override("ja"):
        return escape(str(ratelimit.LIMITED))


def _limits(settings, action, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: rates}


def _submit(client, url, data):
    return client.post(url, {**data, "_submit": "1"})


# --- registration --------------------------------------------------------------------------------


def test_registrations_over_the_limit_come_back_with_what_was_typed(
    client, resident, member, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "partners.register", user="1/h")
    client.force_login(resident)
    assert _submit(client, register_url("pika"), form_data()).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, register_url("magokoro"), form_data(skills="受付の経験あり"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert limited() in html
    assert "受付の経験あり" in html
    assert Registration.objects.count() == 1
    assert mail.outbox == []
    client.force_login(member)
    data = form_data(contact_email="member@example.jp", skills="受付")
    assert _submit(client, register_url("magokoro"), data).status_code == 302
    assert Registration.objects.count() == 2


def test_changes_over_the_limit_come_back_with_what_was_typed(client, resident, member, settings):
    _limits(settings, "partners.edit", user="1/h")
    applied = factories.make_registration(user=resident, places=[factories.make_place()])
    edit = reverse("partners:registration_edit", args=[applied.pk])
    client.force_login(resident)
    assert _submit(client, edit, form_data(frequency="weekly")).status_code == 302

    response = _submit(client, edit, form_data(contact_phone="0143-99-9999"))

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert 'value="0143-99-9999"' in html
    applied.refresh_from_db()
    assert applied.contact_phone != "0143-99-9999"
    other = factories.make_registration(user=member, places=[factories.make_place()])
    client.force_login(member)
    other_edit = reverse("partners:registration_edit", args=[other.pk])
    data = form_data(contact_email="member@example.jp")
    assert _submit(client, other_edit, data).status_code == 302


def test_status_changes_over_the_limit_are_refused_with_a_message(
    client, resident, member, staff, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "partners.status", user="1/h")
    registration = factories.make_registration(user=resident, status="registered")
    client.force_login(resident)
    client.post(status_url(registration), {"action": "suspend"})
    registration.refresh_from_db()
    assert registration.status == S.SUSPENDED
    changes = RegistrationStatusChange.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(registration), {"action": "resume"}, follow=True)

    assert limited() in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == S.SUSPENDED
    assert RegistrationStatusChange.objects.count() == changes
    assert mail.outbox == []
    other = factories.make_registration(user=member, status="registered")
    client.force_login(member)
    client.post(status_url(other), {"action": "suspend"})
    other.refresh_from_db()
    assert other.status == S.SUSPENDED


# --- reports and requests ----------------------------------------------------------------------


def _report_data(place, **overrides):
    return {
        "activity_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "place": str(place.pk),
        "place_other": "",
        "participants": "4",
        "burnable_bags": "3",
        "non_burnable_bags": "1",
        "notes": "",
        **overrides,
    }


def test_reports_over_the_limit_come_back_with_what_was_typed(
    client, resident, member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _limits(settings, "partners.report", user="1/h")
    place = factories.make_place()
    registration = factories.make_registration(user=resident, places=[place], status="registered")
    url = reverse("partners:report_create", args=[registration.pk])
    client.force_login(resident)
    assert client.post(url, _report_data(place)).status_code == 302

    response = client.post(url, _report_data(place, notes="二回目の清掃です。"))

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert "二回目の清掃です。" in html
    assert ActivityReport.objects.count() == 1
    other_place = factories.make_place()
    other = factories.make_registration(user=member, places=[other_place], status="registered")
    client.force_login(member)
    other_url = reverse("partners:report_create", args=[other.pk])
    assert client.post(other_url, _report_data(other_place)).status_code == 302


def _pickup_data(**overrides):
    return {
        "district": District.objects.get(name="輪西町").pk,
        "location": "みなと公園の入口",
        "burnable_bags": "2",
        "non_burnable_bags": "",
        "available_from": "2026-12-01T09:00",
        "notes": "",
        **overrides,
    }


def test_requests_over_the_limit_come_back_with_what_was_typed(client, resident, member, settings):
    _limits(settings, "partners.request", user="1/h")
    registration = factories.make_registration(user=resident, status="registered")
    url = reverse("partners:pickup_new", args=[registration.pk])
    client.force_login(resident)
    assert client.post(url, _pickup_data()).status_code == 302

    response = client.post(url, _pickup_data(location="白鳥台公園の駐車場"))

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert 'value="白鳥台公園の駐車場"' in html
    assert PickupRequest.objects.count() == 1
    other = factories.make_registration(user=member, status="registered")
    client.force_login(member)
    other_url = reverse("partners:pickup_new", args=[other.pk])
    assert client.post(other_url, _pickup_data()).status_code == 302
    assert PickupRequest.objects.count() == 2


# --- sign-ups --------------------------------------------------------------------------------------


def _signup(client, shift):
    return client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]), follow=True
    ).content.decode()


def test_sign_ups_over_the_limit_are_refused_with_a_message(
    client, resident, member, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "partners.signup", user="1/h")
    factories.make_registration(programme="magokoro", user=resident, status="registered")
    first, second = make_opportunity(slots=2, shifts=2).shifts.order_by("starts_at")
    client.force_login(resident)
    _signup(client, first)

    with django_capture_on_commit_callbacks(execute=True):
        html = _signup(client, second)

    assert limited() in html
    assert list(Signup.objects.values_list("shift", flat=True)) == [first.pk]
    assert mail.outbox == []
    factories.make_registration(programme="magokoro", user=member, status="registered")
    client.force_login(member)
    _signup(client, second)
    assert Signup.objects.filter(shift=second).count() == 1


def test_cancellations_over_the_limit_are_refused_with_a_message(
    client, resident, member, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "partners.signup_cancel", user="1/h")
    mine = factories.make_registration(programme="magokoro", user=resident, status="registered")
    theirs = factories.make_registration(programme="magokoro", user=member, status="registered")
    first, second = make_opportunity(slots=2, shifts=2).shifts.order_by("starts_at")
    signups = [
        services.signup_create(shift=shift, registration=registration, by=registration.user)
        for registration in (mine, theirs)
        for shift in (first, second)
    ]

    def cancel(signup):
        url = reverse("partners:opportunity_signup_cancel", args=[signup.pk])
        return client.post(url, follow=True).content.decode()

    client.force_login(resident)
    cancel(signups[0])
    with django_capture_on_commit_callbacks(execute=True):
        html = cancel(signups[1])

    assert limited() in html
    statuses = dict(Signup.objects.values_list("pk", "status"))
    assert statuses[signups[0].pk] == Signup.Status.CANCELLED
    assert statuses[signups[1].pk] == Signup.Status.CONFIRMED
    assert mail.outbox == []
    client.force_login(member)
    cancel(signups[2])
    assert Signup.objects.get(pk=signups[2].pk).status == Signup.Status.CANCELLED


def test_staff_cancelling_or_deciding_for_the_city_are_not_counted(
    client, resident, staff, settings
):
    _limits(settings, "partners.signup_cancel", user="0/h")
    _limits(settings, "partners.status", user="0/h")
    registration = factories.make_registration(
        programme="magokoro", user=resident, status="registered"
    )
    shift = make_opportunity(slots=2).shifts.get()
    signup = services.signup_create(shift=shift, registration=registration, by=resident)
    factories.sign_in(client, staff)

    client.post(reverse("partners:opportunity_signup_cancel", args=[signup.pk]))
    client.post(status_url(registration), {"action": "suspend"})

    assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CANCELLED
    registration.refresh_from_db()
    assert registration.status == S.SUSPENDED

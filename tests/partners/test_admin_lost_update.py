"""An admin edit never undoes a state change made while the edit was being saved: the change
form writes only the fields it changed, never the status (ServiceSaveMixin). Each test commits a
named transition between the moment the admin loaded the record and the moment it saves it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from organizations.models import District
from partners import services
from partners.admin.registrations import RegistrationAdmin
from partners.admin.requests import PickupRequestAdmin
from partners.models import PickupRequest, Registration, RequestStatus
from tests import factories
from tests.partners.test_admin import _paper_data

pytestmark = pytest.mark.django_db


def _in_between(monkeypatch, admin_class, transition):
    """Run `transition()` after the admin built the edited object from the form, before it saves
    it: what happens when someone else's transition commits while the form is being saved."""
    save_form = admin_class.save_form

    def save_form_then_transition(self, request, form, change):
        obj = save_form(self, request, form, change)
        transition()
        return obj

    monkeypatch.setattr(admin_class, "save_form", save_form_then_transition)


def test_a_registration_approved_while_its_edit_is_saved_stays_approved(
    staff_client, staff, resident, monkeypatch
):
    registration = factories.make_registration(user=resident)
    place = factories.make_place()
    registration.places.set([place])
    data = _paper_data(contact_phone="0143-22-9999", places=[place.pk])
    data.pop("programme")
    data.pop("channel")
    _in_between(
        monkeypatch,
        RegistrationAdmin,
        lambda: services.registration_approve(
            registration=Registration.objects.get(pk=registration.pk), by=staff
        ),
    )

    response = staff_client.post(
        reverse("admin:partners_registration_change", args=[registration.pk]), data
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Registration.objects.get(pk=registration.pk)
    assert stored.status == Registration.Status.REGISTERED  # the approval is not undone
    assert stored.registered_on == timezone.localdate()
    assert stored.contact_phone == "0143-22-9999"  # and the edit is saved
    assert [c.new_status for c in stored.status_changes.order_by("pk")] == [
        Registration.Status.APPLIED,
        Registration.Status.REGISTERED,
    ]


def test_a_pickup_collected_while_its_edit_is_saved_stays_collected(client, resident, monkeypatch):
    civil = factories.make_user(staff=True)
    civil.groups.add(Group.objects.get(name="土木課"))
    client = factories.with_second_factor(client, civil)
    partner = factories.make_registration(user=resident, status="registered")
    available_from = timezone.localtime(timezone.now() + dt.timedelta(hours=2))
    pickup = services.request_create(
        request=PickupRequest(
            registration=partner,
            district=District.objects.get(name="輪西町"),
            location="輪西町 みなと公園の入口",
            burnable_bags=3,
            non_burnable_bags=1,
            available_from=available_from,
        ),
        by=resident,
    )
    _in_between(
        monkeypatch,
        PickupRequestAdmin,
        lambda: services.request_mark_done(
            request=PickupRequest.objects.get(pk=pickup.pk), by=civil, reason="回収済み"
        ),
    )

    response = client.post(
        reverse("admin:partners_pickuprequest_change", args=[pickup.pk]),
        {
            "district": pickup.district_id,
            "location": "輪西町 みなと公園の東口",
            "burnable_bags": "3",
            "non_burnable_bags": "1",
            "available_from_0": available_from.strftime("%Y-%m-%d"),
            "available_from_1": available_from.strftime("%H:%M:%S"),
            "notes": "",
            "staff_note": "東口に変更",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = PickupRequest.objects.get(pk=pickup.pk)
    assert (stored.status, stored.handled_by) == (RequestStatus.DONE, civil)
    assert (stored.location, stored.staff_note) == ("輪西町 みなと公園の東口", "東口に変更")
    assert list(stored.status_changes.values_list("new_status", "reason")) == [
        (RequestStatus.DONE, "回収済み")
    ]


def test_a_sign_up_cancelled_while_attendance_is_saved_stays_cancelled_without_attendance(
    staff_client, staff, monkeypatch
):
    from partners.admin.opportunities import SignupAdmin
    from partners.models import Signup
    from tests.partners.test_opportunities import make_opportunity, partner

    shift = make_opportunity().shifts.get()
    registration = partner()
    signup = services.signup_create(shift=shift, registration=registration, by=registration.user)
    _in_between(
        monkeypatch,
        SignupAdmin,
        lambda: services.signup_cancel(signup=Signup.objects.get(pk=signup.pk), by=staff),
    )

    response = staff_client.post(
        reverse("admin:partners_signup_change", args=[signup.pk]),
        {"attended": "true", "hours": "2.5"},
        follow=True,
    )

    assert response.status_code == 200
    stored = Signup.objects.get(pk=signup.pk)
    assert (stored.status, stored.attended, stored.hours) == (Signup.Status.CANCELLED, None, None)
    assert "error" in [m.level_tag for m in response.context["messages"]]

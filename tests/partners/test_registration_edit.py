"""A partner changes a registration the city has not accepted yet (申請中) or has returned for
changes (差戻し): the same form, prefilled, 入力 → 確認 → 送信; a returned registration goes back
to 申請中 with the changes, the history and an e-mail. Refusals: other people, accepted or
withdrawn registrations, a change that collides with another registration."""

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import District
from partners import services
from partners.models import ActivityPlace, Registration
from tests import factories
from tests.partners.test_views import _ja, form_data

pytestmark = pytest.mark.django_db

S = Registration.Status


def edit_url(registration):
    return reverse("partners:registration_edit", args=[registration.pk])


@pytest.fixture
def place():
    return factories.make_place(description="輪西町 みなと公園", kind="park")


@pytest.fixture
def applied(resident, place):
    return factories.make_registration(
        user=resident, places=[place], contact_phone="0143-22-1111", frequency="monthly"
    )


@pytest.fixture
def returned(applied, staff):
    return services.registration_return(registration=applied, by=staff, reason="場所を詳しく")


def edit_data(registration, **overrides):
    """What the prefilled form holds for `registration`, with `overrides` typed over it."""
    data = form_data(
        contact_name=registration.contact_name,
        contact_kana=registration.contact_kana,
        contact_email=registration.contact_email,
        place1_description="輪西町 みなと公園",
    )
    data.update(overrides)
    return data


def post_through_confirmation(client, registration, data):
    confirm = client.post(edit_url(registration), data)
    assert confirm.status_code == 200
    assert confirm.context["step"] == "confirm", confirm.context["form"].errors
    assert _ja("Submit the changes") in confirm.content.decode()
    return client.post(edit_url(registration), {**data, "_submit": "1"})


def test_the_form_is_prefilled_with_the_registration(client, resident, applied, place):
    client.force_login(resident)
    response = client.get(edit_url(applied))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() == "individual"
    assert form["contact_phone"].value() == "0143-22-1111"
    assert form["frequency"].value() == "monthly"
    assert form["place1_district"].value() == place.district_id
    assert form["place1_kind"].value() == "park"
    assert form["place1_description"].value() == "輪西町 みなと公園"
    assert not form["place2_description"].value()
    assert "0143-22-1111" in response.content.decode()


def test_a_returned_registration_is_changed_and_submitted_again(
    client, resident, returned, place, staff, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    page = client.get(returned.get_absolute_url()).content.decode()
    assert edit_url(returned) in page
    assert _ja("Change and submit again") in page
    assert "場所を詳しく" in page  # the city's reason, shown on top
    mail.outbox.clear()

    data = edit_data(
        returned,
        contact_phone="090-1234-5678",
        place1_description="輪西町 みなと公園とその周辺の歩道（北側）",
        place2_district=District.objects.get(name="中島町").pk,
        place2_kind="road",
        place2_description="中島町 本通りの歩道",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_through_confirmation(client, returned, data)

    assert response.status_code == 302
    assert response["Location"] == returned.get_absolute_url()
    returned.refresh_from_db()
    assert returned.status == S.APPLIED
    assert returned.contact_phone == "090-1234-5678"
    assert sorted(p.description for p in returned.places.all()) == [
        "中島町 本通りの歩道",
        "輪西町 みなと公園とその周辺の歩道（北側）",
    ]
    # The old place stays in the register of places; it is only no longer this partner's.
    assert ActivityPlace.objects.filter(pk=place.pk).exists()
    change = returned.status_changes.first()
    assert (change.old_status, change.new_status, change.by) == (S.RETURNED, S.APPLIED, resident)
    assert change.reason == "変更して再提出"
    assert [m.to for m in mail.outbox] == [[resident.email]]
    follow = client.get(response["Location"]).content.decode()
    assert _ja("Your changes are saved. The city will check the registration again.") in follow


def test_an_unchanged_place_keeps_its_row_in_the_register(client, resident, applied, place):
    place.latitude, place.longitude = 42.35, 140.97  # staff put it on the map
    place.save()
    client.force_login(resident)

    post_through_confirmation(client, applied, edit_data(applied, frequency="weekly"))

    applied.refresh_from_db()
    assert applied.status == S.APPLIED  # still waiting for the city: no status change
    assert applied.frequency == "weekly"
    assert list(applied.places.all()) == [place]
    assert applied.status_changes.count() == 1  # only the original 申請中


def test_places_that_staff_added_beyond_the_form_rows_are_kept(client, resident, applied, place):
    extra = [factories.make_place(description=f"輪西町 歩道{n}") for n in range(3)]
    applied.places.add(*extra)
    client.force_login(resident)
    shown = list(applied.places.all())[:3]
    data = edit_data(applied)
    for n, row in enumerate(shown, 1):
        data[f"place{n}_district"] = row.district_id
        data[f"place{n}_kind"] = row.kind
        data[f"place{n}_description"] = row.description

    post_through_confirmation(client, applied, data)

    assert applied.places.count() == 4


def test_bad_input_shows_errors_keeps_the_input_and_changes_nothing(client, resident, returned):
    client.force_login(resident)

    response = client.post(
        edit_url(returned),
        {
            **edit_data(returned, contact_phone="090-1234-5678", place1_description=""),
            "_submit": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["place1_description"]
    assert 'value="090-1234-5678"' in response.content.decode()
    returned.refresh_from_db()
    assert returned.status == S.RETURNED
    assert returned.contact_phone == "0143-22-1111"


@pytest.mark.parametrize("status", [S.REGISTERED, S.SUSPENDED, S.WITHDRAWN])
def test_a_registration_the_city_has_accepted_cannot_be_changed_here(client, resident, status):
    registration = factories.make_registration(user=resident, status=status)
    client.force_login(resident)

    page = client.get(registration.get_absolute_url()).content.decode()
    assert edit_url(registration) not in page
    response = client.get(edit_url(registration))
    assert response.status_code == 302
    assert response["Location"] == registration.get_absolute_url()
    response = client.post(edit_url(registration), {**edit_data(registration), "_submit": "1"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.contact_phone == ""


def test_accepted_between_the_form_and_the_submit_is_refused(client, resident, applied, staff):
    client.force_login(resident)
    data = edit_data(applied, contact_phone="090-1234-5678")
    assert client.post(edit_url(applied), data).context["step"] == "confirm"
    services.registration_approve(registration=applied, by=staff)

    response = client.post(edit_url(applied), {**data, "_submit": "1"}, follow=True)

    applied.refresh_from_db()
    assert applied.status == S.REGISTERED
    assert applied.contact_phone == "0143-22-1111"
    assert _ja("Registered") in response.content.decode()


def test_someone_else_gets_404_and_changes_nothing(client, member, returned):
    client.force_login(member)

    assert client.get(edit_url(returned)).status_code == 404
    response = client.post(edit_url(returned), {**edit_data(returned), "_submit": "1"})

    assert response.status_code == 404
    returned.refresh_from_db()
    assert returned.status == S.RETURNED


def test_anonymous_is_sent_to_sign_in(client, returned):
    response = client.get(edit_url(returned))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_staff_see_the_registration_but_change_it_in_the_admin(client, staff, returned):
    factories.with_second_factor(client, staff)
    assert client.get(returned.get_absolute_url()).status_code == 200
    assert client.get(edit_url(returned)).status_code == 403


def test_a_change_that_collides_with_another_registration_is_refused(
    client, representative, organization, staff
):
    """The representative registered for the organisation and, separately, as a group; the
    group registration is returned and changed to 'for the organisation' too: the database
    refuses the second live registration of the organisation, the form says so."""
    factories.make_registration(user=representative, organization=organization)
    group = factories.make_registration(
        user=representative, kind="group", group_name="みなと家族", member_count=3
    )
    services.registration_return(registration=group, by=staff, reason="確認")
    client.force_login(representative)
    data = edit_data(
        group,
        kind="organization",
        organization=organization.pk,
        member_count="10",
        contact_email=representative.email,
    )

    response = post_through_confirmation(client, group, data)

    assert response.status_code == 200
    assert _ja("You already have a registration for this programme. See My page.") in (
        response.content.decode()
    )
    group.refresh_from_db()
    assert (group.kind, group.organization, group.status) == ("group", None, S.RETURNED)


# --- a registered partner's contact details ---------------------------------------------------


def contact_url(registration):
    return reverse("partners:contact_edit", args=[registration.pk])


CONTACT = {
    "contact_name": "輪西 花子",
    "contact_kana": "わにし はなこ",
    "contact_phone": "０９０-１２３４-５６７８",
    "contact_email": "hanako.new@example.jp",
    "contact_postal_code": "0510011",
    "contact_address": "室蘭市輪西町2-3-4",
    "frequency": "weekly",
}


def test_a_registered_partner_updates_the_contact_details(client, resident, place):
    registration = factories.make_registration(user=resident, places=[place], status=S.REGISTERED)
    client.force_login(resident)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert contact_url(registration) in page
    assert edit_url(registration) not in page

    response = client.post(contact_url(registration), CONTACT, follow=True)

    assert _ja("Your contact details are saved.") in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == S.REGISTERED
    assert registration.contact_kana == "ワニシ\u3000ハナコ"  # katakana, as everywhere
    assert registration.contact_phone == "090-1234-5678"
    assert registration.contact_postal_code == "051-0011"
    assert (registration.contact_email, registration.frequency) == (
        "hanako.new@example.jp",
        "weekly",
    )
    assert list(registration.places.all()) == [place]


def test_bad_contact_details_are_refused_next_to_the_field_and_kept(client, resident):
    registration = factories.make_registration(user=resident, status=S.REGISTERED)
    client.force_login(resident)

    response = client.post(
        contact_url(registration), {**CONTACT, "contact_kana": "輪西", "contact_email": "x"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"contact_kana", "contact_email"}
    assert 'value="室蘭市輪西町2-3-4"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.contact_address == ""


def test_contact_details_of_someone_else_are_not_reachable(client, member, resident):
    registration = factories.make_registration(user=resident, status=S.REGISTERED)
    client.force_login(member)

    assert client.get(contact_url(registration)).status_code == 404
    assert client.post(contact_url(registration), CONTACT).status_code == 404
    registration.refresh_from_db()
    assert registration.contact_email == resident.email


def test_before_acceptance_the_contact_goes_with_the_whole_form(client, resident, applied):
    client.force_login(resident)
    response = client.get(contact_url(applied))
    assert response.status_code == 302
    assert response["Location"] == edit_url(applied)

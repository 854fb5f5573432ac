"""The registration form on its own: what it prefills, offers, normalises and refuses."""

import pytest
from django.utils.translation import gettext, override

from organizations.models import District, Membership
from partners.forms import RegistrationForm
from partners.models import ActivityKind, ActivityPlace, Registration
from tests import factories

pytestmark = pytest.mark.django_db


def _ja(msgid: str) -> str:
    with override("ja"):
        return gettext(msgid)


def form_data(**overrides) -> dict:
    """What a resident types for a まち「ピカ」 registration as an individual."""
    data = {
        "kind": "individual",
        "organization": "",
        "group_name": "",
        "member_count": "",
        "contact_name": "輪西 花子",
        "contact_kana": "ワニシ ハナコ",
        "contact_phone": "0143-22-1111",
        "contact_email": "resident@example.jp",
        "contact_postal_code": "051-0011",
        "contact_address": "室蘭市輪西町1-2-3",
        "district": District.objects.get(name="輪西町").pk,
        "activity_kinds": [ActivityKind.objects.get(name="清掃").pk],
        "frequency": "monthly",
        "skills": "",
        "list_publicly": "",
        "place1_district": District.objects.get(name="輪西町").pk,
        "place1_kind": "park",
        "place1_description": "輪西町 みなと公園とその周辺の歩道",
        "agree": "on",
    }
    data.update(overrides)
    return data


def make_form(user, programme="pika", **overrides):
    return RegistrationForm(form_data(**overrides), programme=programme, user=user)


def test_it_prefills_the_contact_from_the_profile(resident):
    resident.phone = "0143-22-1111"
    resident.postal_code = "051-0011"
    resident.address = "室蘭市輪西町1-2-3"
    resident.district = District.objects.get(name="輪西町")
    resident.save()

    form = RegistrationForm(programme="pika", user=resident)

    assert form["contact_name"].value() == "輪西 花子"
    assert form["contact_kana"].value() == "ワニシ ハナコ"
    assert form["contact_phone"].value() == "0143-22-1111"
    assert form["contact_email"].value() == "resident@example.jp"
    assert form["contact_postal_code"].value() == "051-0011"
    assert form["contact_address"].value() == "室蘭市輪西町1-2-3"
    assert form["district"].value() == resident.district_id


def test_a_valid_individual_counts_one_person_and_drops_group_fields(resident):
    form = make_form(resident, group_name="どこかの会", member_count="7", list_publicly="on")

    assert form.is_valid(), form.errors
    registration = form.save(commit=False)
    assert registration.member_count == 1
    assert registration.group_name == ""
    assert registration.list_publicly is False
    assert registration.user == resident
    assert registration.programme == "pika"
    [place] = form.places()
    assert place.pk is None
    assert place.kind == ActivityPlace.Kind.PARK
    assert place.description == "輪西町 みなと公園とその周辺の歩道"


def test_it_normalises_kana_postal_code_phone_and_full_width_numbers(resident):
    form = make_form(
        resident,
        kind="group",
        group_name="輪西ピカピカ隊",
        member_count="１２",
        contact_kana="わにし はなこ",
        contact_postal_code="〒０５１００１１",
        contact_phone="０１４３（２２）１１１１",
        contact_email="ＲＥＳＩＤＥＮＴ＠example.jp",
    )

    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["member_count"] == 12
    assert data["contact_kana"] == "ワニシ　ハナコ"
    assert data["contact_postal_code"] == "051-0011"
    assert data["contact_phone"] == "0143-22-1111"
    assert data["contact_email"] == "resident@example.jp"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"agree": ""}, "agree"),
        ({"contact_kana": "輪西 花子"}, "contact_kana"),
        ({"contact_postal_code": "051-001"}, "contact_postal_code"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"kind": "group", "group_name": "ピカ隊", "member_count": "0"}, "member_count"),
        ({"kind": "group", "group_name": "ピカ隊", "member_count": "20000"}, "member_count"),
        ({"kind": "group", "group_name": "ピカ隊", "member_count": ""}, "member_count"),
        ({"kind": "group", "group_name": "", "member_count": "3"}, "group_name"),
        ({"kind": "organization", "organization": "", "member_count": "5"}, "organization"),
        ({"activity_kinds": []}, "activity_kinds"),
        (
            {"place1_district": "", "place1_kind": "", "place1_description": ""},
            "place1_description",
        ),
        ({"place1_district": ""}, "place1_district"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field(resident, overrides, field):
    form = make_form(resident, **overrides)

    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_places_are_optional_for_magokoro_but_skills_are_asked(resident):
    form = make_form(
        resident,
        programme="magokoro",
        place1_district="",
        place1_kind="",
        place1_description="",
        skills="",
    )

    assert not form.is_valid()
    assert list(form.errors) == ["skills"]
    assert "activity_kinds" not in form.fields

    form = make_form(
        resident,
        programme="magokoro",
        place1_district="",
        place1_kind="",
        place1_description="",
        skills="イベントの受付、車の運転",
    )
    assert form.is_valid(), form.errors
    assert form.places() == []


def test_it_takes_up_to_three_places(resident):
    tokiwa = District.objects.get(name="輪西町").pk
    form = make_form(
        resident,
        place2_district=tokiwa,
        place2_kind="road",
        place2_description="輪西町 駅前の歩道",
        place3_district=tokiwa,
        place3_kind="",
        place3_description="輪西町 ○○川の河川敷",
    )

    assert form.is_valid(), form.errors
    places = form.places()
    assert [p.kind for p in places] == ["park", "road", "other"]


def test_it_offers_only_active_activity_kinds(resident):
    ActivityKind.objects.filter(name="除雪").update(is_active=False)

    form = RegistrationForm(programme="pika", user=resident)

    offered = [kind.name for kind in form.fields["activity_kinds"].queryset]
    assert "清掃" in offered
    assert "除雪" not in offered


def test_it_offers_only_verified_organisations_the_user_manages(
    representative, member, organization, other_organization, other_member
):
    contact_of_pending = other_member  # representative of a pending organisation
    verified_but_member_only = factories.make_organization(name="母恋の会")
    factories.add_member(verified_but_member_only, representative, Membership.Role.MEMBER)

    def offered(user):
        return list(RegistrationForm(programme="pika", user=user).fields["organization"].queryset)

    assert offered(representative) == [organization]
    assert offered(member) == []
    assert offered(contact_of_pending) == []


def test_acting_for_an_organisation_one_does_not_manage_is_refused(member, organization):
    form = make_form(member, kind="organization", organization=organization.pk, member_count="5")

    assert not form.is_valid()
    assert list(form.errors) == ["organization"]
    assert form.errors["organization"] == [
        _ja(
            "You can register only for a verified organisation in which you are the "
            "representative or a contact person. Ask the organisation's representative."
        )
    ]


def test_a_representative_registers_for_the_organisation(representative, organization):
    form = make_form(
        representative, kind="organization", organization=organization.pk, member_count="15"
    )

    assert form.is_valid(), form.errors
    registration = form.save(commit=False)
    assert registration.kind == Registration.Kind.ORGANIZATION
    assert registration.organization == organization
    assert registration.member_count == 15


def test_the_confirmation_summary_shows_labels_not_codes(resident):
    form = make_form(resident, kind="group", group_name="輪西ピカピカ隊", member_count="4")
    assert form.is_valid(), form.errors

    rows = {str(label): value for label, value in form.summary()}

    assert rows[str(form.fields["kind"].label)] == str(Registration.Kind.GROUP.label)
    assert rows[str(form.fields["frequency"].label)] == str(Registration.Frequency.MONTHLY.label)
    assert rows[str(form.fields["group_name"].label)] == "輪西ピカピカ隊"
    assert str(form.fields["organization"].label) not in rows
    assert any("みなと公園" in value for value in rows.values())

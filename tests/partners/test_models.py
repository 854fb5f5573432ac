"""Invariants the database keeps for the partner programme, whatever code writes the rows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from partners.models import ActivityPlace, Registration
from tests import factories

pytestmark = pytest.mark.django_db

K = Registration.Kind


def _registration(**fields):
    values = {
        "number": "MP-2026-99999",
        "programme": "pika",
        "kind": K.INDIVIDUAL,
        "contact_name": "輪西 花子",
        "contact_kana": "ワニシ ハナコ",
        "district": factories.district(),
    }
    values.update(fields)
    return Registration(**values)


def _refused(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_individual_must_count_one_person():
    _refused(_registration(member_count=3))
    assert not Registration.objects.exists()


def test_group_may_count_several_people():
    registration = _registration(kind=K.GROUP, group_name="輪西ファミリー", member_count=4)
    registration.save()

    assert Registration.objects.get().people == 4


def test_organisation_kind_needs_an_organisation(organization):
    _refused(_registration(kind=K.ORGANIZATION))
    _refused(_registration(kind=K.GROUP, organization=organization, number="MP-2026-99998"))
    assert not Registration.objects.exists()


def test_organisation_kind_with_an_organisation_is_kept(organization):
    _registration(kind=K.ORGANIZATION, organization=organization, member_count=12).save()

    assert Registration.objects.get().display_name == "輪西まちづくりの会"


def test_member_count_has_an_upper_bound():
    _refused(_registration(kind=K.GROUP, member_count=10_001))


def test_one_live_registration_per_person_and_programme_in_the_database(resident):
    _registration(user=resident).save()

    _refused(_registration(user=resident, number="MP-2026-99998"))
    # Another programme is a separate registration.
    _registration(user=resident, number="MG-2026-00001", programme="magokoro").save()
    assert Registration.objects.filter(user=resident).count() == 2


def test_a_withdrawn_registration_does_not_block_a_new_one(resident):
    _registration(user=resident, status=Registration.Status.WITHDRAWN).save()

    _registration(user=resident, number="MP-2026-99998").save()

    assert Registration.objects.filter(user=resident).count() == 2


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (Decimal("42.315"), None),
        (None, Decimal("140.97")),
        (Decimal("91"), Decimal("140.97")),
        (Decimal("42.315"), Decimal("181")),
    ],
)
def test_place_point_needs_both_coordinates_in_range(latitude, longitude):
    place = ActivityPlace(
        district=factories.district(),
        description="輪西町 公園",
        latitude=latitude,
        longitude=longitude,
    )

    _refused(place)
    assert not ActivityPlace.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(None, None), (Decimal("42.315000"), Decimal("140.973000"))]
)
def test_place_without_a_point_or_with_a_whole_point_is_kept(latitude, longitude):
    ActivityPlace.objects.create(
        district=factories.district(),
        description="輪西町 公園",
        latitude=latitude,
        longitude=longitude,
    )

    assert ActivityPlace.objects.get().latitude == latitude


def test_public_name_hides_individuals_and_groups_that_did_not_agree():
    individual = _registration(list_publicly=True)
    quiet_group = _registration(kind=K.GROUP, group_name="白鳥台ファミリー", member_count=3)
    listed_group = _registration(
        kind=K.GROUP, group_name="白鳥台ファミリー", member_count=3, list_publicly=True
    )

    assert individual.public_name is None
    assert quiet_group.public_name is None
    assert listed_group.public_name == "白鳥台ファミリー"

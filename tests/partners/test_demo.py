import io

import pytest
from django.core.management import call_command

from partners.models import (
    ActivityReport,
    EquipmentLoan,
    EquipmentLoanStatusChange,
    Opportunity,
    PickupRequest,
    PickupRequestStatusChange,
    Registration,
    RegistrationStatusChange,
    RequestStatus,
    Signup,
    SupplyRequest,
    SupplyRequestStatusChange,
)

pytestmark = pytest.mark.django_db


def _seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_demo_partners_go_through_the_workflow_and_seeding_twice_adds_nothing():
    _seed()

    def counts():
        return [
            model.objects.count()
            for model in (
                Registration,
                ActivityReport,
                Opportunity,
                PickupRequest,
                SupplyRequest,
                EquipmentLoan,
                Signup,
                PickupRequestStatusChange,
                SupplyRequestStatusChange,
                EquipmentLoanStatusChange,
            )
        ]

    first = counts()
    _seed()

    assert counts() == first
    # Requests in each state, changed through the services (history rows), and a sign-up.
    assert PickupRequest.objects.get().status == RequestStatus.REQUESTED
    assert SupplyRequest.objects.get().status == RequestStatus.DONE
    assert EquipmentLoan.objects.get().status == RequestStatus.LENT
    assert (
        PickupRequestStatusChange.objects.count()
        + SupplyRequestStatusChange.objects.count()
        + EquipmentLoanStatusChange.objects.count()
    ) == 2
    assert Signup.objects.get().status == Signup.Status.CONFIRMED
    assert Registration.objects.filter(status="registered").count() == 5
    assert Registration.objects.filter(status="applied").count() == 1
    # Every demo registration has its history, as the services write it.
    for registration in Registration.objects.all():
        assert RegistrationStatusChange.objects.filter(registration=registration).exists()
    assert Registration.objects.filter(number__regex=r"^MP-\d{4}-\d{5}$").count() == 4


def test_volume_adds_five_partners_and_fifty_reports_per_unit():
    _seed("--volume", "4")
    assert Registration.objects.filter(number__startswith="MPV-").count() == 20
    assert ActivityReport.objects.filter(registration__number__startswith="MPV-").count() == 200


def test_a_larger_volume_adds_only_the_difference_and_a_second_run_nothing():
    volume = Registration.objects.filter(number__startswith="MPV-")
    reports = ActivityReport.objects.filter(registration__number__startswith="MPV-")
    _seed("--volume", "2")
    assert (volume.count(), reports.count()) == (10, 100)
    _seed("--volume", "4")
    assert (volume.count(), reports.count()) == (20, 200)
    _seed("--volume", "4")
    assert (volume.count(), reports.count()) == (20, 200)
    assert volume.values("number").distinct().count() == 20


def test_demo_places_lie_in_muroran_and_some_still_need_someone():
    from partners.models import ActivityPlace

    _seed()
    _seed()  # twice: nothing doubles

    places = list(ActivityPlace.objects.on_the_map())
    on_the_map = [place for place in places if place.has_point]
    for place in on_the_map:
        place.full_clean()  # within Muroran's bounds
    assert len(on_the_map) >= 7
    assert any(not place.has_point for place in places)  # listed, not on the map yet
    needing = {place.description for place in places if not place.adopted}
    assert "東町 東町公園とその周辺" in needing
    assert "輪西町 みなと公園とその周辺の歩道" not in needing
    # The group whose registration is not accepted yet keeps its place private.
    assert "白鳥台 白鳥台中央公園の花壇" not in {place.description for place in places}
    assert ActivityPlace.objects.filter(description="東町 東町公園とその周辺").count() == 1

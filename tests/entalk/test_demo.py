"""The demo data: requests of the demo groups in every state, published records with
follow-ups in the four states (one overdue), blocks of the mayor's diary; a second run creates
nothing; the volume data makes 500 published sessions with follow-ups."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from entalk import demo
from entalk.models import (
    Block,
    FollowUp,
    FollowUpChange,
    ParticipantCount,
    Request,
    RequestStatusChange,
    Slot,
    Topic,
)
from muroran_kyodo.lib.models import Sequence

pytestmark = pytest.mark.django_db

S = Request.Status
F = FollowUp.Status
MODELS = (
    Request,
    RequestStatusChange,
    Slot,
    Topic,
    ParticipantCount,
    FollowUp,
    FollowUpChange,
    Block,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module's tests (every app's demo: the organisations and the
    residents the requests come from), rolled back at the end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield _counts()
            transaction.set_rollback(True)


def test_the_demo_has_requests_in_every_state(seeded):
    states = sorted(Request.objects.values_list("status", flat=True))
    assert states.count(S.PUBLISHED) == 3
    assert set(states) == set(S.values)
    requested = Request.objects.get(status=S.REQUESTED)
    assert requested.organization.name == "室蘭まちづくり市民の会"
    assert requested.user.email == "resident@example.jp"
    assert requested.slots.count() == 3
    proposed = Request.objects.get(status=S.PROPOSED)
    assert proposed.channel == "paper" and proposed.starts_at > timezone.now()
    now = timezone.now()
    upcoming = Request.objects.upcoming_at(now).get()
    assert upcoming.organization is None and upcoming.user.email == "salon@example.jp"
    assert not upcoming.public_naming
    assert Request.objects.get(status=S.DECLINED).decline_reason
    assert Request.objects.get(status=S.CANCELLED).decline_reason
    due = Request.objects.get(status=S.CONFIRMED, ends_at__lte=now)
    assert due.participants is None
    assert Block.objects.count() == 2
    # Every request has its history ending in its state.
    for request in Request.objects.all():
        assert request.status_changes.order_by("at", "pk").last().new_status == request.status


def test_published_records_have_topics_participants_and_follow_ups(seeded):
    for record in Request.objects.published():
        assert record.topics.exists()
        assert record.participants == sum(c.count for c in record.participant_counts.all())
        assert record.follow_ups.exists()
    assert set(FollowUp.objects.values_list("status", flat=True)) == set(F.values)
    for follow_up in FollowUp.objects.all():
        changes = list(follow_up.status_changes.order_by("at", "pk"))
        assert changes[0].new_status == F.CONSIDERING
        assert changes[-1].new_status == follow_up.status
        if follow_up.status in (F.DONE, F.NOT_POSSIBLE):
            assert follow_up.answer and changes[-1].answer == follow_up.answer
    overdue = FollowUp.objects.overdue_at(timezone.now())
    assert [f.department.name for f in overdue] == ["土木課"]


def test_seeding_twice_creates_nothing(seeded):
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == seeded


def test_volume_makes_500_published_sessions_with_follow_ups(seeded):
    demo.seed_volume(count=2000, stdout=io.StringIO())
    volume = Request.objects.filter(group_name__startswith=demo.VOLUME_GROUP)
    assert volume.count() == 500
    assert volume.filter(status=S.PUBLISHED).count() == 500
    assert FollowUp.objects.filter(request__in=volume).count() == 1000
    assert Topic.objects.filter(request__in=volume).count() == 1000
    # Numbers are unique and the counters continue after them.
    numbers = list(Request.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    for year in set(volume.values_list("fiscal_year", flat=True)):
        last = max(
            int(n.rsplit("-", 1)[1])
            for n in Request.objects.filter(fiscal_year=year).values_list("number", flat=True)
        )
        assert Sequence.objects.get(key=f"entalk.request.{year}").value == last
    before = _counts()
    demo.seed_volume(count=2000, stdout=io.StringIO())
    assert _counts() == before
    assert demo.volume_session_count(40) == 10

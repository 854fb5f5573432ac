"""The demo data: the guideline's three councils with workshops held and published, one to
come full with a waiting list, a training with completions and the pool, a training to come;
a second run creates nothing; the volume data (50 councils, 300 workshops, 10,000 sign-ups at
--volume 2000) at a small scale."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from councils import demo, demo_volume, queue, stats
from councils.models import (
    Assignment,
    Council,
    CouncilStatusChange,
    Facilitator,
    Opinion,
    Session,
    SessionStatusChange,
    Signup,
    SignupStatusChange,
)
from muroran_kyodo.lib.jp import current_fiscal_year

pytestmark = pytest.mark.django_db

S = Session.Status
SS = Signup.Status
MODELS = (
    Council,
    CouncilStatusChange,
    Session,
    SessionStatusChange,
    Opinion,
    Signup,
    SignupStatusChange,
    Facilitator,
    Assignment,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module's tests (every app's demo: the residents the sign-ups
    come from), rolled back at the end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield _counts()
            transaction.set_rollback(True)


def test_the_demo_has_the_three_councils_of_the_guideline(seeded):
    titles = set(Council.objects.values_list("title", flat=True))
    assert titles == {
        "道の駅みたら室蘭魅力アップトーク",
        "高砂公園リニューアル",
        "複合公共施設・子育て応援ワークショップ",
    }
    reflected = Council.objects.get(status=Council.Status.REFLECTED)
    assert reflected.reflection and reflected.reflected_on and reflected.is_trial
    for council in Council.objects.all():
        assert council.status_changes.order_by("at", "pk").last().new_status == council.status
    for session in Session.objects.all():
        assert session.status_changes.order_by("at", "pk").last().new_status == session.status
    for workshop in Session.objects.workshops().filter(status=S.PUBLISHED):
        assert workshop.report and workshop.opinions.exists()
        assert workshop.signups.filter(attended_at__isnull=False).exists()
    # The needs given for sessions over more than a week ago are erased.
    over = Signup.objects.filter(
        session__ends_at__lt=timezone.now() - dt.timedelta(days=demo.NEEDS_KEEP_DAYS)
    )
    assert over.exists() and not over.filter(needs_erased_at=None).exists()
    assert not over.filter(need_childcare=True).exists()
    assert Signup.objects.filter(need_childcare=True, needs_erased_at=None).exists()


def test_one_workshop_to_come_is_full_with_a_waiting_list(seeded):
    now = timezone.now()
    full = (
        Session.objects.workshops()
        .open_for_signup_at(now)
        .get(council__title="高砂公園リニューアル")
    )
    assert full.signups.registered().count() == full.capacity
    waiting = list(full.signups.waiting().values_list("user__email", flat=True))
    assert waiting == ["resident@example.jp", "shotengai@example.jp"]
    assert full.assignments.get().facilitator.user.email == "student@example.jp"
    codes = list(full.signups.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    roomy = Session.objects.workshops().open_for_signup_at(now).exclude(pk=full.pk).get()
    assert 0 < roomy.signups.registered().count() < roomy.capacity


def test_trainings_and_the_pool(seeded):
    done = Session.objects.trainings().get(status=S.COMPLETED)
    assert done.signups.filter(completed_on__isnull=False).count() == 3
    in_pool = set(Facilitator.objects.in_pool().values_list("user__email", flat=True))
    assert in_pool == {"student@example.jp", "salon@example.jp"}
    assert Facilitator.objects.exclude(left_on=None).get().left_reason
    coming = Session.objects.trainings().get(status=S.SCHEDULED)
    assert coming.starts_at > timezone.now()


def test_the_demo_feeds_the_queue_and_the_figures(seeded, rf):
    from tests import factories

    request = rf.get("/")
    request.user = factories.make_user(superuser=True, staff=True)
    counts = {item.url: item.count for item in queue.items(request)}
    assert counts["/admin/councils/session/?outputs=due"] == 1
    year = current_fiscal_year()
    assert sum(f.value for f in stats.figures_over(year - 2, year)) > 0


def test_seeding_twice_creates_nothing(seeded):
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == seeded


def test_volume_at_a_small_scale(seeded):
    assert demo_volume.volume_council_count(2000) == 50
    assert demo_volume.volume_council_count(80) == 2
    demo_volume.seed_volume(count=80, stdout=io.StringIO())
    volume = Council.objects.filter(title__startswith=demo_volume.VOLUME_COUNCIL)
    assert volume.count() == 2
    sessions = Session.objects.filter(council__in=volume)
    assert sessions.count() == 2 * demo_volume.VOLUME_WORKSHOPS
    assert sessions.filter(status=S.PUBLISHED).count() == 2 * (demo_volume.VOLUME_WORKSHOPS - 1)
    signups = Signup.objects.filter(session__in=sessions)
    assert signups.count() == 2 * demo_volume.VOLUME_SIGNUPS
    assert SignupStatusChange.objects.filter(signup__in=signups).count() == signups.count()
    # The workshop to come is full, its last sign-ups waiting; never over capacity.
    for session in sessions.annotate(
        registered=Count("signups", filter=Q(signups__status=SS.REGISTERED))
    ):
        assert session.registered == min(session.capacity, session.signups.count())
    assert signups.filter(status=SS.WAITING).count() == 2 * 3
    before = _counts()
    demo_volume.seed_volume(count=80, stdout=io.StringIO())
    assert _counts() == before

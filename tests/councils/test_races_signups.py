"""Places under concurrent writes (PostgreSQL, threads): many people signing up for a few
places at the same moment, and two cancellations at once. The capacity is never exceeded and
the waiting list moves up by exactly the places freed. (A reminder sent once by two runs at the
same moment is `lib.mail.send_once`'s, tested with the shared layer.)"""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from councils import services
from councils.models import Signup
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import NOW
from tests.races import race as _race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
    ),
]
S = Signup.Status


def _sign_up(session, user):
    return lambda: services.signup_create(session=session, user=user, name=user.email, now=NOW)


@pytest.mark.parametrize("attempt", range(3))
def test_eight_people_for_three_places_three_get_them(attempt):
    with time_machine.travel(NOW, tick=False):
        session = cf.make_workshop(capacity=3)
        people = [factories.make_user(f"race{attempt}-{n}@example.jp") for n in range(8)]

        outcomes = _race(*(_sign_up(session, person) for person in people))

    assert outcomes == ["done"] * 8, outcomes
    signups = Signup.objects.filter(session=session)
    assert signups.filter(status=S.REGISTERED).count() == 3
    assert signups.filter(status=S.WAITING).count() == 5
    assert len(set(signups.values_list("code", flat=True))) == 8


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_person_twice_at_once_gets_one_sign_up(attempt):
    with time_machine.travel(NOW, tick=False):
        session = cf.make_workshop(capacity=3)
        person = factories.make_user(f"twice{attempt}@example.jp")

        outcomes = _race(_sign_up(session, person), _sign_up(session, person))

    assert outcomes == ["done", "refused"], outcomes
    assert Signup.objects.filter(session=session, user=person).count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_cancellations_at_once_promote_exactly_two(attempt):
    with time_machine.travel(NOW, tick=False):
        session = cf.make_workshop(capacity=2)
        people = [factories.make_user(f"cancel{attempt}-{n}@example.jp") for n in range(5)]
        signups = [
            services.signup_create(session=session, user=p, name=p.email, now=NOW) for p in people
        ]
        holders = signups[:2]

        outcomes = _race(
            *((lambda s=s: services.signup_cancel(signup=s, by=s.user, now=NOW)) for s in holders)
        )

    assert outcomes == ["done", "done"], outcomes
    statuses = dict(Signup.objects.filter(session=session).values_list("pk", "status"))
    assert [statuses[s.pk] for s in signups] == [
        S.CANCELLED,
        S.CANCELLED,
        S.REGISTERED,
        S.REGISTERED,
        S.WAITING,
    ]


@pytest.mark.parametrize("attempt", range(3))
def test_a_cancellation_and_a_sign_up_at_once_keep_the_capacity(attempt):
    with time_machine.travel(NOW, tick=False):
        session = cf.make_workshop(capacity=1)
        holder, waiting, newcomer = (
            factories.make_user(f"mix{attempt}-{n}@example.jp") for n in range(3)
        )
        held = services.signup_create(session=session, user=holder, name="a", now=NOW)
        queued = services.signup_create(session=session, user=waiting, name="b", now=NOW)

        outcomes = _race(
            lambda: services.signup_cancel(signup=held, by=holder, now=NOW),
            _sign_up(session, newcomer),
        )

    assert outcomes == ["done", "done"], outcomes
    registered = Signup.objects.filter(session=session, status=S.REGISTERED)
    assert list(registered) == [Signup.objects.get(pk=queued.pk)]


@pytest.mark.parametrize("attempt", range(3))
def test_a_session_cancelled_while_people_sign_up_keeps_no_active_sign_up(attempt):
    """Each sign-up either comes before the cancellation (and is cancelled with the rest) or
    after it (and is refused, the locked row being checked again)."""
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"clerk{attempt}@city.muroran.example.jp", superuser=True)
        session = cf.make_workshop(capacity=2)
        people = [factories.make_user(f"called-off{attempt}-{n}@example.jp") for n in range(4)]

        outcomes = _race(
            lambda: services.session_cancel(session=session, by=clerk, reason="台風", now=NOW),
            *(_sign_up(session, person) for person in people),
        )

    assert "done" in outcomes and all(o in ("done", "refused") for o in outcomes), outcomes
    assert not Signup.objects.filter(session=session).active().exists()

"""Facilitator assignments under concurrent writes (PostgreSQL, threads): two clerks assigning
the same facilitator at the same moment to two overlapping workshops, and two facilitators to
the same table. Exactly one wins each time; nobody is double-booked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from councils import services
from councils.models import Assignment, Facilitator, Session
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import NOW, STARTS
from tests.races import race as _race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
    ),
]


@pytest.mark.parametrize("attempt", range(3))
def test_one_facilitator_assigned_at_once_to_two_overlapping_workshops(attempt):
    with time_machine.travel(NOW, tick=False):
        clerks = [
            factories.make_user(f"race{attempt}-{n}@city.muroran.example.jp", superuser=True)
            for n in (1, 2)
        ]
        first = cf.make_workshop()
        second = cf.make_workshop(
            cf.make_council(title="複合公共施設"), starts_at=STARTS + dt.timedelta(minutes=30)
        )
        facilitator = cf.make_facilitator()

        outcomes = _race(
            lambda: services.facilitator_assign(
                session=Session.objects.get(pk=first.pk),
                table=1,
                facilitator=Facilitator.objects.get(pk=facilitator.pk),
                by=clerks[0],
            ),
            lambda: services.facilitator_assign(
                session=Session.objects.get(pk=second.pk),
                table=1,
                facilitator=Facilitator.objects.get(pk=facilitator.pk),
                by=clerks[1],
            ),
        )
    assert outcomes == ["done", "refused"], outcomes
    assert Assignment.objects.filter(facilitator=facilitator).count() == 1


@pytest.mark.parametrize("attempt", range(2))
def test_two_facilitators_at_once_to_the_same_table(attempt):
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"table{attempt}@city.muroran.example.jp", superuser=True)
        workshop = cf.make_workshop()
        facilitators = [cf.make_facilitator(), cf.make_facilitator()]

        outcomes = _race(
            *(
                lambda f=f: services.facilitator_assign(
                    session=Session.objects.get(pk=workshop.pk), table=2, facilitator=f, by=clerk
                )
                for f in facilitators
            )
        )
    assert outcomes == ["done", "refused"], outcomes
    assert Assignment.objects.filter(session=workshop).count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_an_assignment_while_the_workshop_is_cancelled_does_not_stay(attempt):
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"off{attempt}@city.muroran.example.jp", superuser=True)
        workshop = cf.make_workshop()
        facilitator = cf.make_facilitator()
        stale = Session.objects.get(pk=workshop.pk)

        outcomes = _race(
            lambda: services.session_cancel(session=workshop, by=clerk, reason="台風", now=NOW),
            lambda: services.facilitator_assign(
                session=stale, table=1, facilitator=facilitator, by=clerk, now=NOW
            ),
        )
    assert "done" in outcomes and all(o in ("done", "refused") for o in outcomes), outcomes
    assert Session.objects.get(pk=workshop.pk).status == Session.Status.CANCELLED
    assert not Assignment.objects.filter(session=workshop).exists()


@pytest.mark.parametrize("attempt", range(3))
def test_a_workshop_moved_while_its_facilitator_is_assigned_elsewhere_never_double_books(
    attempt,
):
    """Moving the first workshop onto the second's time, while the same facilitator is being
    assigned to the second: one of the two is refused."""
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"move{attempt}@city.muroran.example.jp", superuser=True)
        first = cf.make_workshop()
        second = cf.make_workshop(
            cf.make_council(title="複合公共施設"), starts_at=STARTS + dt.timedelta(days=1)
        )
        facilitator = cf.make_facilitator()
        services.facilitator_assign(session=first, table=1, facilitator=facilitator, by=clerk)
        onto_second = {"starts_at": second.starts_at, "ends_at": second.ends_at}

        outcomes = _race(
            lambda: services.session_change(
                session=Session.objects.get(pk=first.pk), changes=onto_second, by=clerk, now=NOW
            ),
            lambda: services.facilitator_assign(
                session=Session.objects.get(pk=second.pk),
                table=1,
                facilitator=Facilitator.objects.get(pk=facilitator.pk),
                by=clerk,
                now=NOW,
            ),
        )
    assert outcomes == ["done", "refused"], outcomes
    first.refresh_from_db()
    booked = Assignment.objects.filter(facilitator=facilitator).select_related("session")
    windows = sorted((a.session.starts_at, a.session.ends_at) for a in booked)
    assert all(a[1] <= b[0] for a, b in zip(windows, windows[1:], strict=False)), windows

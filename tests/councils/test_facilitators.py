"""The facilitator pool: a training's completions put attendees in the pool (dated, with the
course, an e-mail, never twice), a pre-portal trainee added by 企画課, leaving the pool (the
person or a keeper; future assignments removed, past ones kept), and assigning facilitators to
workshop tables (table range, table taken, one table a session, no double booking)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from councils import services
from councils.models import Assignment, Facilitator, Session, Signup
from muroran_kyodo.lib.workflow import TransitionError
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import ENDS, JST, NOW, STARTS

pytestmark = pytest.mark.django_db
S = Session.Status
SS = Signup.Status
AFTER = ENDS + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def keeper(db):
    """企画課's clerk: runs the training and keeps the pool."""
    return cf.pool_keeper("kikaku@city.muroran.example.jp")


@pytest.fixture
def training(db, frozen):
    return cf.make_training()


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def _attended(session, user=None, **fields):
    return cf.make_signup(session, user=user, attended_at=session.starts_at, **fields)


# --- Completing a training ---------------------------------------------------------------------


def test_training_complete_puts_attendees_in_the_pool_with_date_course_and_mail(
    frozen, keeper, training, mailoutbox, django_capture_on_commit_callbacks
):
    first = _attended(training, factories.make_user("hanako@example.jp"))
    second = _attended(training, factories.make_user("jiro@example.jp"))
    not_ticked = _attended(training, factories.make_user("saburo@example.jp"))
    frozen.move_to(AFTER)

    with django_capture_on_commit_callbacks(execute=True):
        joined = services.training_complete(
            session=training, by=keeper, completed_ids=[first.pk, second.pk]
        )

    assert sorted(f.user.email for f in joined) == ["hanako@example.jp", "jiro@example.jp"]
    for entry in Facilitator.objects.all():
        assert entry.training == training and entry.course == training.title
        assert entry.completed_on == dt.date(2026, 7, 5) and entry.in_pool
    assert Facilitator.objects.count() == 2
    assert Session.objects.get(pk=training.pk).status == S.COMPLETED
    first.refresh_from_db()
    not_ticked.refresh_from_db()
    assert first.completed_on == dt.date(2026, 7, 5) and not_ticked.completed_on is None
    assert sorted(m.to[0] for m in mailoutbox) == ["hanako@example.jp", "jiro@example.jp"]


def test_training_complete_with_a_given_date(frozen, keeper, training):
    signup = _attended(training, factories.make_user())
    frozen.move_to(AFTER + dt.timedelta(days=10))
    services.training_complete(
        session=training, by=keeper, completed_ids=[signup.pk], completed_on=dt.date(2026, 7, 4)
    )
    assert Facilitator.objects.get().completed_on == dt.date(2026, 7, 4)


def test_training_complete_refuses_those_not_attended_and_guests(frozen, keeper, training):
    absent = cf.make_signup(training, user=factories.make_user())
    waiting = cf.make_signup(training, user=factories.make_user(), status=SS.WAITING)
    guest = _attended(training)
    frozen.move_to(AFTER)
    for signup in (absent, waiting, guest):
        with pytest.raises(ValidationError) as excinfo:
            services.training_complete(session=training, by=keeper, completed_ids=[signup.pk])
        assert signup.name in _errors(excinfo)["__all__"][0]
    other = _attended(cf.make_training(), factories.make_user())
    with pytest.raises(ValidationError):
        services.training_complete(session=training, by=keeper, completed_ids=[other.pk])
    assert not Facilitator.objects.exists()
    assert Session.objects.get(pk=training.pk).status == S.SCHEDULED


def test_training_complete_makes_no_second_pool_entry(
    frozen, keeper, training, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.make_user("hanako@example.jp")
    earlier = cf.make_facilitator(person, completed_on=dt.date(2014, 3, 1))
    signup = _attended(training, person)
    frozen.move_to(AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        joined = services.training_complete(session=training, by=keeper, completed_ids=[signup.pk])
    assert joined == [] and list(Facilitator.objects.all()) == [earlier]
    assert not mailoutbox
    signup.refresh_from_db()
    assert signup.completed_on == dt.date(2026, 7, 5)


def test_training_complete_refused_before_the_end_for_a_workshop_and_other_staff(
    frozen, keeper, staff, training
):
    signup = _attended(training, factories.make_user())
    frozen.move_to(ENDS - dt.timedelta(minutes=5))
    with pytest.raises(ValidationError) as excinfo:
        services.training_complete(session=training, by=keeper, completed_ids=[signup.pk])
    assert "__all__" in _errors(excinfo)
    frozen.move_to(AFTER)
    with pytest.raises(PermissionDenied):
        services.training_complete(session=training, by=staff, completed_ids=[signup.pk])
    with pytest.raises(PermissionDenied):
        services.training_complete(
            session=training, by=cf.without_second_factor(keeper), completed_ids=[signup.pk]
        )
    workshop = cf.make_workshop()
    with pytest.raises(TransitionError):
        services.training_complete(session=workshop, by=staff, completed_ids=[])
    services.training_complete(session=training, by=keeper, completed_ids=[signup.pk])
    with pytest.raises(TransitionError):
        services.training_complete(session=training, by=keeper, completed_ids=[signup.pk])
    assert Facilitator.objects.count() == 1


# --- The pool ----------------------------------------------------------------------------------


def test_pool_add_by_a_keeper(
    frozen, keeper, staff, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.make_user("senpai@example.jp")
    with pytest.raises(PermissionDenied):
        services.pool_add(
            user=person, course="養成講座 2013", completed_on=dt.date(2014, 2, 1), by=staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.pool_add(
            user=person, course="養成講座 2013", completed_on=dt.date(2014, 2, 1), by=keeper
        )
    assert entry.training is None and entry.in_pool and entry.course == "養成講座 2013"
    assert [m.to for m in mailoutbox] == [["senpai@example.jp"]]
    with pytest.raises(ValidationError) as excinfo:
        services.pool_add(user=person, course="再", completed_on=dt.date(2015, 2, 1), by=keeper)
    assert "user" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.pool_add(
            user=factories.make_user(), course=" ", completed_on=dt.date(2030, 1, 1), by=keeper
        )
    assert set(_errors(excinfo)) == {"course", "completed_on"}
    assert Facilitator.objects.count() == 1


def test_pool_leave_by_the_person_removes_future_assignments_only(frozen, workshop):
    facilitator = cf.make_facilitator()
    past = cf.make_workshop(starts_at=dt.datetime(2026, 5, 30, 13, 30, tzinfo=JST))
    kept = cf.make_assignment(past, facilitator)
    cf.make_assignment(workshop, facilitator, table=2)

    services.pool_leave(facilitator=facilitator, by=facilitator.user, reason="転居のため")

    facilitator.refresh_from_db()
    assert facilitator.left_on == NOW.date() and facilitator.left_reason == "転居のため"
    assert not facilitator.in_pool
    assert list(Assignment.objects.all()) == [kept]
    with pytest.raises(ValidationError):
        services.pool_leave(facilitator=facilitator, by=facilitator.user)


def test_pool_leave_by_a_keeper_or_nobody_else(frozen, keeper, staff):
    facilitator = cf.make_facilitator()
    with pytest.raises(PermissionDenied):
        services.pool_leave(facilitator=facilitator, by=factories.make_user())
    with pytest.raises(PermissionDenied):
        services.pool_leave(facilitator=facilitator, by=staff)
    assert Facilitator.objects.get(pk=facilitator.pk).in_pool
    services.pool_leave(facilitator=facilitator, by=keeper, reason="本人から電話")
    assert not Facilitator.objects.get(pk=facilitator.pk).in_pool
    # Leaving frees the person to join again later.
    cf.make_facilitator(facilitator.user)
    assert Facilitator.objects.in_pool().count() == 1


# --- Assignments -------------------------------------------------------------------------------


def test_facilitator_assign_records_and_mails(
    frozen, staff, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    facilitator = cf.make_facilitator(factories.make_user("fac@example.jp"))
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.facilitator_assign(
            session=workshop, table=3, facilitator=facilitator, by=staff
        )
    assert (assignment.session, assignment.table, assignment.facilitator) == (
        workshop,
        3,
        facilitator,
    )
    assert assignment.assigned_by == staff and assignment.assigned_at == NOW
    assert [m.to for m in mailoutbox] == [["fac@example.jp"]]


@pytest.mark.parametrize("table", [0, 5, -1])
def test_facilitator_assign_table_out_of_range(frozen, staff, workshop, table):
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(
            session=workshop, table=table, facilitator=cf.make_facilitator(), by=staff
        )
    assert _errors(excinfo) == {"table": ["Choose a table from 1 to 4."]}


def test_facilitator_assign_table_taken_and_same_session_twice(frozen, staff, workshop):
    first = cf.make_facilitator()
    services.facilitator_assign(session=workshop, table=1, facilitator=first, by=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(
            session=workshop, table=1, facilitator=cf.make_facilitator(), by=staff
        )
    assert _errors(excinfo) == {"table": ["Another facilitator is already at this table."]}
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(session=workshop, table=2, facilitator=first, by=staff)
    assert _errors(excinfo) == {
        "facilitator": ["This facilitator already has a table at this workshop."]
    }
    assert Assignment.objects.count() == 1


def test_facilitator_assign_refuses_an_overlapping_session(frozen, staff, workshop):
    facilitator = cf.make_facilitator()
    other_council = cf.make_council(title="複合公共施設・子育て応援ワークショップ")
    overlapping = cf.make_workshop(other_council, starts_at=STARTS + dt.timedelta(hours=1))
    later = cf.make_workshop(other_council, starts_at=ENDS)  # starts as the first ends
    services.facilitator_assign(session=workshop, table=1, facilitator=facilitator, by=staff)

    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(session=overlapping, table=1, facilitator=facilitator, by=staff)
    assert "another workshop at that time" in _errors(excinfo)["facilitator"][0]
    services.facilitator_assign(session=later, table=1, facilitator=facilitator, by=staff)
    assert Assignment.objects.filter(facilitator=facilitator).count() == 2


def test_an_assignment_at_a_cancelled_session_does_not_block(frozen, staff, workshop):
    facilitator = cf.make_facilitator()
    cancelled = cf.make_workshop(status=S.CANCELLED)
    cf.make_assignment(cancelled, facilitator)
    services.facilitator_assign(session=workshop, table=1, facilitator=facilitator, by=staff)


def test_facilitator_assign_refuses_one_not_in_the_pool(frozen, staff, workshop):
    facilitator = cf.make_facilitator(left_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(session=workshop, table=1, facilitator=facilitator, by=staff)
    assert _errors(excinfo) == {"facilitator": ["This person is not in the pool."]}


def test_facilitator_assign_refuses_started_draft_and_training_sessions(frozen, staff, keeper):
    facilitator = cf.make_facilitator()
    started = cf.make_workshop(starts_at=NOW - dt.timedelta(minutes=30))
    draft = cf.make_workshop(status=S.DRAFT)
    for session in (started, draft):
        with pytest.raises(ValidationError) as excinfo:
            services.facilitator_assign(session=session, table=1, facilitator=facilitator, by=staff)
        assert "__all__" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.facilitator_assign(
            session=cf.make_training(), table=1, facilitator=facilitator, by=keeper
        )
    assert not Assignment.objects.exists()


def test_facilitator_assign_to_a_stale_session_cancelled_meanwhile_is_refused(
    frozen, staff, workshop
):
    stale = Session.objects.get(pk=workshop.pk)
    services.session_cancel(session=workshop, by=staff, reason="台風接近のため")
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(
            session=stale, table=1, facilitator=cf.make_facilitator(), by=staff
        )
    assert "__all__" in _errors(excinfo)
    assert not Assignment.objects.exists()


def test_facilitator_assign_to_a_stale_session_moved_meanwhile_is_checked_as_it_is(
    frozen, staff, workshop
):
    stale = Session.objects.get(pk=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(hours=1),
        signup_closes_at=NOW - dt.timedelta(hours=2),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(
            session=stale, table=1, facilitator=cf.make_facilitator(), by=staff
        )
    assert "__all__" in _errors(excinfo)
    assert not Assignment.objects.exists()


def test_facilitator_assign_to_a_stale_session_with_fewer_tables_is_refused(
    frozen, staff, workshop
):
    stale = Session.objects.get(pk=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(tables=2)
    with pytest.raises(ValidationError) as excinfo:
        services.facilitator_assign(
            session=stale, table=4, facilitator=cf.make_facilitator(), by=staff
        )
    assert _errors(excinfo) == {"table": ["Choose a table from 1 to 2."]}


def test_facilitator_assign_by_other_department_is_refused(frozen, workshop):
    with pytest.raises(PermissionDenied):
        services.facilitator_assign(
            session=workshop,
            table=1,
            facilitator=cf.make_facilitator(),
            by=cf.council_staff("土木課"),
        )
    assert not Assignment.objects.exists()


def test_facilitator_unassign_mails_and_frees_the_table(
    frozen, staff, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    facilitator = cf.make_facilitator(factories.make_user("fac@example.jp"))
    assignment = cf.make_assignment(workshop, facilitator, table=2)
    with pytest.raises(PermissionDenied):
        services.facilitator_unassign(assignment=assignment, by=cf.council_staff("土木課"))
    with django_capture_on_commit_callbacks(execute=True):
        services.facilitator_unassign(assignment=assignment, by=staff)
    assert not Assignment.objects.exists()
    assert [m.to for m in mailoutbox] == [["fac@example.jp"]]
    services.facilitator_assign(session=workshop, table=2, facilitator=facilitator, by=staff)


def test_facilitator_unassign_refused_once_the_workshop_started(frozen, staff, workshop):
    assignment = cf.make_assignment(workshop)
    frozen.move_to(STARTS + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.facilitator_unassign(assignment=assignment, by=staff)
    assert Assignment.objects.count() == 1

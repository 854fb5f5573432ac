"""The councils' and sessions' workflows: each transition allowed and refused (by state, by
who: another department's staff, staff without the second factor), the reasons required, the
checks before announcing and publishing, and a cancellation telling every active sign-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from councils import services
from councils.models import (
    Assignment,
    Channel,
    Council,
    CouncilStatusChange,
    Opinion,
    Session,
    SessionStatusChange,
    Signup,
)
from councils.services.sessions import outputs_problems
from muroran_kyodo.lib.workflow import TransitionError
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import DEADLINE, ENDS, JST, STARTS

pytestmark = pytest.mark.django_db
C = Council.Status
S = Session.Status
SS = Signup.Status


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here (the catalogue's Japanese is tested elsewhere)."""
    with translation.override("en"):
        yield


@pytest.fixture
def other_staff(db):
    """土木課's clerk: a department that does not run the 高砂公園 council."""
    return cf.council_staff("土木課")


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Councils ----------------------------------------------------------------------------------


def _council_fields(**overrides):
    fields = {
        "title": "道の駅みたら室蘭魅力アップトーク",
        "department": cf.department("都市政策課"),
        "stage": Council.Stage.IDEA,
        "fiscal_year": 2026,
        "description": "道の駅の魅力を高める案を話し合います。",
    }
    fields.update(overrides)
    return fields


def test_council_create_makes_a_draft_with_history(frozen, staff):
    council = services.council_create(by=staff, **_council_fields(status=C.ACTIVE))

    assert council.pk and council.status == C.DRAFT
    history = council.status_changes.get()
    assert (history.old_status, history.new_status, history.by) == ("", C.DRAFT, staff)


def test_council_create_for_another_department_is_refused(frozen, staff, other_staff):
    with pytest.raises(PermissionDenied):
        services.council_create(by=other_staff, **_council_fields())
    with pytest.raises(ValidationError) as excinfo:
        services.council_create(by=staff, **_council_fields(department=None))
    assert "department" in _errors(excinfo)
    assert not Council.objects.exists()


def test_council_open_reflect_reopen(frozen, staff):
    council = cf.make_council(status=C.DRAFT)

    services.council_open(council=council, by=staff)
    assert Council.objects.get(pk=council.pk).status == C.ACTIVE

    council.summary = "日陰と遊具を求める声が多く出ました。"
    council.reflection = "日陰棚を基本計画に加えました。"
    council.reflected_on = dt.date(2026, 9, 1)
    council.save()
    services.council_reflect(council=council, by=staff)
    assert Council.objects.get(pk=council.pk).status == C.REFLECTED

    with pytest.raises(ValidationError) as excinfo:
        services.council_reopen(council=council, by=staff, reason="  ")
    assert "reason" in _errors(excinfo)
    services.council_reopen(council=council, by=staff, reason="第2期の検討を始めるため")
    council.refresh_from_db()
    assert council.status == C.ACTIVE and council.status_changed_at is not None
    assert list(
        CouncilStatusChange.objects.filter(council=council)
        .order_by("pk")
        .values_list("old_status", "new_status", "reason")
    ) == [
        (C.DRAFT, C.ACTIVE, ""),
        (C.ACTIVE, C.REFLECTED, ""),
        (C.REFLECTED, C.ACTIVE, "第2期の検討を始めるため"),
    ]


def test_council_reflect_needs_summary_reflection_and_date(frozen, staff):
    council = cf.make_council()
    with pytest.raises(ValidationError) as excinfo:
        services.council_reflect(council=council, by=staff)
    assert set(_errors(excinfo)) == {"summary", "reflection", "reflected_on"}
    council.summary = "まとめ"
    council.reflection = "反映"
    with pytest.raises(ValidationError) as excinfo:
        services.council_reflect(council=council, by=staff)
    assert set(_errors(excinfo)) == {"reflected_on"}
    assert Council.objects.get(pk=council.pk).status == C.ACTIVE


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (C.ACTIVE, "open"),
        (C.REFLECTED, "open"),
        (C.DRAFT, "reflect"),
        (C.REFLECTED, "reflect"),
        (C.DRAFT, "reopen"),
        (C.ACTIVE, "reopen"),
    ],
)
def test_council_transitions_refused_from_the_wrong_state(frozen, staff, status, action):
    council = cf.make_council(
        status=status,
        summary="まとめ",
        reflection="反映",
        reflected_on=dt.date(2026, 9, 1),
    )
    with pytest.raises(TransitionError):
        if action == "open":
            services.council_open(council=council, by=staff)
        elif action == "reflect":
            services.council_reflect(council=council, by=staff)
        else:
            services.council_reopen(council=council, by=staff, reason="理由")
    assert Council.objects.get(pk=council.pk).status == status


def test_council_transitions_by_other_department_or_without_second_factor_are_refused(
    frozen, staff, other_staff
):
    council = cf.make_council(status=C.DRAFT)
    with pytest.raises(PermissionDenied):
        services.council_open(council=council, by=other_staff)
    with pytest.raises(PermissionDenied):
        services.council_open(council=council, by=cf.without_second_factor(staff))
    with pytest.raises(PermissionDenied):
        services.council_open(council=council, by=factories.make_user("resident2@example.jp"))
    assert Council.objects.get(pk=council.pk).status == C.DRAFT
    superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    services.council_open(council=council, by=superuser)
    assert Council.objects.get(pk=council.pk).status == C.ACTIVE


# --- Sessions: creating and announcing ---------------------------------------------------------


def _session_fields(council, **overrides):
    fields = {
        "kind": Session.Kind.WORKSHOP,
        "council": council,
        "title": "公園の使い方を話そう",
        "starts_at": STARTS,
        "ends_at": ENDS,
        "signup_closes_at": DEADLINE,
        "venue_name": "室蘭市生涯学習センター きらん",
        "capacity": 20,
        "tables": 4,
    }
    fields.update(overrides)
    return fields


def test_session_create_takes_the_councils_department(frozen, staff):
    council = cf.make_council()
    session = services.session_create(
        by=staff,
        eligibility=Session.Eligibility.DISTRICTS,
        eligible_districts=[factories.district("東町")],
        **_session_fields(council),
    )
    assert session.pk and session.status == S.DRAFT
    assert session.department == council.department and session.fiscal_year == 2026
    assert [d.name for d in session.eligible_districts.all()] == ["東町"]
    assert session.status_changes.get().new_status == S.DRAFT


def test_session_create_refusals(frozen, staff, other_staff):
    council = cf.make_council()
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(
            by=staff, department=cf.department("土木課"), **_session_fields(council)
        )
    assert "department" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(by=staff, **_session_fields(None))
    assert "council" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(
            by=staff,
            **_session_fields(council, kind=Session.Kind.TRAINING, department=council.department),
        )
    assert "council" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(
            by=staff, **_session_fields(council, signup_closes_at=STARTS + dt.timedelta(hours=1))
        )
    assert "signup_closes_at" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.session_create(by=staff, **_session_fields(council, ends_at=STARTS))
    assert "ends_at" in _errors(excinfo)
    with pytest.raises(PermissionDenied):
        services.session_create(by=other_staff, **_session_fields(council))
    assert not Session.objects.exists()


def test_session_announce(frozen, staff):
    session = cf.make_workshop(status=S.DRAFT)
    services.session_announce(session=session, by=staff)
    session.refresh_from_db()
    assert session.status == S.SCHEDULED
    history = SessionStatusChange.objects.get(session=session)
    assert (history.old_status, history.new_status, history.by) == (S.DRAFT, S.SCHEDULED, staff)
    with pytest.raises(TransitionError):
        services.session_announce(session=session, by=staff)


def test_session_announce_refused_while_the_council_is_in_preparation(frozen, staff):
    session = cf.make_workshop(cf.make_council(status=C.DRAFT), status=S.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.session_announce(session=session, by=staff)
    assert _errors(excinfo)["__all__"] == ["Open the council before announcing its workshops."]
    assert Session.objects.get(pk=session.pk).status == S.DRAFT


def test_session_announce_needs_the_districts_when_restricted_to_districts(frozen, staff):
    session = cf.make_workshop(status=S.DRAFT, eligibility=Session.Eligibility.DISTRICTS)
    with pytest.raises(ValidationError) as excinfo:
        services.session_announce(session=session, by=staff)
    assert "eligible_districts" in _errors(excinfo)
    session.eligible_districts.add(factories.district("東町"))
    services.session_announce(session=session, by=staff)
    assert Session.objects.get(pk=session.pk).status == S.SCHEDULED


def test_session_transitions_by_other_department_or_without_second_factor(
    frozen, staff, other_staff
):
    session = cf.make_workshop(status=S.DRAFT)
    with pytest.raises(PermissionDenied):
        services.session_announce(session=session, by=other_staff)
    with pytest.raises(PermissionDenied):
        services.session_announce(session=session, by=cf.without_second_factor(staff))
    assert Session.objects.get(pk=session.pk).status == S.DRAFT


# --- Cancelling --------------------------------------------------------------------------------


def test_session_cancel_cancels_and_tells_every_active_signup(
    frozen, staff, workshop, resident, mailoutbox, django_capture_on_commit_callbacks
):
    registered = cf.make_signup(workshop, user=resident)
    waiting = cf.make_signup(workshop, status=SS.WAITING)
    unconfirmed = cf.make_signup(workshop, status=SS.UNCONFIRMED)
    by_phone = cf.make_signup(workshop, email="", phone="0143-22-1111", channel=Channel.PHONE)
    already = cf.make_signup(workshop, status=SS.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=workshop, by=staff, reason="台風接近のため")

    workshop.refresh_from_db()
    assert workshop.status == S.CANCELLED
    assert workshop.status_changes.get().reason == "台風接近のため"
    for signup in (registered, waiting, unconfirmed, by_phone, already):
        signup.refresh_from_db()
        assert signup.status == SS.CANCELLED
    for signup, old in (
        (registered, SS.REGISTERED),
        (waiting, SS.WAITING),
        (unconfirmed, SS.UNCONFIRMED),
        (by_phone, SS.REGISTERED),
    ):
        history = signup.status_changes.get()
        assert (history.old_status, history.new_status, history.by, history.reason) == (
            old,
            SS.CANCELLED,
            staff,
            "台風接近のため",
        )
    assert not already.status_changes.exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [registered.email, waiting.email, unconfirmed.email]
    )


def test_session_cancel_needs_a_reason_and_the_right_state_and_department(
    frozen, staff, other_staff, workshop, mailoutbox
):
    signup = cf.make_signup(workshop)
    with pytest.raises(ValidationError) as excinfo:
        services.session_cancel(session=workshop, by=staff, reason="")
    assert "reason" in _errors(excinfo)
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=workshop, by=other_staff, reason="中止")
    draft = cf.make_workshop(status=S.DRAFT)
    with pytest.raises(TransitionError):
        services.session_cancel(session=draft, by=staff, reason="中止")
    signup.refresh_from_db()
    assert signup.status == SS.REGISTERED and not mailoutbox
    assert Session.objects.get(pk=workshop.pk).status == S.SCHEDULED


def test_session_cancel_is_refused_once_the_session_has_started(
    frozen, staff, workshop, mailoutbox
):
    attended = cf.make_signup(workshop, attended_at=STARTS)
    for moment in (STARTS, ENDS + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as excinfo:
            services.session_cancel(session=workshop, by=staff, reason="誤操作", now=moment)
        assert "__all__" in _errors(excinfo)
    assert Session.objects.get(pk=workshop.pk).status == S.SCHEDULED
    assert Signup.objects.get(pk=attended.pk).status == SS.REGISTERED
    assert not mailoutbox
    # A minute before the start it still can be.
    services.session_cancel(
        session=workshop, by=staff, reason="台風", now=STARTS - dt.timedelta(minutes=1)
    )
    assert Session.objects.get(pk=workshop.pk).status == S.CANCELLED


def test_session_cancel_tells_the_facilitators_and_frees_them(
    frozen, staff, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.make_user("fac@example.jp", family_name="中島", given_name="一郎")
    facilitator = cf.make_facilitator(person)
    cf.make_assignment(workshop, facilitator, table=2)
    elsewhere = cf.make_workshop(cf.make_council(title="複合公共施設"))  # same time

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=workshop, by=staff, reason="台風接近のため")

    assert not Assignment.objects.filter(session=workshop).exists()
    [message] = mailoutbox
    assert message.to == ["fac@example.jp"]
    assert "中止" in message.subject and workshop.title in message.subject
    assert "2番テーブル" in message.body and "台風接近のため" in message.body
    assert "{{" not in message.body
    # The facilitator's time is free for the other workshop.
    services.facilitator_assign(session=elsewhere, table=1, facilitator=facilitator, by=staff)


# --- Changing a session (the admin's edit) -----------------------------------------------------


def test_session_change_refuses_a_capacity_below_those_registered(frozen, staff):
    session = cf.make_workshop(capacity=3)
    for _ in range(3):
        cf.make_signup(session)
    cf.make_signup(session, status=SS.WAITING)
    with pytest.raises(ValidationError) as excinfo:
        services.session_change(session=session, changes={"capacity": 2}, by=staff)
    assert _errors(excinfo) == {
        "capacity": ["The capacity cannot be less than the 3 people already registered."]
    }
    assert Session.objects.get(pk=session.pk).capacity == 3
    assert services.session_change(session=session, changes={"capacity": 3}, by=staff) == []


def test_session_change_raising_the_capacity_moves_people_up(
    frozen, staff, mailoutbox, django_capture_on_commit_callbacks
):
    session = cf.make_workshop(capacity=1)
    cf.make_signup(session)
    first = cf.make_signup(session, status=SS.WAITING, queued_at=STARTS - dt.timedelta(days=9))
    second = cf.make_signup(session, status=SS.WAITING, queued_at=STARTS - dt.timedelta(days=8))
    third = cf.make_signup(session, status=SS.WAITING, queued_at=STARTS - dt.timedelta(days=7))

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.session_change(session=session, changes={"capacity": 3}, by=staff)

    assert [s.pk for s in promoted] == [first.pk, second.pk]
    statuses = dict(Signup.objects.values_list("pk", "status"))
    assert [statuses[s.pk] for s in (first, second, third)] == [
        SS.REGISTERED,
        SS.REGISTERED,
        SS.WAITING,
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, second.email])
    assert session.capacity == 3 and Session.objects.get(pk=session.pk).capacity == 3


def test_session_change_refuses_times_that_double_book_a_facilitator(frozen, staff, workshop):
    facilitator = cf.make_facilitator()
    cf.make_assignment(workshop, facilitator, table=1)
    later = cf.make_workshop(cf.make_council(title="複合公共施設"), starts_at=ENDS)
    cf.make_assignment(later, facilitator, table=1)
    cancelled = cf.make_workshop(
        cf.make_council(title="道の駅"),
        status=S.CANCELLED,
        starts_at=STARTS - dt.timedelta(hours=3),
    )
    cf.make_assignment(cancelled, facilitator, table=1)

    moved = {"starts_at": STARTS + dt.timedelta(hours=1), "ends_at": ENDS + dt.timedelta(hours=1)}
    with pytest.raises(ValidationError) as excinfo:
        services.session_change(session=workshop, changes=moved, by=staff)
    assert list(_errors(excinfo)) == ["starts_at"]
    assert "would be at another workshop" in _errors(excinfo)["starts_at"][0]
    assert Session.objects.get(pk=workshop.pk).starts_at == STARTS
    # Earlier, over the cancelled one only: allowed.
    earlier = {"starts_at": STARTS - dt.timedelta(hours=2), "ends_at": STARTS}
    services.session_change(session=workshop, changes=earlier, by=staff)
    assert Session.objects.get(pk=workshop.pk).starts_at == STARTS - dt.timedelta(hours=2)


def test_session_change_saves_only_the_fields_changed_never_the_status(frozen, staff, workshop):
    stale = Session.objects.get(pk=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(status=S.CANCELLED, venue_name="別の会場")
    stale.title = "新しいテーマ"

    services.session_change(
        session=stale, changes={"title": "新しいテーマ", "status": S.DRAFT}, by=staff
    )

    saved = Session.objects.get(pk=workshop.pk)
    assert (saved.title, saved.status, saved.venue_name) == (
        "新しいテーマ",
        S.CANCELLED,
        "別の会場",
    )


def test_session_change_moved_to_another_fiscal_year_follows(frozen, staff, workshop):
    spring = dt.datetime(2027, 4, 3, 13, 30, tzinfo=JST)
    services.session_change(
        session=workshop,
        changes={"starts_at": spring, "ends_at": spring + dt.timedelta(hours=2)},
        by=staff,
    )
    assert Session.objects.get(pk=workshop.pk).fiscal_year == 2027


def test_session_change_refuses_times_out_of_order(frozen, staff, workshop):
    with pytest.raises(ValidationError) as excinfo:
        services.session_change(session=workshop, changes={"ends_at": STARTS}, by=staff)
    assert "ends_at" in _errors(excinfo)


def test_session_change_by_another_department_is_refused(frozen, other_staff, workshop):
    with pytest.raises(PermissionDenied):
        services.session_change(session=workshop, changes={"capacity": 50}, by=other_staff)
    assert Session.objects.get(pk=workshop.pk).capacity == workshop.capacity


# --- Outputs -----------------------------------------------------------------------------------


def _opinion(session):
    return Opinion.objects.create(
        session=session, table=1, theme="遊具", summary="日陰がほしい", notes=12
    )


def test_outputs_publish_refused_before_the_end(frozen, staff, workshop):
    workshop.report = "24名が参加し、4テーブルで話し合いました。"
    workshop.save()
    _opinion(workshop)
    frozen.move_to(ENDS - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as excinfo:
        services.outputs_publish(session=workshop, by=staff)
    assert _errors(excinfo) == {
        "__all__": ["The outputs can be published once the workshop has taken place."]
    }
    assert Session.objects.get(pk=workshop.pk).status == S.SCHEDULED


def test_outputs_publish_needs_a_report_and_opinions(frozen, staff, workshop):
    frozen.move_to(ENDS + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as excinfo:
        services.outputs_publish(session=workshop, by=staff)
    assert _errors(excinfo) == {
        "report": ["Write the short report of the workshop."],
        "__all__": ["Enter the opinions of at least one table."],
    }
    workshop.report = "24名が参加しました。"
    workshop.save()
    with pytest.raises(ValidationError) as excinfo:
        services.outputs_publish(session=workshop, by=staff)
    assert set(_errors(excinfo)) == {"__all__"}
    _opinion(workshop)
    assert outputs_problems(workshop, now=ENDS + dt.timedelta(days=3)) == {}
    services.outputs_publish(session=workshop, by=staff)
    assert Session.objects.get(pk=workshop.pk).status == S.PUBLISHED


def test_outputs_problems_lists_everything_missing_at_once(frozen, workshop):
    problems = outputs_problems(workshop, now=ENDS - dt.timedelta(hours=1))
    assert set(problems) == {"__all__", "report"} and len(problems["__all__"]) == 2


def test_outputs_publish_refused_for_a_training_a_draft_and_other_departments(
    frozen, staff, other_staff
):
    frozen.move_to(ENDS + dt.timedelta(days=1))
    training = cf.make_training(report="報告")
    with pytest.raises(TransitionError):
        services.outputs_publish(session=training, by=cf.pool_keeper())
    draft = cf.make_workshop(status=S.DRAFT, report="報告")
    _opinion(draft)
    with pytest.raises(TransitionError):
        services.outputs_publish(session=draft, by=staff)
    ready = cf.make_workshop(report="報告")
    _opinion(ready)
    with pytest.raises(PermissionDenied):
        services.outputs_publish(session=ready, by=other_staff)
    with pytest.raises(PermissionDenied):
        services.outputs_publish(session=ready, by=cf.without_second_factor(staff))
    assert Session.objects.get(pk=ready.pk).status == S.SCHEDULED


def test_outputs_withdraw_needs_a_reason(frozen, staff):
    session = cf.make_workshop(status=S.PUBLISHED, report="報告")
    with pytest.raises(ValidationError) as excinfo:
        services.outputs_withdraw(session=session, by=staff, reason="")
    assert "reason" in _errors(excinfo)
    services.outputs_withdraw(session=session, by=staff, reason="写真の差し替え")
    session.refresh_from_db()
    assert session.status == S.SCHEDULED
    assert session.status_changes.get().reason == "写真の差し替え"
    with pytest.raises(TransitionError):
        services.outputs_withdraw(session=session, by=staff, reason="もう一度")


def test_a_cancelled_session_goes_nowhere(frozen, staff):
    session = cf.make_workshop(
        status=S.CANCELLED, starts_at=dt.datetime(2026, 5, 1, 10, tzinfo=JST)
    )
    with pytest.raises(TransitionError):
        services.session_announce(session=session, by=staff)
    with pytest.raises(TransitionError):
        services.outputs_publish(session=session, by=staff)


def test_each_named_transition_starts_from_its_own_state(frozen, staff):
    """Two transitions lead back to 告知 (announce, withdraw): neither passes for the other."""
    published = cf.make_workshop(status=S.PUBLISHED, report="報告")
    with pytest.raises(TransitionError):
        services.session_announce(session=published, by=staff)
    draft = cf.make_workshop(status=S.DRAFT)
    with pytest.raises(TransitionError):
        services.outputs_withdraw(session=draft, by=staff, reason="理由")
    assert Session.objects.get(pk=published.pk).status == S.PUBLISHED
    assert Session.objects.get(pk=draft.pk).status == S.DRAFT

"""The write paths of enとーく: a request's rules and refusals, each scheduling transition with
its history and e-mail, the mayor's diary, the record and the follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from entalk import services
from entalk.models import (
    Block,
    Channel,
    FollowUp,
    FollowUpChange,
    Request,
    Slot,
)
from muroran_kyodo.lib.workflow import TransitionError
from organizations.models import Membership, Organization
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import JST, NOW, SLOT_1, SLOT_2, SLOT_3

pytestmark = pytest.mark.django_db
S = Request.Status


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here (the catalogue's Japanese is tested elsewhere)."""
    with translation.override("en"):
        yield


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Requests ----------------------------------------------------------------------------------


def test_a_request_gets_a_receipt_number_its_slots_history_and_a_mail(
    frozen, representative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ef.make_request(by=representative)
        second = ef.make_request()

    assert first.number == "EN-2026-00001" and second.number == "EN-2026-00002"
    assert first.user == representative and first.channel == Channel.WEB
    assert first.received_at == NOW and first.fiscal_year == 2026
    assert list(first.slots.values_list("position", "starts_at")) == [
        (1, SLOT_1),
        (2, SLOT_2),
        (3, SLOT_3),
    ]
    assert [t.name for t in first.themes.all()] == ["子育て・教育"]
    history = first.status_changes.get()
    assert (history.old_status, history.new_status, history.by) == ("", S.REQUESTED, representative)
    received = [m for m in mail.outbox if "EN-2026-00001" in m.subject]
    assert len(received) == 1 and received[0].to == ["hanako@example.jp"]
    assert "EN-2026-00001" in received[0].body and "輪西町会館" in received[0].body


def test_the_second_and_third_slots_are_optional(frozen, representative):
    request = ef.make_request(by=representative, slots=[SLOT_2, None, None])
    assert list(request.slots.values_list("position", "starts_at")) == [(1, SLOT_2)]


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        (NOW - dt.timedelta(hours=1), "already passed"),
        (dt.datetime(2026, 7, 14, 18, 0, tzinfo=JST), "Choose a date from 2026/07/15"),
    ],
)
def test_a_slot_in_the_past_or_inside_the_lead_time_is_refused(
    frozen, representative, slot, message
):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, slots=[SLOT_1, slot, None])
    errors = _errors(excinfo)
    assert list(errors) == ["slot_2"] and message in errors["slot_2"][0]
    assert not Request.objects.exists() and not Slot.objects.exists()


def test_the_first_day_after_the_lead_time_is_accepted(frozen, representative):
    first_allowed = dt.datetime(2026, 7, 15, 9, 0, tzinfo=JST)
    request = ef.make_request(by=representative, slots=[first_allowed])
    assert request.slots.get().starts_at == first_allowed


def test_a_slot_when_the_mayor_is_unavailable_or_repeated_is_refused(frozen, representative, staff):
    services.block_create(
        starts_at=SLOT_2 - dt.timedelta(hours=1), ends_at=SLOT_2 + dt.timedelta(hours=1), by=staff
    )
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, slots=[SLOT_1, SLOT_2, SLOT_1])
    errors = _errors(excinfo)
    assert "not available" in errors["slot_2"][0]
    assert "same date and time" in errors["slot_3"][0]
    assert "slot_1" not in errors


def test_a_slot_that_only_ends_inside_a_block_is_refused(frozen, representative, staff):
    """A 90-minute session starting 14:00 runs into a block from 15:00."""
    services.block_create(
        starts_at=SLOT_1 + dt.timedelta(hours=1), ends_at=SLOT_1 + dt.timedelta(hours=3), by=staff
    )
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, slots=[SLOT_1])
    assert "slot_1" in _errors(excinfo)


def test_no_slot_at_all_is_refused(frozen, representative):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, slots=[None, None, None])
    assert "slot_1" in _errors(excinfo)


def test_too_few_participants_is_refused_with_the_minimum(frozen, representative, settings):
    settings.ENTALK = {**settings.ENTALK, "MIN_PARTICIPANTS": 15}
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, participants_expected=14)
    assert "15" in _errors(excinfo)["participants_expected"][0]
    assert ef.make_request(by=representative, participants_expected=15).pk


@pytest.mark.parametrize(
    ("postal_code", "address"),
    [
        ("059-0012", "登別市中央町1丁目"),  # 登別市
        ("052-0021", "伊達市末永町"),  # 伊達市
        ("050-0081", "登別市若草町1丁目"),  # a Muroran postal code with another city's address
        ("100-0001", "千代田区千代田1-1"),
    ],
)
def test_a_venue_outside_the_city_is_refused(frozen, representative, postal_code, address):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, venue_postal_code=postal_code, venue_address=address)
    assert "Muroran" in _errors(excinfo)["venue_address"][0]


@pytest.mark.parametrize(
    ("postal_code", "address"),
    [
        ("050-0081", "日の出町1丁目1-1"),
        ("0510011", "北海道室蘭市中央町2丁目"),
        ("０５１－００１１", "室蘭市中央町２丁目"),
    ],
)
def test_a_venue_in_the_city_is_accepted(postal_code, address):
    assert services.venue_in_city(postal_code, address)


def test_a_second_open_request_of_the_same_representative_is_refused(frozen, representative):
    first = ef.make_request(by=representative)
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, group_name="別のサークル")
    assert first.number in _errors(excinfo)["__all__"][0]
    assert Request.objects.count() == 1


def test_after_a_cancellation_the_group_may_request_again(frozen, representative):
    first = ef.make_request(by=representative)
    services.request_cancel(request=first, by=representative, reason="都合がつかなくなりました")
    assert ef.make_request(by=representative).pk != first.pk


def test_an_organisation_has_one_open_request_whoever_of_its_managers_sends_it(frozen):
    representative = factories.make_user("daihyo@example.jp")
    contact = factories.make_user("tanto@example.jp")
    organization = factories.make_organization(representative=representative)
    factories.add_member(organization, contact, Membership.Role.CONTACT)
    first = ef.make_request(by=representative, organization=organization)
    assert first.group_name == organization.name and first.organization == organization
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=contact, organization=organization)
    assert first.number in _errors(excinfo)["__all__"][0]


def test_a_plain_member_or_an_outsider_cannot_request_for_an_organisation(frozen):
    organization = factories.make_organization(representative=factories.make_user("r@example.jp"))
    member = factories.make_user("member@example.jp")
    factories.add_member(organization, member, Membership.Role.MEMBER)
    for user in (member, factories.make_user("outsider@example.jp")):
        with pytest.raises(PermissionDenied):
            ef.make_request(by=user, organization=organization)
    assert not Request.objects.exists()


def test_an_organisation_not_yet_verified_cannot_request(frozen):
    representative = factories.make_user("r@example.jp")
    organization = factories.make_organization(
        representative=representative, status=Organization.Status.PENDING
    )
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, organization=organization)
    assert "organization" in _errors(excinfo)


def test_a_web_request_needs_an_e_mail_address(frozen, representative):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, email="")
    assert "email" in _errors(excinfo)


def test_staff_key_in_a_phone_request_counted_from_when_it_was_received(
    frozen, staff, django_capture_on_commit_callbacks
):
    """A phone call taken ten days ago: the lead time runs from the call, so a slot 25 days
    from now (35 days after the call) is fine; no e-mail address, no mail."""
    received = NOW - dt.timedelta(days=10)
    slot = dt.datetime(2026, 7, 10, 14, 0, tzinfo=JST)
    with django_capture_on_commit_callbacks(execute=True):
        request = ef.make_request(
            by=staff,
            channel=Channel.PHONE,
            received_at=received,
            slots=[slot],
            email="",
            user=None,
        )
    assert request.received_at == received and request.created_by == staff
    assert request.user is None and request.status_changes.get().by == staff
    assert not mail.outbox


def test_a_resident_cannot_key_in_a_paper_request(frozen, representative):
    with pytest.raises(PermissionDenied):
        ef.make_request(by=representative, channel=Channel.PAPER, received_at=NOW)


def test_an_anonymous_person_cannot_request(frozen):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.request_create(by=AnonymousUser(), **ef.request_fields())


# --- Scheduling --------------------------------------------------------------------------------


def test_accepting_a_preferred_slot_confirms_the_session(
    entalk_request, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_accept(
            request=entalk_request, slot=entalk_request.slots.get(position=2), by=staff
        )
    request.refresh_from_db()
    assert request.status == S.CONFIRMED
    assert request.starts_at == SLOT_2 and request.ends_at == SLOT_2 + dt.timedelta(minutes=90)
    assert request.held_fiscal_year == 2026
    change = request.status_changes.first()
    assert (change.old_status, change.new_status, change.by, change.starts_at) == (
        S.REQUESTED,
        S.CONFIRMED,
        staff,
        SLOT_2,
    )
    (message,) = mail.outbox
    assert request.number in message.subject and "2026/07/22" in message.body


def test_a_slot_of_another_request_cannot_be_accepted(entalk_request, staff):
    other = ef.make_request()
    with pytest.raises(ValidationError):
        services.request_accept(request=entalk_request, slot=other.slots.first(), by=staff)


def test_a_resident_cannot_accept_a_slot(entalk_request, representative):
    with pytest.raises(PermissionDenied):
        services.request_accept(
            request=entalk_request, slot=entalk_request.slots.first(), by=representative
        )
    assert Request.objects.get(pk=entalk_request.pk).status == S.REQUESTED


def test_two_sessions_never_overlap_in_the_mayors_diary(entalk_request, staff):
    """Both groups chose times while the diary was empty; once one is confirmed the other,
    overlapping by 30 minutes, is refused and stays waiting."""
    other = ef.make_request(slots=[SLOT_1 + dt.timedelta(minutes=60)])
    ef.confirm(entalk_request, staff=staff, slot=1)
    with pytest.raises(TransitionError, match="no longer available"):
        ef.confirm(other, staff=staff, slot=1)
    other.refresh_from_db()
    assert other.status == S.REQUESTED and other.starts_at is None
    # Right after the first session ends is free.
    after = ef.make_request(slots=[SLOT_1 + dt.timedelta(minutes=90)])
    assert ef.confirm(after, staff=staff).status == S.CONFIRMED


def test_a_session_is_not_confirmed_over_a_block_entered_after_the_request(entalk_request, staff):
    Block.objects.create(starts_at=SLOT_1, ends_at=SLOT_1 + dt.timedelta(hours=2))
    with pytest.raises(TransitionError):
        ef.confirm(entalk_request, staff=staff, slot=1)
    assert ef.confirm(entalk_request, staff=staff, slot=2).starts_at == SLOT_2


def test_a_block_is_refused_over_a_confirmed_session(entalk_request, staff):
    ef.confirm(entalk_request, staff=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.block_create(
            starts_at=SLOT_1 + dt.timedelta(minutes=30),
            ends_at=SLOT_1 + dt.timedelta(hours=3),
            by=staff,
        )
    assert entalk_request.number in _errors(excinfo)["starts_at"][0]
    assert not Block.objects.exists()


def test_only_entalk_staff_block_the_diary(frozen, representative):
    with pytest.raises(PermissionDenied):
        services.block_create(starts_at=SLOT_1, ends_at=SLOT_2, by=representative)
    with pytest.raises(PermissionDenied):
        services.block_create(starts_at=SLOT_1, ends_at=SLOT_2, by=ef.department_staff())


def test_the_busy_list_merges_sessions_and_blocks_without_reasons(entalk_request, staff):
    ef.confirm(entalk_request, staff=staff)
    services.block_create(
        starts_at=SLOT_1 + dt.timedelta(minutes=90),
        ends_at=SLOT_1 + dt.timedelta(hours=3),
        by=staff,
        note="道議会",
    )
    services.block_create(starts_at=SLOT_3, ends_at=SLOT_3 + dt.timedelta(hours=1), by=staff)
    busy = services.busy_between(NOW, NOW + dt.timedelta(days=60))
    assert [(b.starts_at, b.ends_at) for b in busy] == [
        (SLOT_1, SLOT_1 + dt.timedelta(hours=3)),
        (SLOT_3, SLOT_3 + dt.timedelta(hours=1)),
    ]


def test_a_proposed_date_accepted_by_the_group_confirms_the_session(
    entalk_request, staff, representative, django_capture_on_commit_callbacks
):
    other_time = dt.datetime(2026, 8, 3, 15, 0, tzinfo=JST)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_propose(request=entalk_request, starts_at=other_time, by=staff)
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.PROPOSED and entalk_request.starts_at == other_time
    assert "2026/08/03" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(request=entalk_request, by=representative)
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CONFIRMED and entalk_request.starts_at == other_time
    assert [c.new_status for c in entalk_request.status_changes.order_by("at", "pk")] == [
        S.REQUESTED,
        S.PROPOSED,
        S.CONFIRMED,
    ]
    assert len(mail.outbox) == 2


def test_a_declined_proposal_goes_back_to_the_staff_with_the_reason(
    entalk_request, staff, representative
):
    services.request_propose(
        request=entalk_request, starts_at=dt.datetime(2026, 8, 3, 15, 0, tzinfo=JST), by=staff
    )
    with pytest.raises(ValidationError):
        services.proposal_decline(request=entalk_request, by=representative, reason=" ")
    services.proposal_decline(
        request=entalk_request, by=representative, reason="平日の昼は無理です"
    )
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED and entalk_request.starts_at is None
    assert entalk_request.status_changes.first().reason == "平日の昼は無理です"


def test_another_resident_cannot_answer_a_proposal(entalk_request, staff):
    services.request_propose(
        request=entalk_request, starts_at=dt.datetime(2026, 8, 3, 15, 0, tzinfo=JST), by=staff
    )
    stranger = factories.make_user("stranger@example.jp")
    with pytest.raises(PermissionDenied):
        services.proposal_accept(request=entalk_request, by=stranger)
    with pytest.raises(PermissionDenied):
        services.proposal_decline(request=entalk_request, by=stranger, reason="x")


def test_a_proposal_the_diary_filled_meanwhile_cannot_be_accepted(
    entalk_request, staff, representative
):
    other_time = dt.datetime(2026, 8, 3, 15, 0, tzinfo=JST)
    services.request_propose(request=entalk_request, starts_at=other_time, by=staff)
    services.block_create(
        starts_at=other_time, ends_at=other_time + dt.timedelta(hours=1), by=staff
    )
    with pytest.raises(TransitionError, match="no longer available"):
        services.proposal_accept(request=entalk_request, by=representative)
    assert Request.objects.get(pk=entalk_request.pk).status == S.PROPOSED


def test_a_proposal_must_be_free_and_in_the_future(entalk_request, staff):
    ef.confirm(ef.make_request(slots=[SLOT_3]), staff=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.request_propose(request=entalk_request, starts_at=SLOT_3, by=staff)
    assert "starts_at" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.request_propose(
            request=entalk_request, starts_at=NOW - dt.timedelta(days=1), by=staff
        )


def test_moving_a_confirmed_session_needs_a_reason_and_frees_its_time(
    entalk_request, staff, django_capture_on_commit_callbacks
):
    ef.confirm(entalk_request, staff=staff)
    later = dt.datetime(2026, 8, 10, 14, 0, tzinfo=JST)
    with pytest.raises(ValidationError):
        services.request_propose(request=entalk_request, starts_at=later, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_propose(
            request=entalk_request, starts_at=later, by=staff, reason="公務のため"
        )
    assert not Request.objects.overlapping(SLOT_1, SLOT_1 + dt.timedelta(hours=1)).exists()
    (message,) = mail.outbox
    # The group is told the confirmed date has to move (not that its dates did not suit).
    assert "決定していた日時" in message.body and "公務のため" in message.body
    assert "2026/08/10" in message.body


def test_declining_needs_a_reason_which_the_group_reads(
    entalk_request, staff, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.request_decline(request=entalk_request, by=staff, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(request=entalk_request, by=staff, reason="選挙期間中のため")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.DECLINED
    assert entalk_request.decline_reason == "選挙期間中のため"
    assert "選挙期間中のため" in mail.outbox[-1].body


def test_either_side_cancels_a_confirmed_session_which_frees_the_mayors_time(
    entalk_request, staff, representative, django_capture_on_commit_callbacks
):
    ef.confirm(entalk_request, staff=staff)
    services.request_cancel(
        request=entalk_request, by=representative, reason="会場が使えなくなった"
    )
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CANCELLED and entalk_request.held_fiscal_year is None
    assert not Request.objects.overlapping(SLOT_1, SLOT_1 + dt.timedelta(hours=1)).exists()
    second = ef.make_request(slots=[SLOT_1])
    services.request_cancel(request=second, by=staff, reason="市長の公務")
    assert Request.objects.get(pk=second.pk).status == S.CANCELLED


def test_a_stranger_cannot_cancel_and_a_finished_request_cannot_change(entalk_request, staff):
    with pytest.raises(PermissionDenied):
        services.request_cancel(
            request=entalk_request, by=factories.make_user("x@example.jp"), reason="x"
        )
    services.request_decline(request=entalk_request, by=staff, reason="日程が合わない")
    with pytest.raises(TransitionError):
        services.request_cancel(request=entalk_request, by=staff, reason="x")
    with pytest.raises(TransitionError):
        ef.confirm(entalk_request, staff=staff)


def test_two_clerks_acting_on_the_same_request_one_wins(entalk_request, staff):
    """The second clerk's copy is stale: compare-and-set refuses it, nothing overwritten."""
    stale = Request.objects.get(pk=entalk_request.pk)
    services.request_decline(request=entalk_request, by=staff, reason="日程が合わない")
    with pytest.raises(TransitionError):
        services.request_accept(request=stale, slot=stale.slots.first(), by=staff)
    assert Request.objects.get(pk=entalk_request.pk).status == S.DECLINED


# --- The record --------------------------------------------------------------------------------


def test_the_record_is_published_after_the_session_with_participants_and_a_topic(
    entalk_request, staff, frozen, django_capture_on_commit_callbacks
):
    ef.confirm(entalk_request, staff=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.record_publish(request=entalk_request, by=staff)
    errors = _errors(excinfo)
    assert "participants" in errors and len(errors["__all__"]) == 2
    frozen.move_to(SLOT_1 + dt.timedelta(days=7))
    request = ef.held(entalk_request, participants=0, topics=0)
    with pytest.raises(ValidationError):
        services.record_publish(request=request, by=staff)
    request = ef.held(entalk_request, participants=23, topics=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_publish(request=request, by=staff)
    request.refresh_from_db()
    assert request.status == S.PUBLISHED and request.published_at is not None
    assert "記録を公表しました" in mail.outbox[-1].subject
    assert request.get_absolute_url() in mail.outbox[-1].body


def test_a_published_session_keeps_the_mayors_time(entalk_request, staff, frozen):
    ef.confirm(entalk_request, staff=staff)
    frozen.move_to(SLOT_1 + dt.timedelta(days=1))
    ef.held(entalk_request, publish=True, staff=staff)
    assert Request.objects.overlapping(SLOT_1, SLOT_1 + dt.timedelta(minutes=10)).exists()


# --- Follow-ups --------------------------------------------------------------------------------


def _follow_up(request, staff, department="土木課"):
    return services.follow_up_open(
        request=request,
        department=ef.department(department),
        matter="輪西公園の遊具の更新",
        topic=request.topics.first(),
        by=staff,
    )


# The day after the session at SLOT_1: follow-ups are opened once it has taken place.
HELD = SLOT_1 + dt.timedelta(days=1)


def _held(request, staff, frozen):
    ef.confirm(request, staff=staff)
    frozen.move_to(HELD)
    return request


def test_a_follow_up_is_opened_by_entalk_staff_once_the_session_took_place(
    entalk_request, staff, frozen
):
    with pytest.raises(ValidationError):
        _follow_up(entalk_request, staff)  # not confirmed yet
    ef.confirm(entalk_request, staff=staff)
    with pytest.raises(ValidationError):
        _follow_up(entalk_request, staff)  # confirmed, not yet held
    frozen.move_to(SLOT_1 + dt.timedelta(minutes=90))
    with pytest.raises(PermissionDenied):
        _follow_up(entalk_request, ef.department_staff())
    follow_up = _follow_up(entalk_request, staff)
    assert follow_up.status == FollowUp.Status.CONSIDERING
    assert follow_up.status_changes.get().new_status == FollowUp.Status.CONSIDERING


def test_the_department_changes_its_follow_up_each_step_dated_with_its_answer(
    entalk_request, staff, frozen, django_capture_on_commit_callbacks
):
    _held(entalk_request, staff, frozen)
    follow_up = _follow_up(entalk_request, staff)
    clerk = ef.department_staff("土木課")
    frozen.move_to(HELD + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_up_change(
            follow_up=follow_up,
            status=FollowUp.Status.IN_PROGRESS,
            answer="現地を確認しました。",
            by=clerk,
        )
    frozen.move_to(HELD + dt.timedelta(days=40))
    with pytest.raises(ValidationError) as excinfo:
        services.follow_up_change(
            follow_up=follow_up, status=FollowUp.Status.DONE, answer="", by=clerk
        )
    assert "answer" in _errors(excinfo)
    services.follow_up_change(
        follow_up=follow_up, status=FollowUp.Status.DONE, answer="遊具を更新しました。", by=clerk
    )
    steps = list(
        FollowUpChange.objects.filter(follow_up=follow_up)
        .order_by("at", "pk")
        .values_list("new_status", "answer", "at")
    )
    assert steps == [
        (FollowUp.Status.CONSIDERING, "", HELD),
        (FollowUp.Status.IN_PROGRESS, "現地を確認しました。", HELD + dt.timedelta(days=3)),
        (FollowUp.Status.DONE, "遊具を更新しました。", HELD + dt.timedelta(days=40)),
    ]
    message = mail.outbox[-1]
    assert message.to == ["hanako@example.jp"] and "現地を確認しました。" in message.body


def test_another_department_and_the_entalk_staff_cannot_change_a_follow_up(
    entalk_request, staff, frozen
):
    _held(entalk_request, staff, frozen)
    follow_up = _follow_up(entalk_request, staff, department="土木課")
    for user in (ef.department_staff("環境課"), staff):
        with pytest.raises(PermissionDenied):
            services.follow_up_change(
                follow_up=follow_up, status=FollowUp.Status.DONE, answer="対応しました", by=user
            )
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUp.Status.CONSIDERING


def test_an_unchanged_follow_up_is_not_a_step(entalk_request, staff, frozen):
    _held(entalk_request, staff, frozen)
    follow_up = _follow_up(entalk_request, staff)
    with pytest.raises(ValidationError):
        services.follow_up_change(
            follow_up=follow_up,
            status=FollowUp.Status.CONSIDERING,
            answer="",
            by=ef.department_staff(),
        )


def test_a_follow_up_open_longer_than_the_setting_is_overdue(
    entalk_request, staff, frozen, settings
):
    settings.ENTALK = {**settings.ENTALK, "FOLLOW_UP_OVERDUE_DAYS": 60}
    _held(entalk_request, staff, frozen)
    follow_up = _follow_up(entalk_request, staff)
    frozen.move_to(HELD + dt.timedelta(days=60))
    assert not FollowUp.objects.overdue_at(HELD + dt.timedelta(days=60)).exists()
    later = HELD + dt.timedelta(days=61)
    assert list(FollowUp.objects.overdue_at(later)) == [follow_up]
    assert follow_up.is_overdue_at(later)
    FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUp.Status.DONE)
    assert not FollowUp.objects.overdue_at(later).exists()


def test_participants_by_actor_type_cannot_add_up_to_more_than_the_total(
    entalk_request, staff, frozen
):
    from entalk.models import ParticipantCount
    from tests import factories as f

    ef.confirm(entalk_request, staff=staff)
    frozen.move_to(HELD)
    request = ef.held(entalk_request, participants=20)
    ParticipantCount.objects.create(request=request, actor_type=f.actor_type("npo"), count=15)
    ParticipantCount.objects.create(request=request, actor_type=f.actor_type("individual"), count=8)
    with pytest.raises(ValidationError) as excinfo:
        services.record_publish(request=request, by=staff)
    assert "23" in _errors(excinfo)["participants"][0]
    request.participant_counts.filter(count=8).update(count=5)
    assert services.record_publish(request=request, by=staff).status == S.PUBLISHED


@pytest.mark.parametrize(
    "slot",
    [dt.datetime(2028, 6, 16, 10, 0, tzinfo=JST), dt.datetime(9999, 12, 31, 23, 0, tzinfo=JST)],
)
def test_a_date_more_than_two_years_ahead_is_refused(frozen, representative, staff, slot):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(by=representative, slots=[slot])
    assert "two years" in _errors(excinfo)["slot_1"][0]
    request = ef.make_request(by=representative)
    with pytest.raises(ValidationError):
        services.request_propose(request=request, starts_at=slot, by=staff)


def test_staff_cannot_key_in_a_request_received_in_the_future(frozen, staff):
    with pytest.raises(ValidationError) as excinfo:
        ef.make_request(
            by=staff, channel=Channel.PHONE, received_at=NOW + dt.timedelta(hours=1), user=None
        )
    assert "received_at" in _errors(excinfo)


def test_staff_record_a_phone_answer_and_a_stranger_still_cannot(entalk_request, staff):
    services.request_propose(
        request=entalk_request, starts_at=dt.datetime(2026, 8, 3, 15, 0, tzinfo=JST), by=staff
    )
    with pytest.raises(PermissionDenied):
        services.proposal_accept(request=entalk_request, by=ef.department_staff())
    services.proposal_accept(request=entalk_request, by=staff)
    assert Request.objects.get(pk=entalk_request.pk).status == S.CONFIRMED

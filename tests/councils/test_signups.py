"""Sign-ups through the services: places and the waiting list, cancellation and promotion,
the guest's e-mail link, deadlines, eligibility, duplicates, staff keying in, attendance and
the erasure of needs. The clock is frozen at NOW (three weeks before the workshop)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from councils import services
from councils.models import Channel, Session, Signup, SignupStatusChange
from councils.services import signups as signup_services
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import DEADLINE, ENDS, NOW, STARTS

S = Signup.Status
pytestmark = pytest.mark.django_db


def _message(error: ValidationError, field: str = "__all__") -> str:
    return " ".join(error.message_dict[field])


def _sign_up(session, user=None, **fields):
    values = {"session": session, "user": user, "name": "輪西 花子", "now": NOW}
    if user is None:
        values.setdefault("email", f"guest{Signup.objects.count()}@example.jp")
    values.update(fields)
    return services.signup_create(**values)


def _people(n):
    return [factories.make_user(f"person{i}@example.jp") for i in range(n)]


# --- Places and the waiting list ----------------------------------------------------------------


def test_it_registers_up_to_the_capacity_then_queues_in_order(frozen):
    session = cf.make_workshop(capacity=2)
    people = _people(4)
    signups = []
    for i, person in enumerate(people):
        signups.append(_sign_up(session, person, now=NOW + dt.timedelta(minutes=i)))

    assert [s.status for s in signups] == [S.REGISTERED, S.REGISTERED, S.WAITING, S.WAITING]
    waiting = list(Signup.objects.filter(session=session).waiting())
    assert waiting == signups[2:]
    assert signups[2].queued_at < signups[3].queued_at
    assert services.places_left(session) == 0
    assert len({s.code for s in signups}) == 4


def test_places_left_reads_an_annotation_when_given(workshop):
    _sign_up(workshop, factories.make_user())
    assert services.places_left(workshop) == workshop.capacity - 1
    workshop.registered_count = 5
    assert services.places_left(workshop) == workshop.capacity - 5


def test_it_e_mails_the_place_or_the_waiting_list(frozen, django_capture_on_commit_callbacks):
    session = cf.make_workshop(capacity=1)
    first, second = _people(2)
    with django_capture_on_commit_callbacks(execute=True):
        registered = _sign_up(session, first)
        waiting = _sign_up(session, second)

    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]
    assert registered.code in mail.outbox[0].body
    assert session.title in mail.outbox[0].subject
    assert "令和8年7月4日" in mail.outbox[0].body
    assert "キャンセル待ち" in mail.outbox[1].subject
    assert waiting.code not in mail.outbox[1].body


def test_cancelling_a_place_promotes_the_first_waiting_with_an_e_mail(
    frozen, django_capture_on_commit_callbacks
):
    session = cf.make_workshop(capacity=1)
    holder, first, second = _people(3)
    registered = _sign_up(session, holder)
    waiting_1 = _sign_up(session, first, now=NOW + dt.timedelta(minutes=1))
    waiting_2 = _sign_up(session, second, now=NOW + dt.timedelta(minutes=2))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=registered, by=holder, reason="都合", now=NOW)

    statuses = dict(Signup.objects.values_list("pk", "status"))
    assert statuses == {
        registered.pk: S.CANCELLED,
        waiting_1.pk: S.REGISTERED,
        waiting_2.pk: S.WAITING,
    }
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted([(holder.email,), (first.email,)])
    promoted = next(m for m in mail.outbox if m.to == [first.email])
    assert "参加が決まりました" in promoted.subject and waiting_1.code in promoted.body
    history = SignupStatusChange.objects.filter(signup=registered).order_by("at", "pk")
    assert [(h.old_status, h.new_status) for h in history] == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.CANCELLED),
    ]
    assert history.last().by == holder and history.last().reason == "都合"
    assert SignupStatusChange.objects.filter(
        signup=waiting_1, old_status=S.WAITING, new_status=S.REGISTERED
    ).exists()


def test_cancelling_from_the_waiting_list_promotes_nobody(frozen):
    session = cf.make_workshop(capacity=1)
    holder, first, second = _people(3)
    _sign_up(session, holder)
    waiting_1 = _sign_up(session, first)
    waiting_2 = _sign_up(session, second)

    services.signup_cancel(signup=waiting_1, by=first, now=NOW)

    assert Signup.objects.get(pk=waiting_2.pk).status == S.WAITING
    assert Signup.objects.filter(session=session, status=S.REGISTERED).count() == 1


def test_cancelling_twice_is_refused(workshop, resident):
    signup = _sign_up(workshop, resident)
    services.signup_cancel(signup=signup, by=resident, now=NOW)
    with pytest.raises(ValidationError), translation.override("en"):
        services.signup_cancel(signup=signup, by=resident, now=NOW)


def test_cancel_is_refused_once_the_session_has_started(workshop, resident):
    signup = _sign_up(workshop, resident)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.signup_cancel(signup=signup, by=resident, now=STARTS)
    assert "started" in _message(refused.value)
    assert Signup.objects.get(pk=signup.pk).status == S.REGISTERED
    # A minute before the start it still can be.
    services.signup_cancel(signup=signup, by=resident, now=STARTS - dt.timedelta(minutes=1))
    assert Signup.objects.get(pk=signup.pk).status == S.CANCELLED


def test_another_person_cannot_cancel_a_sign_up(workshop, resident):
    signup = _sign_up(workshop, resident)
    with pytest.raises(PermissionDenied):
        services.signup_cancel(signup=signup, by=factories.make_user(), now=NOW)
    with pytest.raises(PermissionDenied):
        services.signup_cancel(signup=signup, by=cf.council_staff("環境課"), now=NOW)
    services.signup_cancel(signup=signup, by=cf.council_staff("都市政策課"), now=NOW)
    assert Signup.objects.get(pk=signup.pk).status == S.CANCELLED


def test_a_capacity_raised_fills_the_places_from_the_waiting_list(
    frozen, django_capture_on_commit_callbacks
):
    session = cf.make_workshop(capacity=1)
    people = _people(4)
    signups = [
        _sign_up(session, p, now=NOW + dt.timedelta(minutes=i)) for i, p in enumerate(people)
    ]
    Session.objects.filter(pk=session.pk).update(capacity=3)
    session.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.session_fill_places(session=session, now=NOW)

    assert promoted == signups[1:3]
    assert Signup.objects.get(pk=signups[3].pk).status == S.WAITING
    assert len(mail.outbox) == 2


def test_a_new_sign_up_does_not_jump_the_waiting_list(frozen):
    session = cf.make_workshop(capacity=1)
    holder, waiting_person, late = _people(3)
    _sign_up(session, holder)
    waiting = _sign_up(session, waiting_person)
    Session.objects.filter(pk=session.pk).update(capacity=2)
    session.refresh_from_db()

    latecomer = _sign_up(session, late)

    assert Signup.objects.get(pk=waiting.pk).status == S.REGISTERED
    assert latecomer.status == S.WAITING


# --- The guest's link ---------------------------------------------------------------------------


def test_a_guest_is_unconfirmed_until_the_link_is_followed(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup = services.signup_create(
            session=workshop, name="ゲスト 太郎", email="Guest@Example.jp", now=NOW
        )

    assert signup.status == S.UNCONFIRMED
    assert signup.confirm_by == NOW + dt.timedelta(hours=24)
    assert signup.email == "guest@example.jp"
    assert services.places_left(workshop) == workshop.capacity
    [message] = mail.outbox
    assert message.to == ["guest@example.jp"]
    assert f"/councils/confirm/{signup.token}/" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.signup_confirm(token=signup.token, now=NOW + dt.timedelta(hours=2))

    assert confirmed.status == S.REGISTERED
    assert f"/councils/s/{signup.token}/" in mail.outbox[1].body
    assert confirmed.code in mail.outbox[1].body
    # Following the link again changes nothing.
    again = services.signup_confirm(token=signup.token, now=NOW + dt.timedelta(hours=3))
    assert again.status == S.REGISTERED
    assert SignupStatusChange.objects.filter(signup=signup).count() == 2


def test_a_guest_confirming_a_full_session_joins_the_waiting_list(workshop):
    Session.objects.filter(pk=workshop.pk).update(capacity=1)
    guest = _sign_up(workshop, email="guest@example.jp")
    _sign_up(workshop, factories.make_user())

    confirmed = services.signup_confirm(token=guest.token, now=NOW + dt.timedelta(hours=1))

    assert confirmed.status == S.WAITING
    assert confirmed.queued_at == NOW + dt.timedelta(hours=1)


def test_an_expired_link_is_refused_and_the_sign_up_lapses(workshop):
    guest = _sign_up(workshop, email="guest@example.jp")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.signup_confirm(token=guest.token, now=NOW + dt.timedelta(hours=25))
    assert "in time" in _message(refused.value)
    assert Signup.objects.get(pk=guest.pk).status == S.EXPIRED
    with pytest.raises(ValidationError):
        services.signup_confirm(token=guest.token, now=NOW + dt.timedelta(hours=26))
    # The address may sign up again.
    assert _sign_up(workshop, email="guest@example.jp").status == S.UNCONFIRMED


def test_an_unknown_token_is_not_found(db):
    with pytest.raises(Signup.DoesNotExist):
        services.signup_confirm(token="nothing-like-this", now=NOW)


def test_a_link_followed_after_the_start_is_refused(workshop):
    guest = _sign_up(workshop, email="guest@example.jp")
    Signup.objects.filter(pk=guest.pk).update(confirm_by=ENDS)
    with pytest.raises(ValidationError):
        services.signup_confirm(token=guest.token, now=STARTS)
    assert Signup.objects.get(pk=guest.pk).status == S.UNCONFIRMED


def test_unconfirmed_sign_ups_expire_past_their_time(workshop):
    late = _sign_up(workshop, email="late@example.jp")
    fresh = _sign_up(workshop, email="fresh@example.jp", now=NOW + dt.timedelta(hours=20))

    assert services.unconfirmed_expire(now=NOW + dt.timedelta(hours=25)) == 1
    assert services.unconfirmed_expire(now=NOW + dt.timedelta(hours=25)) == 0
    assert Signup.objects.get(pk=late.pk).status == S.EXPIRED
    assert Signup.objects.get(pk=fresh.pk).status == S.UNCONFIRMED
    assert SignupStatusChange.objects.filter(signup=late, new_status=S.EXPIRED).count() == 1


def test_a_guest_on_the_web_must_give_an_e_mail(workshop):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.signup_create(session=workshop, name="ゲスト", now=NOW)
    assert "email" in refused.value.message_dict
    assert not Signup.objects.exists()


# --- Who may sign up, and when ------------------------------------------------------------------


def test_the_web_deadline_closes_sign_ups(workshop, resident):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _sign_up(workshop, resident, now=DEADLINE)
    assert "closed" in _message(refused.value)
    assert _sign_up(workshop, resident, now=DEADLINE - dt.timedelta(minutes=1))


def test_a_session_not_announced_takes_no_sign_ups(frozen, resident):
    draft = cf.make_workshop(status=Session.Status.DRAFT)
    with pytest.raises(ValidationError):
        _sign_up(draft, resident)


def test_staff_key_in_after_the_web_deadline_until_the_start(workshop, staff):
    after_deadline = DEADLINE + dt.timedelta(days=1)
    signup = services.signup_create(
        session=workshop,
        name="電話 一郎",
        phone="０１４３－２２－１１１１",
        channel=Channel.PHONE,
        keyed_in_by=staff,
        now=after_deadline,
    )
    assert signup.status == S.REGISTERED
    assert signup.keyed_in_by == staff and signup.phone == "0143-22-1111"
    assert SignupStatusChange.objects.get(signup=signup).by == staff

    with pytest.raises(ValidationError):
        services.signup_create(
            session=workshop,
            name="遅刻 次郎",
            phone="0143-22-2222",
            channel=Channel.PHONE,
            keyed_in_by=staff,
            now=STARTS,
        )


def test_a_keyed_in_sign_up_needs_a_telephone_or_an_e_mail(workshop, staff):
    with pytest.raises(ValidationError) as refused:
        services.signup_create(
            session=workshop, name="窓口 三郎", channel=Channel.COUNTER, keyed_in_by=staff, now=NOW
        )
    assert "phone" in refused.value.message_dict


def test_staff_of_another_department_cannot_key_in(workshop):
    with pytest.raises(PermissionDenied):
        services.signup_create(
            session=workshop,
            name="電話 一郎",
            phone="0143-22-1111",
            channel=Channel.PHONE,
            keyed_in_by=cf.council_staff("環境課"),
            now=NOW,
        )


def test_a_district_session_refuses_residents_of_other_districts(frozen, resident):
    session = cf.make_workshop(eligibility=Session.Eligibility.DISTRICTS)
    session.eligible_districts.set([factories.district("東町")])

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _sign_up(session, resident, district=factories.district("輪西町"))
    assert "東町" in _message(refused.value, "district")
    with pytest.raises(ValidationError) as refused:
        _sign_up(session, resident)
    assert "district" in refused.value.message_dict
    assert _sign_up(session, resident, district=factories.district("東町")).status == S.REGISTERED


def test_an_age_band_session_refuses_other_ages(frozen, resident):
    session = cf.make_workshop(eligibility=Session.Eligibility.AGE, age_min=13, age_max=18)
    for age in (12, 19, None):
        with pytest.raises(ValidationError) as refused:
            _sign_up(session, resident, age=age)
        assert "age" in refused.value.message_dict
    assert _sign_up(session, resident, age=18).status == S.REGISTERED


def test_one_sign_up_per_account_and_per_e_mail(workshop, resident):
    _sign_up(workshop, resident)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _sign_up(workshop, resident)
    assert "already signed up" in _message(refused.value)
    # A guest with the account's address is the same person.
    with pytest.raises(ValidationError):
        _sign_up(workshop, email="RESIDENT@example.jp")

    _sign_up(workshop, email="guest@example.jp")
    with pytest.raises(ValidationError):
        _sign_up(workshop, email="guest@example.jp")
    assert Signup.objects.count() == 2


def test_signing_up_again_after_cancelling_is_allowed(workshop, resident):
    first = _sign_up(workshop, resident)
    services.signup_cancel(signup=first, by=resident, now=NOW)
    assert _sign_up(workshop, resident).status == S.REGISTERED


def test_a_race_past_the_check_meets_the_constraint_with_the_same_message(
    workshop, resident, monkeypatch
):
    _sign_up(workshop, resident)
    monkeypatch.setattr(signup_services, "_duplicate", lambda *args, **kwargs: False)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _sign_up(workshop, resident)
    assert "already signed up" in _message(refused.value)
    assert Signup.objects.count() == 1


def test_the_same_telephone_keyed_in_twice_is_one_sign_up(workshop, staff):
    def key_in(phone, name="電話 一郎"):
        return services.signup_create(
            session=workshop,
            name=name,
            phone=phone,
            channel=Channel.PHONE,
            keyed_in_by=staff,
            now=NOW,
        )

    first = key_in("0143-22-1111")
    for same in ("０１４３－２２－１１１１", "0143 22 1111", "0143221111"):
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            key_in(same, name="電話 一郎（再）")
        assert "already signed up" in _message(refused.value)
    assert list(Signup.objects.filter(session=workshop)) == [first]
    # Another number is another person; the number free again once cancelled.
    key_in("0143-22-2222")
    services.signup_cancel(signup=first, by=staff, now=NOW)
    assert key_in("0143-22-1111").status == S.REGISTERED


def test_a_guest_whose_link_lapsed_may_sign_up_again_before_the_cron_run(workshop):
    lapsed = _sign_up(workshop, email="guest@example.jp")
    later = NOW + dt.timedelta(hours=25)  # past confirm_by; unconfirmed_expire has not run

    again = _sign_up(workshop, email="Guest@example.jp", now=later)

    assert again.status == S.UNCONFIRMED and again.pk != lapsed.pk
    assert Signup.objects.get(pk=lapsed.pk).status == S.EXPIRED
    history = SignupStatusChange.objects.get(signup=lapsed, new_status=S.EXPIRED)
    assert (history.old_status, history.at, history.by) == (S.UNCONFIRMED, later, None)


def test_a_guest_whose_link_is_still_valid_is_already_signed_up(workshop):
    pending = _sign_up(workshop, email="guest@example.jp")
    with pytest.raises(ValidationError):
        _sign_up(workshop, email="guest@example.jp", now=NOW + dt.timedelta(hours=23))
    assert Signup.objects.get(pk=pending.pk).status == S.UNCONFIRMED


def test_an_account_whose_old_guest_link_lapsed_may_sign_up(workshop, resident):
    lapsed = _sign_up(workshop, email=resident.email)
    signup = _sign_up(workshop, resident, now=NOW + dt.timedelta(hours=25))
    assert signup.status == S.REGISTERED
    assert Signup.objects.get(pk=lapsed.pk).status == S.EXPIRED


def test_the_person_moved_up_is_moved_by_the_system_not_the_canceller(workshop, resident):
    Session.objects.filter(pk=workshop.pk).update(capacity=1)
    held = _sign_up(workshop, resident)
    waiting = _sign_up(workshop, factories.make_user())

    with translation.override("en"):
        services.signup_cancel(signup=held, by=resident, now=NOW)

    moved = SignupStatusChange.objects.get(signup=waiting, new_status=S.REGISTERED)
    assert moved.by is None
    assert moved.reason == "A place became free."


# --- A session changed meanwhile (the object passed in is stale) ------------------------------


def test_a_stale_session_cancelled_meanwhile_takes_no_sign_up(workshop, resident, staff):
    stale = Session.objects.get(pk=workshop.pk)
    services.session_cancel(session=workshop, by=staff, reason="台風接近のため", now=NOW)

    attempts = [
        {"user": resident},
        {"email": "guest@example.jp"},
        {
            "phone": "0143-22-1111",
            "channel": Channel.PHONE,
            "keyed_in_by": staff,
            "email": "",
        },
    ]
    for fields in attempts:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            _sign_up(stale, **fields)
        assert "closed" in _message(refused.value)
    assert not Signup.objects.exists()


def test_a_stale_session_moved_earlier_meanwhile_takes_no_sign_up(workshop, resident):
    stale = Session.objects.get(pk=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(
        starts_at=NOW - dt.timedelta(hours=1), signup_closes_at=NOW - dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError):
        _sign_up(stale, resident)
    assert not Signup.objects.exists()


def test_a_confirmation_as_the_session_is_cancelled_is_refused(workshop, monkeypatch):
    """The session is called off between the check and the lock (the lock waited for the
    cancellation to commit): the locked row is checked again."""
    guest = _sign_up(workshop, email="guest@example.jp")
    real_lock = signup_services._lock

    def lock_after_a_cancellation(session):
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
        return real_lock(session)

    monkeypatch.setattr(signup_services, "_lock", lock_after_a_cancellation)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.signup_confirm(token=guest.token, now=NOW + dt.timedelta(hours=1))
    assert "closed" in _message(refused.value)
    assert Signup.objects.get(pk=guest.pk).status == S.UNCONFIRMED


def test_a_training_needs_an_account(frozen, resident):
    training = cf.make_training()
    with pytest.raises(ValidationError):
        services.signup_create(session=training, name="ゲスト", email="g@example.jp", now=NOW)
    assert _sign_up(training, resident).status == S.REGISTERED


# --- Attendance ---------------------------------------------------------------------------------


def test_attendance_by_code_accepts_full_width_and_lower_case(workshop, staff):
    signup = _sign_up(workshop, factories.make_user())
    typed = "".join(chr(ord(c) + 0xFEE0) for c in signup.code.lower())  # 全角, lower case

    marked = services.attendance_by_code(session=workshop, code=f" {typed} ", by=staff, now=STARTS)

    assert marked.pk == signup.pk
    assert Signup.objects.get(pk=signup.pk).attended_at == STARTS


def test_attendance_by_code_refuses_unknown_and_waiting_codes(frozen, staff):
    session = cf.make_workshop(capacity=1)
    _sign_up(session, factories.make_user())
    waiting = _sign_up(session, factories.make_user())
    for code in ("ZZZZZZ", waiting.code, ""):
        with pytest.raises(ValidationError) as refused:
            services.attendance_by_code(session=session, code=code, by=staff, now=STARTS)
        assert "code" in refused.value.message_dict
    assert not Signup.objects.filter(attended_at__isnull=False).exists()


def test_attendance_needs_the_department(workshop):
    signup = _sign_up(workshop, factories.make_user())
    other = cf.council_staff("環境課")
    with pytest.raises(PermissionDenied):
        services.attendance_by_code(session=workshop, code=signup.code, by=other, now=STARTS)
    with pytest.raises(PermissionDenied):
        services.attendance_set(
            session=workshop, present_ids=[signup.pk], shown_ids=[signup.pk], by=other, now=STARTS
        )


def test_attendance_set_ticks_and_unticks_from_the_list(frozen, staff):
    session = cf.make_workshop(capacity=3)
    a, b, c = (_sign_up(session, factories.make_user()) for _ in range(3))
    waiting = _sign_up(session, factories.make_user())
    Signup.objects.filter(pk=c.pk).update(attended_at=STARTS)

    present = services.attendance_set(
        session=session,
        present_ids=[a.pk, str(b.pk), waiting.pk, "x"],
        shown_ids=[a.pk, b.pk, c.pk],
        by=staff,
        now=ENDS,
    )

    assert present == 2
    attended = dict(Signup.objects.values_list("pk", "attended_at"))
    assert attended == {a.pk: ENDS, b.pk: ENDS, c.pk: None, waiting.pk: None}


def test_attendance_set_leaves_alone_the_people_the_list_did_not_show(frozen, staff):
    """Someone marked by code (or signed up) after the list was printed keeps the record."""
    session = cf.make_workshop(capacity=3)
    shown, marked_meanwhile = (_sign_up(session, factories.make_user()) for _ in range(2))
    services.attendance_by_code(session=session, code=marked_meanwhile.code, by=staff, now=STARTS)

    present = services.attendance_set(
        session=session, present_ids=[shown.pk], shown_ids=[shown.pk], by=staff, now=ENDS
    )

    assert present == 2
    attended = dict(Signup.objects.values_list("pk", "attended_at"))
    assert attended == {shown.pk: ENDS, marked_meanwhile.pk: STARTS}


@pytest.mark.parametrize(
    "junk",
    ["²", "١٢", "9999999999999999999999999", 9999999999999999999999999, 2**63, -1, 0, "-3", None],
)
def test_attendance_set_ignores_values_that_are_not_ids(frozen, staff, junk):
    session = cf.make_workshop(capacity=3)
    signup = _sign_up(session, factories.make_user())

    present = services.attendance_set(
        session=session,
        present_ids=[junk, signup.pk],
        shown_ids=[junk, str(signup.pk)],
        by=staff,
        now=ENDS,
    )

    assert present == 1
    assert Signup.objects.get(pk=signup.pk).attended_at == ENDS


# --- Needs --------------------------------------------------------------------------------------


def _with_needs(session, **fields):
    return _sign_up(
        session,
        factories.make_user(),
        need_childcare=True,
        need_interpreting="sign",
        needs_note="車椅子で伺います",
        **fields,
    )


def test_needs_are_erased_after_the_keep_days_and_not_before(workshop):
    signup = _with_needs(workshop)
    kept_until = ENDS + dt.timedelta(days=7)

    assert services.needs_erase(now=kept_until) == 0
    assert Signup.objects.get(pk=signup.pk).has_needs

    assert services.needs_erase(now=kept_until + dt.timedelta(minutes=1)) == 1
    erased = Signup.objects.get(pk=signup.pk)
    assert not erased.has_needs
    assert erased.needs_erased_at == kept_until + dt.timedelta(minutes=1)
    assert erased.name and erased.status == S.REGISTERED  # only the needs go
    assert services.needs_erase(now=kept_until + dt.timedelta(days=1)) == 0


def test_needs_of_a_cancelled_sign_up_are_erased_at_once(workshop):
    cancelled = _with_needs(workshop)
    kept = _with_needs(workshop)
    services.signup_cancel(signup=cancelled, by=cancelled.user, now=NOW)

    assert services.needs_erase(now=NOW) == 1
    assert not Signup.objects.get(pk=cancelled.pk).has_needs
    assert Signup.objects.get(pk=kept.pk).has_needs


def test_the_command_erases_and_is_safe_to_run_twice(workshop, capsys):
    signup = _with_needs(workshop)
    with cf_travel(ENDS + dt.timedelta(days=8)):
        call_command("erase_council_needs")
        first = capsys.readouterr().out
        call_command("erase_council_needs")
        second = capsys.readouterr().out
    assert first.startswith("1 ")
    assert second.startswith("0 ")
    assert not Signup.objects.get(pk=signup.pk).has_needs


def cf_travel(moment):
    import time_machine

    return time_machine.travel(moment, tick=False)

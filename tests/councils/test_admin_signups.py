"""Sign-ups in the admin, for the department's staff only: the list holds theirs (another
department's id is not found); a sign-up by phone after the web deadline is keyed in through
the service (registered, or waiting when full, and e-mailed when an address is given); the
change page edits nothing; the cancel action goes through the service with the reason."""

import datetime as dt

import pytest
from django.urls import reverse

from councils.models import Channel, Signup, SignupStatusChange
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import DEADLINE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

SS = Signup.Status
AFTER_DEADLINE = DEADLINE + dt.timedelta(hours=10)


def _url(view="changelist", *args):
    return reverse(f"admin:councils_signup_{view}", args=args)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _later(frozen, client, staff, when):
    frozen.move_to(when)
    factories.with_second_factor(client, staff)


def _key_in(session, **overrides):
    data = {
        "session": session.pk,
        "channel": Channel.PHONE,
        "name": "電話 申込子",
        "phone": "0143-22-3333",
        "email": "",
        "age": "42",
        "need_interpreting": "",
    }
    data.update(overrides)
    return data


def test_the_list_holds_only_the_clerks_departments_sign_ups(staff_client, workshop):
    own = cf.make_signup(workshop, need_childcare=True)
    other_session = cf.make_workshop(cf.make_council(department_name="土木課", title="道の駅"))
    other = cf.make_signup(other_session, needs_note="杖を使います")
    response = staff_client.get(_url())
    assert response.status_code == 200
    assert [s.pk for s in response.context["cl"].result_list] == [own.pk]
    content = response.content.decode()
    assert own.name in content and other.name not in content
    assert staff_client.get(_url("change", own.pk)).status_code == 200
    outside = staff_client.get(_url("change", other.pk))
    assert outside.status_code in (302, 404)
    if outside.status_code == 302:
        assert outside.url == reverse("admin:index")
    assert (
        "杖を使います"
        not in staff_client.get(_url("change", other.pk), follow=True).content.decode()
    )


def test_a_sign_up_by_phone_after_the_web_deadline_is_registered_and_mailed(
    staff_client, staff, frozen, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    _later(frozen, staff_client, staff, AFTER_DEADLINE)
    assert not workshop.is_open_for_signup_at(AFTER_DEADLINE)
    page = staff_client.get(_url("add"))
    channels = [value for value, _label in page.context["adminform"].form.fields["channel"].choices]
    assert channels == [Channel.PHONE, Channel.COUNTER, Channel.PAPER]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _url("add"),
            _key_in(workshop, email="denwa@example.jp", need_childcare="on"),
            follow=True,
        )
    assert response.status_code == 200
    signup = Signup.objects.get(name="電話 申込子")
    assert (signup.status, signup.channel, signup.keyed_in_by, signup.user) == (
        SS.REGISTERED,
        Channel.PHONE,
        staff,
        None,
    )
    assert signup.need_childcare and signup.age == 42
    assert [m.to for m in mailoutbox] == [["denwa@example.jp"]]
    assert signup.code in mailoutbox[0].body
    assert any(signup.code in m for m in _messages(response))


def test_a_sign_up_keyed_in_for_a_full_session_waits(
    staff_client, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    full = cf.make_workshop(workshop.council, capacity=1, starts_at=workshop.starts_at)
    cf.make_signup(full)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_url("add"), _key_in(full), follow=True)
    assert response.status_code == 200
    signup = Signup.objects.get(name="電話 申込子")
    assert signup.status == SS.WAITING and signup.queued_at is not None
    assert mailoutbox == []  # no address given: nobody to mail


def test_a_key_in_without_phone_or_email_is_refused_on_the_form(staff_client, workshop):
    response = staff_client.post(_url("add"), _key_in(workshop, phone=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"]
    assert not Signup.objects.exists()


def test_a_key_in_refused_by_the_service_is_shown_with_nothing_saved(staff_client, workshop):
    cf.make_signup(workshop, email="dup@example.jp")
    response = staff_client.post(_url("add"), _key_in(workshop, email="dup@example.jp"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Signup.objects.filter(email="dup@example.jp").count() == 1
    # Another department's session cannot be chosen.
    other = cf.make_workshop(cf.make_council(department_name="土木課", title="道の駅"))
    refused = staff_client.post(_url("add"), _key_in(other, name="他課 太郎"))
    assert refused.context["adminform"].form.errors["session"]
    assert not Signup.objects.filter(name="他課 太郎").exists()


def test_the_change_page_edits_nothing(staff_client, workshop):
    signup = cf.make_signup(workshop, need_mobility=True)
    page = staff_client.get(_url("change", signup.pk))
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields
    staff_client.post(
        _url("change", signup.pk),
        {"name": "書き換え", "status": SS.CANCELLED, "need_mobility": ""},
    )
    signup.refresh_from_db()
    assert (signup.name, signup.status, signup.need_mobility) != ("書き換え", SS.CANCELLED, False)
    assert signup.status == SS.REGISTERED and signup.need_mobility


def test_the_cancel_action_goes_through_the_service_with_the_reason(
    staff_client, staff, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    registered = cf.make_signup(workshop)
    waiting = cf.make_signup(workshop, status=SS.WAITING)
    workshop.capacity = 1
    workshop.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _url(),
            {
                "action": "cancel_signups",
                "_selected_action": [registered.pk],
                "reason": "本人から電話",
            },
            follow=True,
        )
    assert response.status_code == 200
    registered.refresh_from_db()
    waiting.refresh_from_db()
    assert registered.status == SS.CANCELLED
    assert waiting.status == SS.REGISTERED  # moved up
    change = SignupStatusChange.objects.filter(signup=registered).order_by("at", "pk").last()
    assert (change.new_status, change.reason, change.by) == (SS.CANCELLED, "本人から電話", staff)
    assert {m.to[0] for m in mailoutbox} >= {registered.email, waiting.email}


def test_the_list_takes_as_many_queries_for_ten_rows_as_for_one(staff_client, workshop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cf.make_signup(workshop)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(_url()).status_code == 200
        return len(captured)

    one = count()
    for _ in range(9):
        cf.make_signup(workshop)
    assert count() == one

"""Signing up in the browser: an account holder's form prefilled, a place or the waiting list,
the guest's flow through the e-mailed link (confirm, the guest's page with the code, cancel),
an expired link, refusals on their fields with everything typed kept, trainings needing an
account, マイページ's sign-ups, pool entry and tables, cancelling and promotion, leaving the
pool, 404 for another person's sign-up or an unknown token, and nothing written on GET."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from councils.models import (
    Assignment,
    Facilitator,
    Interpreting,
    Session,
    Signup,
    SignupStatusChange,
)
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import JST, STARTS
from tests.forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def resident(db):
    return factories.make_user(
        "resident@example.jp",
        family_name="輪西",
        given_name="花子",
        phone="0143-22-1111",
    )


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


def _url(session) -> str:
    return reverse("councils:signup", args=[session.pk])


def _guest_data(**changes) -> dict:
    data = {
        "name": "中島 太郎",
        "email": "taro@example.jp",
        "phone": "",
        "need_interpreting": "",
        "needs_note": "",
    }
    data.update(changes)
    return data


def _filled(client, session, **changes) -> dict:
    """The form as shown (prefilled from the account, if any), with changes."""
    data = {
        name: values[0] if len(values) == 1 else values
        for name, values in form_data(client.get(_url(session)).content).items()
    }
    data.update(changes)
    return data


def _nothing_written():
    assert Signup.objects.count() == 0
    assert SignupStatusChange.objects.count() == 0


# --- the form ---------------------------------------------------------------------------------


def test_guest_sees_an_empty_form_and_nothing_is_written(client, workshop):
    response = client.get(_url(workshop))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {
        "name",
        "email",
        "phone",
        "need_childcare",
        "need_mobility",
        "need_interpreting",
        "needs_note",
    }
    assert form.initial == {}
    _nothing_written()


def test_account_form_is_prefilled_from_the_account(resident_client, workshop):
    form = resident_client.get(_url(workshop)).context["form"]
    assert form.initial["name"] == "輪西 花子"
    assert form.initial["email"] == "resident@example.jp"
    assert form.initial["phone"] == "0143-22-1111"


def test_district_and_age_are_asked_only_when_the_session_limits_who_may_join(client):
    by_district = cf.make_workshop(eligibility=Session.Eligibility.DISTRICTS)
    by_district.eligible_districts.set([factories.district("東町")])
    by_age = cf.make_workshop(eligibility=Session.Eligibility.AGE, age_min=15, age_max=29)
    fields = client.get(_url(by_district)).context["form"].fields
    assert "district" in fields and "age" not in fields
    assert "東町" in str(fields["district"].help_text)
    fields = client.get(_url(by_age)).context["form"].fields
    assert "age" in fields and "district" not in fields
    assert "15" in str(fields["age"].help_text) and "29" in str(fields["age"].help_text)


# --- an account holder ------------------------------------------------------------------------


def test_account_signs_up_and_gets_a_place(
    resident_client, resident, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    data = _filled(
        resident_client,
        workshop,
        need_childcare="on",
        need_interpreting=Interpreting.SIGN_LANGUAGE,
        needs_note="ベビーカーで行きます",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(_url(workshop), data)
    signup = Signup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("councils:signup_detail", args=[signup.pk])
    assert (signup.user, signup.status, signup.name) == (
        resident,
        Signup.Status.REGISTERED,
        "輪西 花子",
    )
    assert signup.need_childcare and signup.need_interpreting == Interpreting.SIGN_LANGUAGE
    assert signup.needs_note == "ベビーカーで行きます"
    assert [m.to for m in mailoutbox] == [["resident@example.jp"]]
    page = resident_client.get(response["Location"])
    content = page.content.decode()
    assert signup.code in content
    assert "ベビーカーで行きます" in content


def test_a_full_session_gives_a_waiting_place_with_its_position(resident_client, resident):
    workshop = cf.make_workshop(capacity=1)
    cf.make_signup(workshop)
    cf.make_signup(workshop, status=Signup.Status.WAITING)
    response = resident_client.post(_url(workshop), _filled(resident_client, workshop))
    signup = Signup.objects.get(user=resident)
    assert signup.status == Signup.Status.WAITING
    page = resident_client.get(response["Location"])
    assert page.context["position"] == 2
    assert [str(m) for m in page.context["messages"]]


def test_signing_up_twice_is_refused_on_the_form(resident_client, resident, workshop):
    first = cf.make_signup(workshop, user=resident)
    response = resident_client.get(_url(workshop))
    assert response.context["existing"] == first
    assert response.context["form"] is None
    response = resident_client.post(
        _url(workshop), _guest_data(name="輪西 花子", email="resident@example.jp")
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="輪西 花子"' in response.content.decode()
    assert Signup.objects.count() == 1


def test_eligibility_refusal_is_on_the_field_and_keeps_what_was_typed(client):
    workshop = cf.make_workshop(eligibility=Session.Eligibility.DISTRICTS)
    workshop.eligible_districts.set([factories.district("東町")])
    elsewhere = factories.district("中島町")
    data = _guest_data(district=str(elsewhere.pk), needs_note="手話通訳をお願いします")
    response = client.post(_url(workshop), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["district"]
    content = response.content.decode()
    assert 'value="中島 太郎"' in content and 'value="taro@example.jp"' in content
    assert "手話通訳をお願いします" in content
    assert f'<option value="{elsewhere.pk}" selected>' in content
    _nothing_written()


def test_age_outside_the_band_is_refused_on_the_age_field(client):
    workshop = cf.make_workshop(eligibility=Session.Eligibility.AGE, age_min=15, age_max=29)
    response = client.post(_url(workshop), _guest_data(age="４０"))
    assert list(response.context["form"].errors) == ["age"]
    assert 'value="４０"' in response.content.decode() or 'value="40"' in response.content.decode()
    _nothing_written()
    response = client.post(_url(workshop), _guest_data(age=""))
    assert list(response.context["form"].errors) == ["age"]
    _nothing_written()


def test_guest_without_email_is_told_on_the_field(client, workshop):
    response = client.post(_url(workshop), _guest_data(email=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    _nothing_written()


def test_after_the_deadline_there_is_no_form_and_a_late_post_is_refused(client, frozen, workshop):
    frozen.move_to(dt.datetime(2026, 7, 2, 9, 0, tzinfo=JST))
    response = client.get(_url(workshop))
    assert response.status_code == 200 and response.context["form"] is None
    response = client.post(_url(workshop), _guest_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="中島 太郎"' in response.content.decode()
    _nothing_written()


def test_signup_is_rate_limited_with_what_was_typed_kept(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "councils.signup": {"email": "1/h"}}
    first = cf.make_workshop()
    second = cf.make_workshop(starts_at=STARTS + dt.timedelta(days=1))
    assert client.post(_url(first), _guest_data()).status_code == 302
    response = client.post(_url(second), _guest_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="中島 太郎"' in response.content.decode()
    assert Signup.objects.count() == 1


# --- trainings ----------------------------------------------------------------------------------


def test_training_needs_an_account(client, resident):
    training = cf.make_training()
    response = client.get(_url(training))
    assert response.status_code == 200
    assert response.context["form"] is None
    login = response.context["login_url"]
    assert login.startswith(reverse("account_login") + "?next=")
    assert login in response.content.decode().replace("&amp;", "&")
    assert client.post(_url(training), _guest_data()).status_code == 200
    _nothing_written()
    client.force_login(resident)
    response = client.post(_url(training), _filled(client, training))
    assert response.status_code == 302
    assert Signup.objects.get().status == Signup.Status.REGISTERED


# --- a guest through the e-mailed link ----------------------------------------------------------


def _confirm_path(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/councils/confirm/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_guest_flow_through_the_emailed_link(
    client, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(workshop), _guest_data(need_mobility="on"))
    assert response["Location"] == reverse("councils:signup_sent", args=[workshop.pk])
    signup = Signup.objects.get()
    assert signup.status == Signup.Status.UNCONFIRMED and signup.user is None
    sent = client.get(response["Location"])
    assert "taro@example.jp" in sent.content.decode()
    assert [m.to for m in mailoutbox] == [["taro@example.jp"]]
    confirm = _confirm_path(mailoutbox[0])
    assert confirm == reverse("councils:signup_confirm", args=[signup.token])

    # Opening the link writes nothing: a mail scanner following it confirms nothing.
    page = client.get(confirm)
    assert page.status_code == 200 and page.context["unconfirmed"]
    signup.refresh_from_db()
    assert signup.status == Signup.Status.UNCONFIRMED
    assert SignupStatusChange.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    guest_url = reverse("councils:guest_signup", args=[signup.token])
    assert response["Location"] == guest_url
    signup.refresh_from_db()
    assert signup.status == Signup.Status.REGISTERED
    page = client.get(guest_url)
    content = page.content.decode()
    assert page.status_code == 200 and signup.code in content
    assert page.context["may_cancel"]
    assert reverse("councils:guest_cancel", args=[signup.token]) in content

    # Following the link again shows it confirmed, and changes nothing.
    again = client.get(confirm)
    assert not again.context["unconfirmed"] and not again.context["expired"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("councils:guest_cancel", args=[signup.token]), {"reason": "都合がつかず"}
        )
    assert response["Location"] == guest_url
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED
    assert client.get(guest_url).context["may_cancel"] is False


def test_expired_link_says_so_and_offers_to_sign_up_again(client, frozen, workshop):
    client.post(_url(workshop), _guest_data())
    signup = Signup.objects.get()
    confirm = reverse("councils:signup_confirm", args=[signup.token])
    frozen.move_to(dt.datetime(2026, 6, 16, 10, 1, tzinfo=JST))
    page = client.get(confirm)
    assert page.context["expired"]
    assert _url(workshop) in page.content.decode()
    response = client.post(confirm)
    assert response.status_code == 200
    assert response.context["errors"]
    signup.refresh_from_db()
    assert signup.status == Signup.Status.EXPIRED
    assert _url(workshop) in response.content.decode()


def test_unknown_tokens_are_404(client, workshop):
    for name in ("signup_confirm", "guest_signup"):
        assert client.get(reverse(f"councils:{name}", args=["no-such-token"])).status_code == 404
    assert client.post(reverse("councils:signup_confirm", args=["nope"])).status_code == 404
    assert client.post(reverse("councils:guest_cancel", args=["nope"])).status_code == 404


def test_guest_cancel_is_post_only(client, workshop):
    signup = cf.make_signup(workshop)
    assert client.get(reverse("councils:guest_cancel", args=[signup.token])).status_code == 405
    signup.refresh_from_db()
    assert signup.status == Signup.Status.REGISTERED


def test_guest_page_does_not_open_an_account_holders_signup(client, resident, workshop):
    signup = cf.make_signup(workshop, user=resident)
    assert client.get(reverse("councils:guest_signup", args=[signup.token])).status_code == 404


# --- マイページ ---------------------------------------------------------------------------------


def test_my_signups_lists_mine_with_codes_pool_and_tables(resident_client, resident, frozen):
    mine = cf.make_signup(cf.make_workshop(title="わたしの回"), user=resident)
    waiting = cf.make_signup(
        cf.make_workshop(title="満員の回", starts_at=STARTS + dt.timedelta(days=3)),
        user=resident,
        status=Signup.Status.WAITING,
    )
    past = cf.make_signup(
        cf.make_workshop(title="過去の回", starts_at=dt.datetime(2026, 5, 1, 10, 0, tzinfo=JST)),
        user=resident,
    )
    cf.make_signup(cf.make_workshop(title="他人の回"), user=factories.make_user("o@example.jp"))
    entry = cf.make_facilitator(resident, course="養成講座 基礎編")
    table_session = cf.make_workshop(title="進行する回", starts_at=STARTS + dt.timedelta(days=10))
    Assignment.objects.create(session=table_session, table=3, facilitator=entry)
    response = resident_client.get(reverse("councils:my_signups"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["upcoming"]] == [mine.pk, waiting.pk]
    assert [s.pk for s in response.context["past"]] == [past.pk]
    assert response.context["entry"] == entry
    assert [a.session_id for a in response.context["assignments_upcoming"]] == [table_session.pk]
    content = response.content.decode()
    assert mine.code in content and "他人の回" not in content
    assert "養成講座 基礎編" in content and "進行する回" in content
    assert reverse("councils:pool_leave") in content


def test_my_pages_need_signing_in(client, workshop):
    signup = cf.make_signup(workshop)
    for url in (
        reverse("councils:my_signups"),
        reverse("councils:signup_detail", args=[signup.pk]),
        reverse("councils:signup_print", args=[signup.pk]),
        reverse("councils:pool_leave"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_another_persons_signup_is_404(resident_client, workshop):
    other = cf.make_signup(workshop, user=factories.make_user("o@example.jp"))
    guest = cf.make_signup(workshop)
    for signup in (other, guest):
        for name in ("signup_detail", "signup_print"):
            url = reverse(f"councils:{name}", args=[signup.pk])
            assert resident_client.get(url).status_code == 404, name
        cancel = reverse("councils:signup_cancel", args=[signup.pk])
        assert resident_client.post(cancel).status_code == 404
    assert Signup.objects.filter(status=Signup.Status.CANCELLED).count() == 0


def test_signup_detail_and_print_show_the_code(resident_client, resident, workshop):
    signup = cf.make_signup(workshop, user=resident, needs_note="車いすで参加します")
    detail = resident_client.get(reverse("councils:signup_detail", args=[signup.pk]))
    assert detail.status_code == 200
    assert signup.code in detail.content.decode()
    assert "車いすで参加します" in detail.content.decode()
    printed = resident_client.get(reverse("councils:signup_print", args=[signup.pk]))
    assert printed.status_code == 200
    assert signup.code in printed.content.decode()


def test_cancelling_frees_the_place_for_the_first_waiting(
    resident_client, resident, mailoutbox, django_capture_on_commit_callbacks
):
    workshop = cf.make_workshop(capacity=1)
    mine = cf.make_signup(workshop, user=resident)
    waiting = cf.make_signup(workshop, status=Signup.Status.WAITING)
    url = reverse("councils:signup_cancel", args=[mine.pk])
    assert resident_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(url, {"reason": ""})
    assert response["Location"] == reverse("councils:signup_detail", args=[mine.pk])
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (Signup.Status.CANCELLED, Signup.Status.REGISTERED)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([resident.email, waiting.email])


def test_cancelling_after_the_start_is_refused_on_the_form(resident_client, resident, frozen):
    workshop = cf.make_workshop()
    mine = cf.make_signup(workshop, user=resident)
    frozen.move_to(STARTS + dt.timedelta(minutes=5))
    resident_client.force_login(resident)  # the session cookie of NOW has expired
    response = resident_client.post(
        reverse("councils:signup_cancel", args=[mine.pk]), {"reason": "遅刻"}
    )
    assert response.status_code == 200
    assert response.context["cancel_form"].non_field_errors()
    mine.refresh_from_db()
    assert mine.status == Signup.Status.REGISTERED


def test_leaving_the_pool_without_a_reason(resident_client, resident):
    entry = cf.make_facilitator(resident)
    response = resident_client.post(reverse("councils:pool_leave"))
    assert response["Location"] == reverse("councils:my_signups")
    entry.refresh_from_db()
    assert entry.left_on is not None


def test_leaving_the_pool(resident_client, resident):
    entry = cf.make_facilitator(resident)
    coming = cf.make_workshop(starts_at=STARTS + dt.timedelta(days=2))
    Assignment.objects.create(session=coming, table=1, facilitator=entry)
    url = reverse("councils:pool_leave")
    page = resident_client.get(url)
    assert page.status_code == 200 and page.context["entry"] == entry
    assert [a.session_id for a in page.context["coming"]] == [coming.pk]
    entry.refresh_from_db()
    assert entry.left_on is None
    response = resident_client.post(url, {"reason": "転居のため"})
    assert response["Location"] == reverse("councils:my_signups")
    entry.refresh_from_db()
    assert entry.left_on is not None and entry.left_reason == "転居のため"
    assert not Assignment.objects.exists()
    assert not Facilitator.objects.in_pool().exists()
    # Not in the pool any more: nothing to leave.
    assert resident_client.get(url).status_code == 404
    assert resident_client.post(url, {"reason": ""}).status_code == 404


@pytest.mark.parametrize("n", [1, 6])
def test_my_signups_runs_a_fixed_number_of_queries(
    resident_client, resident, django_assert_num_queries, n
):
    entry = cf.make_facilitator(resident)
    for i in range(n):
        cf.make_signup(cf.make_workshop(starts_at=STARTS + dt.timedelta(days=i)), user=resident)
        table = cf.make_workshop(starts_at=STARTS + dt.timedelta(days=i, hours=5))
        Assignment.objects.create(session=table, table=1, facilitator=entry)
    with django_assert_num_queries(5):
        response = resident_client.get(reverse("councils:my_signups"))
    assert len(response.context["upcoming"]) == n
    assert len(response.context["assignments_upcoming"]) == n

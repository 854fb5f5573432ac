"""Sessions: signing out clears the site's data in the browser, staff sessions end when idle,
and a person sees where they are signed in and can sign the other browsers out."""

import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import STAFF_ACTIVITY_KEY
from tests import factories

CLEAR = '"cache", "cookies", "storage"'


def _sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    return client


def _signed_in(client):
    return SESSION_KEY in client.session


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    return factories.make_user("staff@example.jp", staff=True)


# --- Clear-Site-Data on sign-out ------------------------------------------------------------------


def test_signing_out_tells_the_browser_to_clear_the_sites_data(client, resident):
    _sign_in(client, resident)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR
    assert not _signed_in(client)


def test_signing_out_lands_on_a_page_that_says_so(client, resident):
    """The message of the sign-out went with the cookies the browser clears: a page says it."""
    _sign_in(client, resident)
    response = client.post("/accounts/logout/")
    assert response["Location"] == reverse("signed_out")
    client.cookies.clear()  # as the browser does on Clear-Site-Data
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "ログアウトしました。" in html and reverse("account_login") in html


def test_the_signed_out_page_sends_someone_signed_in_to_mypage(client, resident):
    _sign_in(client, resident)
    response = client.get(reverse("signed_out"))
    assert response.status_code == 302 and response["Location"] == reverse("mypage")


def test_other_responses_clear_nothing(client, resident):
    assert "Clear-Site-Data" not in client.get("/").headers
    _sign_in(client, resident)
    assert "Clear-Site-Data" not in client.get("/mypage/").headers
    # Asking whether to sign out is not signing out.
    assert "Clear-Site-Data" not in client.get("/accounts/logout/").headers


# --- Idle staff sessions ----------------------------------------------------------------------


def test_staff_idle_longer_than_the_limit_are_signed_out(client, staff, clock, settings):
    assert settings.STAFF_IDLE_TIMEOUT_SECONDS == 30 * 60
    factories.with_second_factor(client, staff)
    assert client.get("/mypage/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/mypage/")
    # A page saying why, not a message on the next one: its cookie would be cleared too.
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == CLEAR
    assert not _signed_in(client)
    page = response.content.decode()
    assert "30分間操作がなかったため、ログアウトしました。" in page
    assert 'href="/accounts/login/?next=%2Fmypage%2F"' in page


def test_staff_at_work_stay_signed_in(client, staff, clock):
    factories.with_second_factor(client, staff)
    for _ in range(6):
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/mypage/").status_code == 200
    assert _signed_in(client)


def test_the_last_activity_is_written_at_most_once_a_minute(client, staff, clock):
    factories.with_second_factor(client, staff)
    client.get("/mypage/")
    first = client.session[STAFF_ACTIVITY_KEY]
    clock.shift(dt.timedelta(seconds=30))
    client.get("/mypage/")
    assert client.session[STAFF_ACTIVITY_KEY] == first
    clock.shift(dt.timedelta(seconds=31))
    client.get("/mypage/")
    assert client.session[STAFF_ACTIVITY_KEY]["last"] == pytest.approx(first["last"] + 61)


def test_a_busy_staff_session_still_ends_after_the_absolute_lifetime(
    client, staff, clock, settings
):
    factories.with_second_factor(client, staff)
    client.get("/mypage/")
    for _ in range(settings.SESSION_COOKIE_AGE // (20 * 60)):
        clock.shift(dt.timedelta(minutes=20))
        client.get("/mypage/")
    clock.shift(dt.timedelta(minutes=1))
    response = client.get("/mypage/")
    assert (
        "職員のログインは最長12時間です。もう一度ログインしてください。"
        in response.content.decode()
    )
    assert not _signed_in(client)


def test_an_idle_staff_post_is_not_carried_out(client, staff, clock):
    factories.with_second_factor(client, staff)
    client.get("/mypage/")
    clock.shift(dt.timedelta(minutes=31))
    response = client.post("/accounts/profile/", {"family_name": "変更"})
    assert 'href="/accounts/login/"' in response.content.decode()
    assert not _signed_in(client)
    staff.refresh_from_db()
    assert staff.family_name != "変更"


def test_residents_are_not_signed_out_when_idle(client, resident, clock):
    _sign_in(client, resident)
    clock.shift(dt.timedelta(hours=3))
    assert client.get("/mypage/").status_code == 200
    assert _signed_in(client)
    assert STAFF_ACTIVITY_KEY not in client.session


# --- A person's own sessions -----------------------------------------------------------------


def test_a_person_sees_where_they_are_signed_in(client, resident):
    _sign_in(client, resident)
    _sign_in(Client(HTTP_USER_AGENT="Firefox on the library PC"), resident)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ログイン中のブラウザー" in page
    assert "Firefox on the library PC" in page
    assert "このブラウザー" in page
    assert UserSession.objects.filter(user=resident).count() == 2


def test_a_person_does_not_see_other_peoples_sessions(client, resident, member):
    _sign_in(Client(HTTP_USER_AGENT="Member's phone"), member)
    _sign_in(client, resident)
    assert "Member's phone" not in client.get("/accounts/sessions/").content.decode()


def test_a_person_can_sign_out_their_other_browsers(client, resident, member):
    _sign_in(client, resident)
    elsewhere = _sign_in(Client(), resident)
    someone_else = _sign_in(Client(), member)
    response = client.post("/accounts/sessions/")
    assert response.status_code == 302
    assert _signed_in(client)
    assert elsewhere.get("/mypage/").status_code == 302
    assert not _signed_in(elsewhere)
    assert someone_else.get("/mypage/").status_code == 200
    assert UserSession.objects.filter(user=resident).count() == 1


def test_the_sessions_page_is_linked_from_my_page(client, resident):
    _sign_in(client, resident)
    assert 'href="/accounts/sessions/"' in client.get("/mypage/").content.decode()


def test_the_sessions_page_needs_a_sign_in(client, db):
    response = client.get("/accounts/sessions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _session_of(client, user):
    return UserSession.objects.get(user=user, session_key=client.session.session_key)


def test_a_person_can_end_one_chosen_session(client, resident):
    _sign_in(client, resident)
    library = _sign_in(Client(HTTP_USER_AGENT="Firefox on the library PC"), resident)
    phone = _sign_in(Client(HTTP_USER_AGENT="My phone"), resident)
    chosen = _session_of(library, resident)
    page = client.get("/accounts/sessions/").content.decode()
    assert f'action="/accounts/sessions/{chosen.pk}/end/"' in page
    assert "ログアウトさせる" in page

    response = client.post(f"/accounts/sessions/{chosen.pk}/end/")
    assert response.status_code == 302 and response["Location"] == "/accounts/sessions/"
    assert library.get("/mypage/").status_code == 302
    assert not _signed_in(library)
    assert phone.get("/mypage/").status_code == 200
    assert client.get("/mypage/").status_code == 200
    assert not UserSession.objects.filter(pk=chosen.pk).exists()
    assert UserSession.objects.filter(user=resident).count() == 2


def test_ending_the_current_session_signs_this_browser_out(client, resident):
    _sign_in(client, resident)
    response = client.post(f"/accounts/sessions/{_session_of(client, resident).pk}/end/")
    assert response.status_code == 302 and response["Location"] == "/accounts/signed-out/"
    assert response["Clear-Site-Data"] == CLEAR
    assert not _signed_in(client)


def test_another_persons_session_is_404_and_stays(client, resident, member):
    theirs = _sign_in(Client(), member)
    _sign_in(client, resident)
    session = _session_of(theirs, member)
    assert client.post(f"/accounts/sessions/{session.pk}/end/").status_code == 404
    assert theirs.get("/mypage/").status_code == 200
    assert UserSession.objects.filter(pk=session.pk).exists()


def test_ending_a_session_is_a_post(client, resident):
    _sign_in(client, resident)
    pk = _session_of(client, resident).pk
    assert client.get(f"/accounts/sessions/{pk}/end/").status_code == 405
    assert _signed_in(client)

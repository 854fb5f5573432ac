"""A staff password alone never reaches staff powers (issue 13): the first second-factor
enrolment of a staff account needs the one-time link e-mailed to it when it got staff rights
(accounts.staff_enrolment), followed in the browser session signed in with the password."""

import datetime as dt
import io
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountLink, SecurityEvent, User
from partners.models import Registration
from tests import factories

ADMIN = "/admin/"
ACTIVATE = "/accounts/2fa/totp/activate/"
ENROLMENT = "/accounts/staff-enrolment/"
LINK = re.compile(r"http://[^\s]+/accounts/staff-enrolment/([\w-]+)/")


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def new_staff(db, django_capture_on_commit_callbacks):
    """An account just given staff rights in code; its e-mail holds the link."""
    with django_capture_on_commit_callbacks(execute=True):
        user = factories.make_user("clerk@city.muroran.example.jp", staff=True, enrolment_link=True)
    return user


def _token(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    return client


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def _enrol_and_pass_totp(client):
    """What a person (or an attacker with the password) does on allauth.mfa's pages: set up
    TOTP, then give a code where the admin asks for it."""
    response = client.get(ACTIVATE)
    if response.status_code == 302 and response["Location"].startswith("/accounts/reauth"):
        # allauth.mfa asks for the password again first (the sign-in itself does not count).
        client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
        client.get(ACTIVATE)
    secret = client.session.get(SECRET_SESSION_KEY)
    if secret:
        client.post(ACTIVATE, {"code": _code(secret)})
        client.post("/accounts/2fa/reauthenticate/", {"code": _code(secret)})
    return secret


def _registration_page(resident):
    registration = factories.make_registration(user=resident, contact_phone="0143-22-1111")
    return reverse("partners:registration_detail", args=[registration.pk])


# --- the defect: a password alone became full staff ------------------------------------------


def test_password_only_staff_never_reaches_the_admin_or_staff_views(client, clock, resident, db):
    staff = factories.make_user("clerk@city.muroran.example.jp", staff=True)
    page = _registration_page(resident)
    _sign_in(client, staff)

    _enrol_and_pass_totp(client)

    assert not Authenticator.objects.filter(user=staff).exists()
    response = client.get(ADMIN)
    assert response.status_code == 302 and response["Location"] == ENROLMENT
    assert client.get("/admin/accounts/user/").status_code == 302
    assert client.get(page).status_code == 404  # another person's registration
    assert Registration.objects.count() == 1


def test_the_enrolment_pages_send_staff_to_the_link_page_which_says_so(client, db):
    staff = factories.make_user("clerk@city.muroran.example.jp", staff=True)
    _sign_in(client, staff)
    response = client.get(ACTIVATE)
    assert response.status_code == 302 and response["Location"] == ENROLMENT
    page = client.get(ENROLMENT).content.decode()
    assert "メールのリンクをこのブラウザーで開いてください" in page
    assert "新しいリンクを送る" in page
    assert SecurityEvent.objects.filter(event="mfa_enrolment_refused", user=staff).exists()


def test_residents_enrol_without_a_link(client, clock, resident):
    _sign_in(client, resident)
    assert _enrol_and_pass_totp(client)
    assert Authenticator.objects.filter(user=resident, type="totp").exists()


# --- the link ----------------------------------------------------------------------------------


def test_the_full_path_with_the_link_reaches_the_admin(client, clock, new_staff):
    (message,) = mail.outbox
    assert message.to == [new_staff.email]
    assert "二段階認証" in message.subject
    token = _token(message)
    link = AccountLink.objects.get(user=new_staff)
    assert token not in link.token_hash  # stored hashed
    assert link.expires_at == link.created_at + dt.timedelta(hours=24)

    _sign_in(client, new_staff)
    response = client.get(f"{ENROLMENT}{token}/")
    assert response.status_code == 200 and "設定に進む" in response.content.decode()
    response = client.post(f"{ENROLMENT}{token}/")
    assert response.status_code == 302 and response["Location"] == ACTIVATE

    assert _enrol_and_pass_totp(client)
    assert Authenticator.objects.filter(user=new_staff, type="totp").exists()
    assert client.get(ADMIN).status_code == 200


def test_the_link_needs_the_password_first(client, new_staff):
    token = _token(mail.outbox[0])
    response = client.get(f"{ENROLMENT}{token}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AccountLink.objects.usable().filter(user=new_staff).exists()


def test_an_expired_link_is_refused(client, clock, new_staff):
    token = _token(mail.outbox[0])
    clock.shift(dt.timedelta(hours=24, seconds=1))
    _sign_in(client, new_staff)
    response = client.post(f"{ENROLMENT}{token}/")
    assert response.status_code == 400
    assert "有効期限切れ" in response.content.decode()
    assert client.get(ACTIVATE)["Location"] == ENROLMENT


def test_a_used_link_is_refused_the_second_time(client, clock, new_staff):
    token = _token(mail.outbox[0])
    _sign_in(client, new_staff)
    assert client.post(f"{ENROLMENT}{token}/").status_code == 302
    other_browser = type(client)()
    _sign_in(other_browser, new_staff)
    assert other_browser.post(f"{ENROLMENT}{token}/").status_code == 400
    assert other_browser.get(ACTIVATE)["Location"] == ENROLMENT


def test_another_accounts_link_is_refused_and_stays_usable_for_its_owner(
    client, clock, new_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        other = factories.make_user(
            "other-clerk@city.muroran.example.jp", staff=True, enrolment_link=True
        )
    token = _token(mail.outbox[0])
    assert mail.outbox[1].to == [other.email]
    _sign_in(client, other)
    assert client.get(f"{ENROLMENT}{token}/").status_code == 400
    assert client.post(f"{ENROLMENT}{token}/").status_code == 400
    assert client.get(ACTIVATE)["Location"] == ENROLMENT
    assert AccountLink.objects.usable().filter(user=new_staff).exists()


def test_the_link_works_only_in_the_session_that_followed_it(client, clock, new_staff):
    token = _token(mail.outbox[0])
    _sign_in(client, new_staff)
    client.post(f"{ENROLMENT}{token}/")
    other_browser = type(client)()
    _sign_in(other_browser, new_staff)
    assert other_browser.get(ACTIVATE)["Location"] == ENROLMENT
    # The browser that followed it goes on to allauth.mfa (which asks for the password again).
    assert client.get(ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")


def test_a_new_link_on_request_replaces_the_old_and_is_rate_limited(
    client, new_staff, django_capture_on_commit_callbacks
):
    old = _token(mail.outbox[0])
    _sign_in(client, new_staff)
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes on commit
        response = client.post(ENROLMENT)
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [new_staff.email]
    new = _token(mail.outbox[1])
    assert new != old
    assert AccountLink.objects.filter(user=new_staff).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post(ENROLMENT)
        response = client.post(ENROLMENT)
    assert response.status_code == 429
    assert len(mail.outbox) == 4
    assert client.post(f"{ENROLMENT}{old}/").status_code == 400


# --- when the link is sent -----------------------------------------------------------------------


def test_the_link_is_sent_when_is_staff_is_turned_on_in_the_admin(
    client, resident, django_capture_on_commit_callbacks, db
):
    superuser = factories.make_user("root@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, superuser)
    url = f"/admin/accounts/user/{resident.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_staff": "on",
            "is_active": "on",
            "groups": [],
            "user_permissions": [],
            "district": "",
            "date_joined_0": resident.date_joined.date().isoformat(),
            "date_joined_1": "00:00:00",
        }
    )
    data.pop("last_login", None)
    data.pop("is_superuser", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    resident.refresh_from_db()
    assert resident.is_staff
    (message,) = mail.outbox
    assert message.to == ["resident@example.jp"]
    assert _token(message)


def test_no_link_for_an_account_with_an_authenticator_or_in_the_demo(
    settings, resident, django_capture_on_commit_callbacks
):
    Authenticator.objects.create(user=resident, type="totp", data={"secret": "x"})
    with django_capture_on_commit_callbacks(execute=True):
        resident.is_staff = True
        resident.save()
    assert mail.outbox == []
    settings.ADMIN_REQUIRE_MFA = False
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_user("demo-admin@example.jp", superuser=True, enrolment_link=True)
    assert mail.outbox == []


def test_a_staff_account_that_loses_its_authenticators_gets_a_link(
    staff, django_capture_on_commit_callbacks
):
    totp = Authenticator.objects.create(user=staff, type="totp", data={"secret": "x"})
    Authenticator.objects.create(user=staff, type="recovery_codes", data={"seed": "x"})
    with django_capture_on_commit_callbacks(execute=True):
        Authenticator.objects.filter(user=staff).delete()
    assert totp.pk
    (message,) = mail.outbox
    assert message.to == [staff.email]


def test_createsuperuser_prints_the_link_for_the_operator(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-root-pass-93")
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "createsuperuser",
            "--noinput",
            "--email",
            "first-admin@city.muroran.example.jp",
            stdout=out,
        )
    user = User.objects.get(email="first-admin@city.muroran.example.jp")
    assert user.is_superuser
    printed = LINK.search(out.getvalue())
    assert printed, out.getvalue()
    (message,) = mail.outbox
    assert _token(message) == printed.group(1)


def test_the_demo_admin_signs_in_and_opens_the_admin_without_a_second_factor(settings, client, db):
    settings.ADMIN_REQUIRE_MFA = False
    admin = factories.make_user("admin@example.jp", superuser=True)
    _sign_in(client, admin)
    assert client.get(ADMIN).status_code == 200


# --- the last authenticator removed: the second factor it gave is withdrawn ---------------------


def _second_browser(user):
    """Another browser of the same person, known to allauth's session list."""
    from allauth.usersessions.models import UserSession
    from django.test import Client

    other = factories.with_second_factor(Client(), user)
    UserSession.objects.create(
        user=user, session_key=other.session.session_key, ip="192.0.2.9", user_agent="phone"
    )
    return other


def _password_given_again(client):
    """allauth asks for the password again before an authenticator is removed: given now."""
    session = client.session
    session["account_authentication_methods"].append(
        {"method": "password", "at": timezone.now().timestamp(), "reauthenticated": True}
    )
    session.save()


def test_staff_who_remove_their_last_authenticator_lose_staff_powers_everywhere(
    client, staff, resident, django_capture_on_commit_callbacks
):
    page = _registration_page(resident)
    factories.with_second_factor(client, staff)
    phone = _second_browser(staff)
    assert client.get(ADMIN).status_code == 200
    assert phone.get(ADMIN).status_code == 200
    _password_given_again(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=staff).exists()

    # This browser stays signed in, without staff powers, until the e-mailed link is followed.
    assert client.session[SESSION_KEY] == str(staff.pk)
    response = client.get(ADMIN)
    assert response.status_code == 302 and response["Location"] == ENROLMENT
    assert client.get(page).status_code == 404
    # The other browser is signed out.
    response = phone.get(ADMIN)
    assert response.status_code == 302 and "login" in response["Location"]
    assert SESSION_KEY not in phone.session
    assert SecurityEvent.objects.filter(event="staff_second_factor_withdrawn", user=staff).exists()
    assert [m.to for m in mail.outbox] == [[staff.email]]  # the link to enrol again


def test_a_residents_removed_authenticator_ends_none_of_their_sessions(client, resident):
    factories.with_second_factor(client, resident)
    phone = _second_browser(resident)
    _password_given_again(client)
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=resident).exists()
    assert phone.get("/mypage/").status_code == 200
    assert not SecurityEvent.objects.filter(event="staff_second_factor_withdrawn").exists()


def test_a_clerks_authenticator_deleted_in_the_admin_signs_the_clerk_out(client, staff):
    root = factories.make_user("root@city.muroran.example.jp", staff=True, superuser=True)
    factories.with_second_factor(client, root)
    clerk_browser = _second_browser(staff)
    assert clerk_browser.get(ADMIN).status_code == 200
    (totp,) = Authenticator.objects.filter(user=staff)

    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = clerk_browser.get(ADMIN)
    assert response.status_code == 302 and "login" in response["Location"]
    assert SESSION_KEY not in clerk_browser.session
    # The administrator's own session is untouched.
    assert client.get(ADMIN).status_code == 200

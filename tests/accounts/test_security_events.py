"""The audit log of security events (accounts.security_events): one row and one log line each,
with the right fields and no secret."""

import datetime as dt
import json
import logging

import pytest
import time_machine
from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import SecurityEvent
from tests import factories

LOGGER = "muroran_kyodo.security"
UA = "Mozilla/5.0 " + "x" * 400


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def _lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER]


def _only(caplog, event):
    rows = list(SecurityEvent.objects.filter(event=event))
    lines = [line for line in _lines(caplog) if line["event"] == event]
    assert len(rows) == 1, rows
    assert len(lines) == 1, lines
    return rows[0], lines[0]


def _no_secret(caplog, *secrets):
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == LOGGER)
    dump = json.dumps(list(SecurityEvent.objects.values_list("detail", "email", "path")))
    for secret in secrets:
        assert secret not in text
        assert secret not in dump


def _request(user, path="/accounts/2fa/"):
    request = RequestFactory().post(path, HTTP_USER_AGENT=UA, REMOTE_ADDR="192.0.2.7")
    request.user = user
    request.session = SessionStore()
    request.session.create()
    return request


def _login(client, email, password):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        HTTP_USER_AGENT=UA,
        REMOTE_ADDR="192.0.2.7",
    )


def test_sign_in_is_recorded(client, resident, log):
    assert _login(client, resident.email, factories.PASSWORD).status_code == 302
    row, line = _only(log, "login")
    assert row.user == resident and row.email == resident.email
    assert row.ip == "192.0.2.7" and row.path == "/accounts/login/"
    assert len(row.user_agent) == 200 and row.user_agent.startswith("Mozilla/5.0")
    assert line["user_id"] == resident.pk and line["email"] == resident.email
    assert line["ip"] == "192.0.2.7" and line["path"] == "/accounts/login/" and line["at"]
    _no_secret(log, factories.PASSWORD, client.session.session_key)


def test_sign_in_failure_keeps_the_typed_address_not_the_password(client, resident, log):
    assert _login(client, "Resident@Example.jp", "wrong-password-1").status_code == 200
    row, line = _only(log, "login_failed")
    assert row.user is None and row.email.lower() == "resident@example.jp"
    assert line["user_id"] is None and line["ip"] == "192.0.2.7"
    _no_secret(log, "wrong-password-1")


def test_lock_out_is_recorded(client, resident, log):
    for _ in range(5):
        _login(client, resident.email, "wrong-password-1")
    assert not SecurityEvent.objects.filter(event="login_locked_out").exists()
    _login(client, resident.email, "wrong-password-1")
    row, line = _only(log, "login_locked_out")
    assert row.email == resident.email and row.ip == "192.0.2.7"
    _no_secret(log, "wrong-password-1")


def test_password_change_is_recorded(client, resident, log):
    _login(client, resident.email, factories.PASSWORD)
    new = "brand-new-pass-77"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": factories.PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    row, line = _only(log, "password_changed")
    assert row.user == resident and line["user_id"] == resident.pk
    _no_secret(log, factories.PASSWORD, new)


@pytest.mark.parametrize(
    ("signal", "event"),
    [
        (account_signals.password_reset, "password_reset"),
        (account_signals.password_set, "password_set"),
    ],
)
def test_password_reset_and_set_are_recorded(resident, log, signal, event):
    signal.send(sender=type(resident), request=_request(resident), user=resident)
    row, line = _only(log, event)
    assert row.user == resident and row.ip == "192.0.2.7" and line["email"] == resident.email


def test_email_added_removed_changed_are_recorded(resident, log):
    request = _request(resident, "/accounts/email/")
    old = EmailAddress.objects.get(user=resident)
    new = EmailAddress.objects.create(user=resident, email="new@example.jp", verified=True)
    account_signals.email_added.send(
        sender=EmailAddress, request=request, user=resident, email_address=new
    )
    account_signals.email_changed.send(
        sender=EmailAddress,
        request=request,
        user=resident,
        from_email_address=old,
        to_email_address=new,
    )
    account_signals.email_removed.send(
        sender=EmailAddress, request=request, user=resident, email_address=old
    )
    row, line = _only(log, "email_added")
    assert row.detail == {"address": "new@example.jp"} and row.path == "/accounts/email/"
    row, line = _only(log, "email_changed")
    assert row.detail == {"old": resident.email, "new": "new@example.jp"}
    row, line = _only(log, "email_removed")
    assert line["detail"] == {"address": resident.email}


@pytest.mark.parametrize(
    ("signal", "event"),
    [
        (mfa_signals.authenticator_added, "mfa_added"),
        (mfa_signals.authenticator_removed, "mfa_removed"),
        (mfa_signals.authenticator_reset, "mfa_reset"),
        (mfa_signals.authenticator_used, "mfa_used"),
        (mfa_signals.authentication_failed, "mfa_failed"),
    ],
)
def test_second_factor_events_are_recorded(resident, log, signal, event):
    secret = "JBSWY3DPEHPK3PXP"
    authenticator = Authenticator.objects.create(
        user=resident, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    signal.send(
        sender=Authenticator,
        request=_request(resident),
        user=resident,
        authenticator=authenticator,
    )
    row, line = _only(log, event)
    assert row.user == resident and row.detail["type"] == "totp"
    assert line["user_id"] == resident.pk and line["ip"] == "192.0.2.7"
    _no_secret(log, secret)


def test_a_wrong_totp_code_is_recorded_as_mfa_failed(client, resident, log):
    from allauth.mfa.adapter import get_adapter

    # stored as allauth stores it: encrypted (accounts.mfa_adapter)
    secret = get_adapter().encrypt("JBSWY3DPEHPK3PXP")
    Authenticator.objects.create(
        user=resident, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    _login(client, resident.email, factories.PASSWORD)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    row, line = _only(log, "mfa_failed")
    assert row.user == resident
    _no_secret(log, "000000", "JBSWY3DPEHPK3PXP")


def test_staff_power_changes_are_recorded(resident, log):
    resident.is_staff = True
    resident.save()
    row, line = _only(log, "staff_powers_changed")
    # Outside a request the actor is the program that ran the code (here the test runner).
    by = row.detail.pop("by")
    assert row.detail == {"is_staff": [False, True]} and row.user == resident
    assert set(by) == {"command", "os_user"}
    SecurityEvent.objects.all().delete()
    log.clear()
    group = Group.objects.create(name="監査")
    resident.groups.add(group)
    row, line = _only(log, "staff_powers_changed")
    row.detail.pop("by")
    assert row.detail == {"groups": {"add": ["監査"]}}
    SecurityEvent.objects.all().delete()
    log.clear()
    resident.user_permissions.add(Permission.objects.get(codename="view_user"))
    row, line = _only(log, "staff_powers_changed")
    assert set(row.detail) == {"user_permissions", "by"}  # jsonb keeps no key order
    SecurityEvent.objects.all().delete()
    log.clear()
    resident.display_name = "べつのなまえ"
    resident.save()
    assert not SecurityEvent.objects.exists()


def test_a_403_is_recorded_a_404_is_not(client, resident, log):
    client.force_login(resident)
    SecurityEvent.objects.all().delete()
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/").status_code == 200
    assert not SecurityEvent.objects.exists()
    assert client.get("/admin/", HTTP_USER_AGENT=UA).status_code == 403
    row, line = _only(log, "refused")
    assert row.user == resident and row.path == "/admin/" and line["user_id"] == resident.pk


def test_the_admin_second_factor_refusal_is_recorded(client, staff, log):
    client.force_login(staff)
    SecurityEvent.objects.all().delete()
    assert client.get("/admin/").status_code == 302
    row, line = _only(log, "admin_refused")
    assert row.user == staff and row.detail == {"reason": "no_second_factor_set_up"}


def test_the_list_opens_for_a_superuser_with_the_second_factor(client, db):
    superuser = factories.make_user("root@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, superuser)
    response = client.get("/admin/accounts/securityevent/")
    assert response.status_code == 200
    event = SecurityEvent.objects.first()
    assert client.get(f"/admin/accounts/securityevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/securityevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/securityevent/{event.pk}/delete/").status_code == 403


def test_the_list_is_refused_to_other_staff(staff_client):
    assert staff_client.get("/admin/accounts/securityevent/").status_code in (302, 403)


def test_the_list_is_refused_to_a_superuser_without_the_second_factor(client, db):
    superuser = factories.make_user("root@city.muroran.example.jp", superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/accounts/securityevent/").status_code == 302


def test_prune_removes_old_rows_only(db):
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        old = SecurityEvent.objects.create(event="login", at=now - dt.timedelta(days=401))
        kept = SecurityEvent.objects.create(event="login", at=now - dt.timedelta(days=399))
        recent = SecurityEvent.objects.create(event="login", at=timezone.now())
        call_command("prune_security_events", stdout=open("/dev/null", "w"))
        assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {kept.pk, recent.pk}
        call_command("prune_security_events", "--days", "30", stdout=open("/dev/null", "w"))
        assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk


# --- who changed staff powers ------------------------------------------------------------------


def test_a_staff_power_change_in_the_admin_names_the_actor_and_their_address(client, resident):
    superuser = factories.make_user("root@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, superuser)
    group = Group.objects.get(name="地域生活課")
    url = f"/admin/accounts/user/{resident.pk}/change/"
    form = client.get(url, REMOTE_ADDR="192.0.2.44").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("is_superuser", None)
    data.update(
        {
            "is_staff": "on",
            "is_active": "on",
            "groups": [group.pk],
            "user_permissions": [],
            "district": "",
            "date_joined_0": resident.date_joined.date().isoformat(),
            "date_joined_1": "00:00:00",
        }
    )
    SecurityEvent.objects.all().delete()
    response = client.post(url, data, REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT=UA)
    assert response.status_code == 302, response.context["adminform"].form.errors

    rows = list(SecurityEvent.objects.filter(event="staff_powers_changed", user=resident))
    assert {tuple(sorted(k for k in r.detail if k != "by")) for r in rows} == {
        ("is_staff",),
        ("groups",),
    }
    for row in rows:
        assert row.detail["by"] == {"user_id": superuser.pk, "email": superuser.email}
        assert row.ip == "192.0.2.44"
        assert row.path == url


def test_outside_a_request_the_actor_is_the_command_and_the_os_user(resident, monkeypatch, log):
    from accounts import security_events

    monkeypatch.setattr(security_events.sys, "argv", ["manage.py", "shell"])
    monkeypatch.setattr(security_events.getpass, "getuser", lambda: "kyodo-ops")
    resident.is_superuser = True
    resident.save()
    row, line = _only(log, "staff_powers_changed")
    assert row.detail["by"] == {"command": "manage.py shell", "os_user": "kyodo-ops"}
    assert line["detail"]["by"] == row.detail["by"]


# --- a flood of refusals -------------------------------------------------------------------------


def test_a_flood_of_403s_on_one_path_writes_a_few_rows_and_one_count(client, resident):
    client.force_login(resident)
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=False) as clock:
        SecurityEvent.objects.all().delete()
        for _ in range(40):
            assert client.get("/admin/").status_code == 403
        assert SecurityEvent.objects.filter(event="refused").count() == 5
        summary = SecurityEvent.objects.get(event="refused_repeated")
        assert summary.user == resident
        assert summary.detail["suppressed"] == 32  # counted at powers of two: 35 suppressed

        # The next minute starts afresh.
        clock.shift(dt.timedelta(seconds=60))
        assert client.get("/admin/").status_code == 403
        assert SecurityEvent.objects.filter(event="refused").count() == 6


def test_a_flood_over_many_paths_is_capped_per_person(client, resident):
    client.force_login(resident)
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=False):
        SecurityEvent.objects.all().delete()
        for n in range(60):
            assert client.get(f"/admin/x{n}/").status_code == 403
        assert SecurityEvent.objects.filter(event="refused").count() == 20
        assert SecurityEvent.objects.filter(event="refused_repeated").count() == 1

"""The fuzz tests' world: the access matrix's (tests/access/world.py: the cast and one object for
every id a URL takes) plus what allauth's own forms need: a password-reset key, an e-mail
confirmation key, an account without a password, a staff member halfway through signing in."""

from __future__ import annotations

import datetime as dt
import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import STAFF_ACTIVITY_KEY
from partners.models import Shift
from tests import factories
from tests.access import world as access_world
from tests.access.urls import kwargs_for, url_name

# URLs of allauth's forms that take ids (the access matrix leaves allauth out).
EXTRA_ARGS = {
    "account_reset_password_from_key": lambda w: {"uidb36": w.reset_uid, "key": w.reset_key},
    "account_confirm_email": lambda w: {"key": w.confirm_key},
}


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def build():
    w = access_world.build()
    resident = w.users["resident"]
    unconfirmed = EmailAddress.objects.create(
        user=resident, email="resident-new@example.jp", verified=False, primary=False
    )
    w.objects["confirm_key"] = EmailConfirmationHMAC(unconfirmed).key
    w.objects["reset_uid"] = user_pk_to_url_str(resident)
    w.objects["reset_key"] = default_token_generator.make_token(resident)
    # A second shift of the opportunity, the member not signed up to it: the sign-up form shows.
    shift = w.objects["shift"]
    Shift.objects.create(
        opportunity=shift.opportunity,
        starts_at=shift.starts_at + dt.timedelta(days=2),
        ends_at=shift.ends_at + dt.timedelta(days=2),
        slots=5,
    )
    no_password = factories.make_user("no-password@example.jp")
    no_password.set_unusable_password()
    no_password.save()
    # Real TOTP secrets (allauth's, encrypted at rest) for the staff who fuzz the admin and the
    # second-factor pages: the access world's placeholder could not be decrypted.
    from allauth.mfa.totp.internal.auth import TOTP

    for role in ("staff", "superuser"):
        Authenticator.objects.filter(user=w.users[role]).delete()
        TOTP.activate(w.users[role], TOTP_SECRET)
    _records_staff_keep(w)
    users = get_user_model().objects
    w.users = {
        **w.users,
        "representative": users.get(email="rep@example.jp"),
        "member_fresh": w.users["member"],
        "member_two_browsers": w.users["member"],
        "staff_fresh": w.users["staff"],
        "staff_mid_login": w.users["staff"],
        "no_password": no_password,
    }
    return w


def url(world, key: str) -> str:
    name = url_name(key)
    builder = EXTRA_ARGS.get(name)
    kwargs = builder(world) if builder else kwargs_for(key, world)
    return reverse(name, kwargs=kwargs)


def _fresh(client: Client, user, *, mfa: bool) -> Client:
    """Signed in just now (allauth's re-authentication does not ask again)."""
    client.force_login(user)
    session = client.session
    now = time.time()
    methods = [{"method": "password", "at": now, "email": user.email, "reauthenticated": True}]
    if mfa:
        methods.append({"method": "mfa", "at": now, "type": "totp", "reauthenticated": True})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = methods
    session["account_authentication_methods_user"] = str(user.pk)
    session[STAFF_ACTIVITY_KEY] = {"first": now, "last": now}
    session.save()
    return client


def sign_in(client: Client, world, role: str) -> Client:
    user = world.users[role]
    if user is None:
        return client
    if role in ("member_fresh", "no_password"):
        return _fresh(client, user, mfa=False)
    if role == "staff_fresh":
        return _fresh(client, user, mfa=True)
    if role == "member_two_browsers":
        # Signed in on another browser too: the list offers to sign that one out.
        from allauth.usersessions.models import UserSession

        for browser in (Client(), client):
            session = factories.sign_in(browser, user).session
            UserSession.objects.create(
                user=user, session_key=session.session_key, ip="192.0.2.1", user_agent="fuzz"
            )
        return client
    if role == "reviewer":
        # Reviewers give the second factor before their pages (subsidies.second_factor).
        return factories.with_second_factor(client, user)
    if role == "staff_mid_login":
        # The password is right: allauth asks for the second factor (its login stage).
        client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})
        return client
    return factories.sign_in(client, user)


def _records_staff_keep(w) -> None:
    """One of each record the access matrix needs no URL for but the admin has a form for:
    loans, insurance, scores, payments and repayments, facilitator assignments, blocked days,
    follow-ups, verification history, user sessions; and a training with a sign-up, so that
    its completion form shows."""
    from allauth.usersessions.models import UserSession

    from councils.models import Session
    from entalk.models import Block, FollowUp
    from entalk.models import Department as EntalkDepartment
    from organizations.models import OrganizationStatusChange
    from partners.models import Equipment, EquipmentLoan, InsuranceEnrollment
    from subsidies.models import Payment, Repayment, Score
    from tests.councils import factories as cf

    o = w.objects
    staff = w.users["staff"]
    today = timezone.localdate()
    registration = o["registration"]
    EquipmentLoan.objects.create(
        registration=registration,
        equipment=Equipment.objects.first(),
        lend_on=today + dt.timedelta(days=3),
        return_by=today + dt.timedelta(days=5),
        created_by=w.users["member"],
    )
    InsuranceEnrollment.objects.create(
        registration=registration,
        fiscal_year=o["programme"].fiscal_year,
        insured_people=3,
        confirmed_by=staff,
    )
    assignment = o["assignment"]
    Score.objects.create(
        assignment=assignment,
        criterion=assignment.application.programme.criteria.order_by("sort_order").first(),
        score=4,
        comment="地域の参加が見込める",
    )
    Payment.objects.create(
        application=o["granted"],
        kind=Payment.Kind.ADVANCE,
        paid_on=today - dt.timedelta(days=5),
        amount=50_000,
        recorded_by=staff,
    )
    Repayment.objects.create(
        application=o["confirmed"],
        amount=10_000,
        requested_on=today - dt.timedelta(days=2),
        recorded_by=staff,
    )
    cf.make_assignment(o["councils_workshop"], o["councils_facilitator"], table=1)
    training = o["councils_training"]
    assert training.status == Session.Status.SCHEDULED
    cf.make_signup(training)
    Block.objects.create(
        starts_at=timezone.now() + dt.timedelta(days=40),
        ends_at=timezone.now() + dt.timedelta(days=40, hours=8),
        created_by=staff,
    )
    FollowUp.objects.create(
        request=o["entalk_session"],
        department=EntalkDepartment.objects.order_by("pk").first(),
        matter="公園のベンチの修繕",
    )
    OrganizationStatusChange.objects.create(
        organization=o["organization"], old_status="pending", new_status="verified", by=staff
    )
    UserSession.objects.create(
        user=w.users["resident"],
        session_key="fuzz-world-session",
        ip="192.0.2.7",
        user_agent="fuzz",
    )

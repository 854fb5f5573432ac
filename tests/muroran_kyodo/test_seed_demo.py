"""`manage.py seed_demo`: idempotent demo data, passwords from the environment, --volume."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from muroran_kyodo.lib.jp import current_fiscal_year
from organizations.models import (
    CollaborationProject,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from partners.models import Opportunity, Shift
from subsidies.models import IntakeWindow

pytestmark = pytest.mark.django_db

S = Organization.Status


@pytest.fixture(autouse=True)
def _no_demo_passwords(monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_USER_PASSWORD", raising=False)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "addresses": EmailAddress.objects.count(),
        "organizations": Organization.objects.count(),
        "organization fields": Organization.fields.through.objects.count(),
        "memberships": Membership.objects.count(),
        "history": OrganizationStatusChange.objects.count(),
        "projects": CollaborationProject.objects.count(),
        "project links": CollaborationProject.organizations.through.objects.count(),
    }


def test_it_changes_nothing_when_run_twice():
    seed()
    first = row_counts()
    out = seed()
    assert row_counts() == first
    assert first["organizations"] >= 12
    assert "password" not in out


def test_it_lists_verified_demo_organisations_in_the_directory(client):
    seed()
    response = client.get(reverse("organizations:directory"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("輪西町内会", "室蘭まちづくり市民の会", "室蘭工業大学", "輪西商店街振興組合"):
        assert name in page
    assert "えとも・ふれあいサロンの会" not in page  # pending
    assert "室工大 学生雪かきボランティア" not in page  # returned


def test_it_covers_the_five_group_actor_types():
    seed()
    codes = set(Organization.objects.verified().values_list("actor_type__code", flat=True))
    assert codes == {"neighbourhood", "npo", "university", "business", "government"}


def test_it_verifies_and_returns_through_the_workflow_with_history():
    seed()
    staff = User.objects.get(email="admin@example.jp")
    for organization in Organization.objects.verified():
        assert organization.status_changes.filter(new_status=S.VERIFIED, by=staff).exists()
    pending = Organization.objects.get(status=S.PENDING)
    assert pending.name == "えとも・ふれあいサロンの会"
    returned = Organization.objects.get(status=S.RETURNED)
    change = returned.status_changes.get(new_status=S.RETURNED)
    assert change.by == staff
    assert "追記してください" in change.reason


def test_it_takes_the_staff_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "kyodo-demo-admin-2026")
    out = seed()
    admin = User.objects.get(email="admin@example.jp")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("kyodo-demo-admin-2026")
    assert "kyodo-demo-admin-2026" not in out


def test_it_prints_a_random_staff_password_only_when_it_creates_the_user():
    out = seed()
    match = re.search(r"admin@example\.jp: password (\S+)", out)
    assert match
    assert User.objects.get(email="admin@example.jp").check_password(match.group(1))
    assert "admin@example.jp: password" not in seed()


def test_demo_resident_signs_in_with_the_password_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_USER_PASSWORD", "kyodo-demo-resident-2026")
    seed()
    address = EmailAddress.objects.get(email="resident@example.jp")
    assert address.verified and address.primary

    response = client.post(
        reverse("account_login"),
        {"login": "resident@example.jp", "password": "kyodo-demo-resident-2026"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(address.user_id)


def test_demo_resident_represents_one_group_and_belongs_to_another():
    seed()
    roles = dict(
        Membership.objects.filter(user__email="resident@example.jp").values_list(
            "organization__name", "role"
        )
    )
    assert roles == {
        "室蘭まちづくり市民の会": Membership.Role.REPRESENTATIVE,
        "輪西町内会": Membership.Role.MEMBER,
    }


def test_it_adds_volume_organisations_once():
    seed()
    before = row_counts()

    out = seed("--volume", "30")

    volume = Organization.objects.filter(name__startswith="ボリューム団体 ")
    assert Organization.objects.count() == before["organizations"] + 30
    assert volume.verified().count() == 30
    assert set(volume.values_list("name", flat=True)) == {
        f"ボリューム団体 {n:05d}" for n in range(1, 31)
    }
    assert CollaborationProject.objects.count() == before["projects"] + 3
    assert (
        Membership.objects.filter(
            organization__in=volume, role=Membership.Role.REPRESENTATIVE
        ).count()
        == 30
    )
    assert (
        OrganizationStatusChange.objects.filter(
            organization__in=volume, new_status=S.VERIFIED
        ).count()
        == 30
    )
    assert "30 volume organisations created" in out

    after = row_counts()
    seed("--volume", "30")
    assert row_counts() == after


def test_volume_organisations_are_listed_by_type(client):
    seed("--volume", "30")
    response = client.get(reverse("organizations:directory"), {"type": "npo"})
    assert response.status_code == 200
    assert "ボリューム団体 00008" in response.content.decode()  # every 20th from 8 to 15 is an NPO


def test_it_refuses_a_negative_volume():
    with pytest.raises(CommandError):
        seed("--volume", "-1")


@pytest.mark.parametrize(
    "moment",
    [
        # 00:01 JST on 1 April, the first minute of a 年度; 29 February; years ahead.
        dt.datetime(2027, 3, 31, 15, 1, tzinfo=dt.UTC),
        dt.datetime(2028, 2, 29, 3, 0, tzinfo=dt.UTC),
        dt.datetime(2031, 1, 1, 3, 0, tzinfo=dt.UTC),
    ],
    ids=["fiscal-year-start", "leap-day", "years-ahead"],
)
def test_the_demo_is_live_on_any_later_day(client, moment):
    with time_machine.travel(moment, tick=False):
        seed()
        now = timezone.now()
        today = timezone.localdate()
        year = current_fiscal_year()
        # An open subsidy call and open まごころ・まかせて shifts, on the home page.
        assert IntakeWindow.objects.open().exists()
        assert Opportunity.objects.open().exists()
        assert Shift.objects.filter(starts_at__gt=now).exists()
        home = client.get(reverse("home")).content.decode()
        assert IntakeWindow.objects.open().first().programme.title in home
        # This 年度 has collaboration projects; nothing was registered in the future.
        assert CollaborationProject.objects.filter(fiscal_year=year).exists()
        assert not CollaborationProject.objects.filter(fiscal_year__gt=year + 1).exists()
        assert not Organization.objects.filter(created_at__gt=now).exists()
        assert not OrganizationStatusChange.objects.filter(at__gt=now).exists()
        pending = Organization.objects.get(status=S.PENDING)
        assert (today - timezone.localdate(pending.created_at)).days < 60

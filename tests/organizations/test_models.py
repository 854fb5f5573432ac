"""Models and QuerySet verbs of the registry: what each verb returns and which invariants the
database itself enforces."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from organizations.models import (
    ActorType,
    CollaborationProject,
    Invitation,
    Membership,
    Organization,
    Policy,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = Organization.Status


# --- verified / for_directory -----------------------------------------------------------------


def test_verified_returns_only_verified_organisations(organization, other_organization):
    returned = factories.make_organization(status=S.RETURNED)

    verified = set(Organization.objects.verified())

    assert verified == {organization}
    assert other_organization not in verified and returned not in verified


def test_for_directory_lists_verified_organisations_by_reading(db):
    b = factories.make_organization(name="ビー", name_kana="ビー")
    a = factories.make_organization(name="エー", name_kana="エー")
    factories.make_organization(name="保留", name_kana="アア", status=S.PENDING)

    assert list(Organization.objects.for_directory()) == [a, b]


def test_for_directory_loads_type_district_and_fields_up_front(django_assert_num_queries, db):
    for _ in range(3):
        factories.make_organization(fields=["環境保全・美化", "高齢者支援"])

    with django_assert_num_queries(2):  # organisations with type and district, then fields
        rows = [
            (o.actor_type.name, o.district.name, [f.name for f in o.fields.all()])
            for o in Organization.objects.for_directory()
        ]

    assert len(rows) == 3
    assert all(len(fields) == 2 for _type, _district, fields in rows)


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def searchable(db):
    return {
        "harbour": factories.make_organization(
            name="港の清掃ボランティア",
            name_kana="ミナトノセイソウボランティア",
            description="絵鞆半島の海岸でごみ拾いをしています。",
        ),
        "snow": factories.make_organization(
            name="除雪お助け隊",
            name_kana="ジョセツオタスケタイ",
            description="高齢者の家の前を除雪します。",
        ),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("清掃", {"harbour"}),  # name
        ("ジョセツ", {"snow"}),  # reading
        ("ごみ拾い", {"harbour"}),  # description
        ("海岸 ごみ", {"harbour"}),  # every word must match
        ("海岸 除雪", set()),  # words from two different groups match none
        ("除雪 高齢者", {"snow"}),  # name and description together
        ("  ", {"harbour", "snow"}),  # blank search filters nothing
    ],
)
def test_search_matches_every_word_in_name_reading_or_description(searchable, text, expected):
    found = set(Organization.objects.search(text))

    assert found == {searchable[key] for key in expected}


# --- visible_to / of_member -------------------------------------------------------------------


def test_anonymous_sees_only_verified_organisations(organization, other_organization):
    assert set(Organization.objects.visible_to(AnonymousUser())) == {organization}


def test_member_of_pending_organisation_sees_it_besides_verified_ones(
    organization, other_organization, other_member
):
    assert set(Organization.objects.visible_to(other_member)) == {organization, other_organization}


def test_member_does_not_see_another_groups_pending_organisation(
    organization, other_organization, member
):
    assert set(Organization.objects.visible_to(member)) == {organization}


def test_visible_to_lists_a_verified_organisation_once_for_its_members(organization, member):
    assert list(Organization.objects.visible_to(member)) == [organization]


def test_staff_see_every_organisation(organization, other_organization, staff):
    returned = factories.make_organization(status=S.RETURNED)

    assert set(Organization.objects.visible_to(staff)) == {
        organization,
        other_organization,
        returned,
    }


def test_of_member_is_empty_for_anonymous_and_lists_own_groups(
    organization, other_organization, member, other_member
):
    assert list(Organization.objects.of_member(AnonymousUser())) == []
    assert list(Organization.objects.of_member(member)) == [organization]
    assert list(Organization.objects.of_member(other_member)) == [other_organization]


# --- database constraints ---------------------------------------------------------------------


def test_an_organisation_has_only_one_representative(organization, resident):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.add_member(organization, resident, Membership.Role.REPRESENTATIVE)

    assert organization.memberships.filter(role=Membership.Role.REPRESENTATIVE).count() == 1


def test_two_organisations_each_have_their_own_representative(organization, other_organization):
    assert Membership.objects.filter(role=Membership.Role.REPRESENTATIVE).count() == 2


def test_a_person_belongs_to_an_organisation_once(organization, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.add_member(organization, member, Membership.Role.CONTACT)

    assert organization.memberships.filter(user=member).count() == 1


def test_founded_year_before_meiji_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_organization(founded_year=1867)

    assert not Organization.objects.filter(founded_year=1867).exists()


def test_founded_year_1868_and_unknown_are_accepted(db):
    factories.make_organization(founded_year=1868)
    factories.make_organization(founded_year=None)

    assert Organization.objects.count() == 2


def test_project_cannot_end_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_project(
            title="逆さの事業", started_on=dt.date(2026, 5, 1), ended_on=dt.date(2026, 4, 30)
        )

    assert not CollaborationProject.objects.filter(title="逆さの事業").exists()


def test_project_may_end_on_the_day_it_starts_or_have_open_dates(db):
    factories.make_project(
        title="一日", started_on=dt.date(2026, 5, 1), ended_on=dt.date(2026, 5, 1)
    )
    factories.make_project(title="終了日なし", started_on=dt.date(2026, 5, 1))
    factories.make_project(title="開始日なし", ended_on=dt.date(2026, 5, 1))

    assert (
        CollaborationProject.objects.filter(title__in=["一日", "終了日なし", "開始日なし"]).count()
        == 3
    )


@pytest.mark.parametrize("year", [1999, 2101, 26])
def test_project_fiscal_year_must_be_plausible(db, year):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_project(title="年度違い", fiscal_year=year)

    assert not CollaborationProject.objects.filter(title="年度違い").exists()


def test_one_open_invitation_per_address_and_organisation(organization, representative):
    Invitation.objects.create(
        organization=organization, email="new@example.jp", invited_by=representative
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            organization=organization, email="new@example.jp", invited_by=representative
        )

    assert Invitation.objects.filter(email="new@example.jp").count() == 1


def test_a_new_invitation_may_follow_a_withdrawn_one(organization, representative):
    Invitation.objects.create(
        organization=organization,
        email="new@example.jp",
        invited_by=representative,
        revoked_at=timezone.now(),
    )

    Invitation.objects.create(
        organization=organization, email="new@example.jp", invited_by=representative
    )

    assert Invitation.objects.filter(email="new@example.jp").count() == 2


# --- Invitation -------------------------------------------------------------------------------


def test_invitation_expires_fourteen_days_after_it_was_sent(organization, representative):
    sent = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)

    invitation = Invitation.objects.create(
        organization=organization,
        email="new@example.jp",
        invited_by=representative,
        created_at=sent,
    )

    invitation.refresh_from_db()
    assert invitation.expires_at == sent + dt.timedelta(days=14)
    assert len(invitation.token) >= 40


def test_invitation_keeps_an_explicit_expiry(organization, representative):
    expires = timezone.now() + dt.timedelta(days=2)

    invitation = Invitation.objects.create(
        organization=organization,
        email="new@example.jp",
        invited_by=representative,
        expires_at=expires,
    )

    invitation.refresh_from_db()
    assert invitation.expires_at == expires


def test_invitations_get_distinct_tokens(organization, representative):
    a = Invitation.objects.create(
        organization=organization, email="a@example.jp", invited_by=representative
    )
    b = Invitation.objects.create(
        organization=organization, email="b@example.jp", invited_by=representative
    )

    assert a.token != b.token


def test_open_invitations_exclude_expired_accepted_and_withdrawn(organization, representative):
    now = timezone.now()

    def invite(email, **extra):
        return Invitation.objects.create(
            organization=organization, email=email, invited_by=representative, **extra
        )

    waiting = invite("waiting@example.jp")
    invite("accepted@example.jp", accepted_at=now)
    invite("withdrawn@example.jp", revoked_at=now)
    invite("expired@example.jp", expires_at=now - dt.timedelta(seconds=1))

    assert list(Invitation.objects.open()) == [waiting]
    assert waiting.is_open


def test_invitation_is_no_longer_open_after_fourteen_days(organization, representative):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        invitation = Invitation.objects.create(
            organization=organization, email="new@example.jp", invited_by=representative
        )
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, 59, tzinfo=dt.UTC), tick=False):
        assert invitation.is_open
        assert Invitation.objects.open().filter(pk=invitation.pk).exists()
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        assert not invitation.is_open
        assert not Invitation.objects.open().filter(pk=invitation.pk).exists()


# --- labels and small helpers -----------------------------------------------------------------


def test_reference_labels_follow_the_language():
    npo = ActorType.objects.get(code="npo")

    with translation.override("ja"):
        assert npo.label == "市民活動団体（NPO）"
        assert str(npo) == "市民活動団体（NPO）"
    with translation.override("en"):
        assert npo.label == "Civic group (NPO)"
        assert str(npo) == "Civic group (NPO)"


def test_label_falls_back_to_japanese_without_an_english_name():
    npo = ActorType.objects.get(code="npo")
    npo.name_en = ""

    with translation.override("en"):
        assert npo.label == "市民活動団体（NPO）"


def test_policy_lists_its_initiatives_one_per_line(db):
    policy = Policy(name="方針", description="説明", initiatives="一つ目\n\n  二つ目  \n")

    assert policy.initiative_list() == ["一つ目", "二つ目"]


def test_project_shows_western_and_japanese_fiscal_year(db):
    project = factories.make_project(fiscal_year=2026)

    assert project.fiscal_year_label == "2026年度（令和8年度）"


def test_urls_of_organisation_and_project(organization):
    project = factories.make_project()

    assert organization.get_absolute_url() == f"/organizations/{organization.pk}/"
    assert project.get_absolute_url() == f"/projects/{project.pk}/"


def test_is_verified_follows_status(organization, other_organization):
    assert organization.is_verified
    assert not other_organization.is_verified


def test_new_organisation_awaits_verification(db):
    organization = Organization.objects.create(
        name="新しい会",
        name_kana="アタラシイカイ",
        actor_type=factories.actor_type(),
        description="説明",
    )

    assert organization.status == S.PENDING

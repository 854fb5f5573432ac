"""Who may do what in the registry: every role of the fixed cast against every check."""

import pytest
from django.contrib.auth.models import AnonymousUser

from organizations.models import Membership
from organizations.permissions import (
    can_manage_members,
    can_verify,
    can_view_private,
    is_member,
    membership_of,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(organization):
    user = factories.make_user("contact@example.jp")
    factories.add_member(organization, user, Membership.Role.CONTACT)
    return user


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def inactive_staff(db):
    return factories.make_user("former-staff@city.muroran.example.jp", staff=True, is_active=False)


ROLES = ["anonymous", "resident", "member", "contact", "representative", "other_member", "staff"]

# role: (is_member, can_manage_members, can_view_private, can_verify) for `organization`
EXPECTED = {
    "anonymous": (False, False, False, False),
    "resident": (False, False, False, False),
    "member": (True, False, True, False),
    "contact": (True, True, True, False),
    "representative": (True, True, True, False),
    "other_member": (False, False, False, False),
    "staff": (False, False, True, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_for_an_organisation(organization, role, request):
    user = request.getfixturevalue(role)

    actual = (
        is_member(user, organization),
        can_manage_members(user, organization),
        can_view_private(user, organization),
        can_verify(user),
    )

    assert actual == EXPECTED[role]


def test_representative_of_one_organisation_cannot_manage_another(
    organization, other_organization, representative, other_member
):
    assert can_manage_members(representative, organization)
    assert not can_manage_members(representative, other_organization)
    assert can_manage_members(other_member, other_organization)
    assert not can_manage_members(other_member, organization)


def test_inactive_staff_cannot_verify(inactive_staff):
    assert not can_verify(inactive_staff)


def test_can_verify_refuses_none():
    assert not can_verify(None)


def test_membership_of_returns_the_users_membership(organization, member, representative):
    assert membership_of(member, organization).role == Membership.Role.MEMBER
    assert membership_of(representative, organization).role == Membership.Role.REPRESENTATIVE


def test_membership_of_anonymous_is_none_without_a_query(
    organization, anonymous, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert membership_of(anonymous, organization) is None


def test_membership_is_looked_up_once_per_user_and_organisation(
    organization, member, resident, django_assert_num_queries
):
    with django_assert_num_queries(2):  # one for member, one for resident
        for _ in range(3):
            is_member(member, organization)
            can_manage_members(member, organization)
            can_view_private(resident, organization)


def test_a_member_who_left_is_no_longer_a_member_on_a_fresh_copy(organization, member):
    Membership.objects.filter(organization=organization, user=member).delete()
    organization.refresh_from_db()
    fresh = type(organization).objects.get(pk=organization.pk)

    assert not is_member(member, fresh)

"""Who may do what with the councils: department scoping of councils, sessions and sign-ups,
the needs given with a sign-up (its department's staff and the person only), the pool's
keepers, and the workflows' check."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from councils import permissions
from councils.models import Council, Session, Signup
from tests import factories
from tests.councils import factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup(workshop, resident):
    return cf.make_signup(workshop, user=resident, need_childcare=True)


def _fresh(user):
    """The account as a new request loads it (no cached departments)."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("department staff", True),
        ("department staff without the second factor", False),
        ("staff of another department", False),
        ("superuser", True),
        ("the person", True),
        ("another resident", False),
        ("anonymous", False),
        ("staff account without the councils permission", False),
    ],
)
def test_who_sees_the_needs(signup, who, sees):
    users = {
        "department staff": lambda: cf.council_staff("都市政策課"),
        "department staff without the second factor": lambda: cf.without_second_factor(
            cf.council_staff("都市政策課")
        ),
        "staff of another department": lambda: cf.council_staff("環境課"),
        "superuser": lambda: factories.make_user(superuser=True),
        "the person": lambda: signup.user,
        "another resident": lambda: factories.make_user(),
        "anonymous": AnonymousUser,
        "staff account without the councils permission": lambda: factories.make_user(staff=True),
    }
    user = users[who]()
    assert permissions.can_see_needs(user, signup) is sees
    assert permissions.can_see_needs(None, signup) is False


def test_department_staff_manage_their_department_only(frozen):
    mine = cf.make_workshop(cf.make_council(department_name="都市政策課"))
    theirs = cf.make_workshop(cf.make_council(department_name="環境課"))
    clerk = cf.council_staff("都市政策課")

    assert permissions.is_council_staff(clerk)
    assert permissions.can_manage_session(clerk, mine)
    assert not permissions.can_manage_session(clerk, theirs)
    assert permissions.can_manage_council(clerk, mine.council)
    assert not permissions.can_manage_council(clerk, theirs.council)
    assert permissions.department_ids_of(clerk) == {mine.department_id}
    assert list(permissions.sessions_managed_by(clerk, Session.objects.all())) == [mine]
    assert list(permissions.councils_managed_by(clerk, Council.objects.all())) == [mine.council]
    own_signup = cf.make_signup(mine)
    cf.make_signup(theirs)
    assert list(permissions.signups_managed_by(clerk, Signup.objects.all())) == [own_signup]


def test_a_superuser_manages_every_department(frozen):
    sessions = [
        cf.make_workshop(cf.make_council(department_name=name)) for name in ("都市政策課", "環境課")
    ]
    admin = factories.make_user(superuser=True)
    assert permissions.department_ids_of(admin) is None
    assert all(permissions.can_manage_session(admin, s) for s in sessions)
    assert permissions.sessions_managed_by(admin, Session.objects.all()).count() == 2


def test_staff_without_the_second_factor_or_the_permission_manage_nothing(workshop):
    cf.make_signup(workshop)
    for user in (
        cf.without_second_factor(cf.council_staff("都市政策課")),
        factories.make_user(staff=True),
        factories.make_user(),
        AnonymousUser(),
        None,
    ):
        assert not permissions.is_council_staff(user)
        assert not permissions.can_manage_session(user, workshop)
        assert permissions.department_ids_of(user) in (set(), {workshop.department_id})
        assert not permissions.sessions_managed_by(user, Session.objects.all()).exists()
        assert not permissions.signups_managed_by(user, Signup.objects.all()).exists()


def test_a_person_sees_only_their_own_sign_ups(workshop, resident):
    own = cf.make_signup(workshop, user=resident)
    cf.make_signup(workshop, user=factories.make_user())
    cf.make_signup(workshop)
    assert list(permissions.signups_of(_fresh(resident), Signup.objects.all())) == [own]
    assert not permissions.signups_of(AnonymousUser(), Signup.objects.all()).exists()


def test_the_pool_is_kept_by_kikakuka(db):
    assert permissions.is_pool_keeper(cf.pool_keeper())
    assert not permissions.is_pool_keeper(cf.council_staff("都市政策課"))
    assert not permissions.is_pool_keeper(cf.without_second_factor(cf.pool_keeper()))
    assert permissions.is_pool_keeper(factories.make_user(superuser=True))


def test_may_act_for_the_workflows(workshop, resident):
    signup = cf.make_signup(workshop, user=resident)
    clerk = cf.council_staff("都市政策課")
    other = cf.council_staff("環境課")
    facilitator = cf.make_facilitator(resident)

    assert permissions.may_act(clerk, workshop, "staff")
    assert permissions.may_act(clerk, workshop.council, "staff")
    assert not permissions.may_act(other, workshop, "staff")
    assert permissions.may_act(resident, signup, "person")
    assert not permissions.may_act(clerk, signup, "person")
    assert permissions.may_act(clerk, signup, "either")
    assert permissions.may_act(resident, facilitator, "either")
    assert permissions.may_act(cf.pool_keeper(), facilitator, "staff")
    assert not permissions.may_act(clerk, facilitator, "staff")
    assert not permissions.may_act(clerk, workshop, "nobody")

"""Subsidy reviewers (審査委員) read the groups' plans, budgets and documents and score them:
before any of that they give the second factor (TOTP or a passkey), as staff do for the admin.
A reviewer without one is sent to set it up; one who has not given it in this session, to give
it and come back (`accounts.second_factor.send_to_second_factor`)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _

from accounts.second_factor import SECOND_FACTOR_TYPES, send_to_second_factor
from organizations.models import Membership

from .models import ReviewAssignment
from .permissions import ApplicationLike, reviews_only


def _send(request: HttpRequest) -> HttpResponseRedirect | None:
    return send_to_second_factor(
        request,
        set_up_message=_(
            "Reviewers must set up two-step verification (an authenticator app or a passkey) "
            "before opening the applications they review."
        ),
        event="review_refused",
    )


def reviewer_gate(request: HttpRequest) -> HttpResponseRedirect | None:
    """For the reviewer's own pages: anyone with an assignment."""
    if not ReviewAssignment.objects.filter(reviewer=request.user).exists():
        return None
    return _send(request)


def reviewer_gate_for(
    request: HttpRequest, application: ApplicationLike
) -> HttpResponseRedirect | None:
    """For an application's pages: when the user sees it only as its reviewer."""
    if not reviews_only(request.user, application):
        return None
    return _send(request)


def representative_should_add_second_factor(user, organization=None) -> bool:
    """The 代表者 of a group with a subsidy application (of `organization`, when given) who has
    no second factor yet: the group's subsidy money goes through their account, so マイページ
    and the application pages recommend one. A recommendation, nothing is refused. One
    query."""
    if not (user and user.is_authenticated):
        return False
    memberships = Membership.objects.filter(
        user=user,
        role=Membership.Role.REPRESENTATIVE,
        organization__subsidy_applications__isnull=False,
    ).exclude(
        Exists(Authenticator.objects.filter(user=OuterRef("user"), type__in=SECOND_FACTOR_TYPES))
    )
    if organization is not None:
        memberships = memberships.filter(organization=organization)
    return memberships.exists()

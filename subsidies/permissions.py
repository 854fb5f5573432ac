"""Who may do what with subsidy applications, as plain functions."""

from __future__ import annotations

from accounts.permissions import acts_as_staff
from organizations.permissions import is_member

STAFF_GROUPS = ("地域生活課",)


def is_subsidy_staff(user) -> bool:
    """City staff who run the subsidy: 地域生活課, or superusers."""
    if not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def can_act_for(user, application) -> bool:
    """Any member of the applicant organisation acts for it (drafts, submits, reports)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_member(user, application.organization)


def is_assigned_reviewer(user, application) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return application.review_assignments.filter(reviewer=user).exists()


def can_view_application(user, application) -> bool:
    """The group's members, the reviewers assigned to it, and staff."""
    return (
        is_subsidy_staff(user)
        or can_act_for(user, application)
        or is_assigned_reviewer(user, application)
    )


def can_view_attachment(user, attachment) -> bool:
    return can_view_application(user, attachment.application)


def can_score(user, assignment) -> bool:
    """Only the assigned reviewer scores, and only while the application is under review."""
    from .models import Application

    return (
        bool(user and user.is_authenticated and user.is_active)
        and assignment.reviewer_id == user.pk
        and assignment.application.status == Application.Status.UNDER_REVIEW
    )

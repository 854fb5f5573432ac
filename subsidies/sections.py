"""What the subsidy adds to the home page and マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section, Task, Urgency
from organizations.models import Membership
from organizations.sections import read_memberships

from .models import (
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    IntakeWindow,
    Repayment,
)
from .reminders import REPORT_DAYS_AFTER_END, report_due_on
from .second_factor import representative_should_add_second_factor

MYPAGE_APPLICATIONS = 10
# The completion report (実績報告) is due on reminders.report_due_on (README, "E-mails"): the
# date マイページ shows and the reminder uses; staff accept a later one.

S = Application.Status


def home_open_intake(request) -> Section | None:
    """Intake windows of published programmes open now, the soonest to close first. One
    query; nothing when no window is open."""
    now = timezone.now()
    windows = list(
        IntakeWindow.objects.open(now)
        .filter(programme__is_published=True)
        .select_related("programme")
        .order_by("closes_at", "pk")[:5]
    )
    if not windows:
        return None
    for window in windows:
        window.days = window.days_left(now)
    return Section(
        _("Community activity subsidy: applications open"),
        "subsidies/public_home_section.html",
        {"windows": windows},
    )


def mypage_applications(request) -> Section | None:
    """My organisations' subsidy applications with their states, newest first. One query;
    nothing when none of my organisations has applied, and no query when マイページ knows I
    belong to none."""
    if read_memberships(request) == []:
        return None
    applications = list(
        Application.objects.of_member(request.user)
        .select_related("programme", "organization")
        .only(
            "pk",
            "number",
            "title",
            "status",
            "created_at",
            "programme__fiscal_year",
            "programme__title",
            "organization__name",
        )
        .order_by("-created_at", "-pk")[: MYPAGE_APPLICATIONS + 1]
    )
    if not applications:
        return None
    return Section(
        _("My subsidy applications"),
        "subsidies/public_mypage_section.html",
        {
            "applications": applications[:MYPAGE_APPLICATIONS],
            "more": len(applications) > MYPAGE_APPLICATIONS,
        },
    )


# --- マイページ's 次にすること ---------------------------------------------------------------------


def _with_what_matters(applications, now: dt.datetime):
    """Annotate what the tasks read: the last history row (its reason and the state it left:
    a report returned is granted again after reported), whether a change request waits for
    the city's answer, and the programme's first window that has not closed (a draft is
    submitted in the window open then)."""
    last_change = ApplicationStatusChange.objects.filter(application=OuterRef("pk")).order_by(
        "-at", "-pk"
    )
    next_window = IntakeWindow.objects.filter(
        programme=OuterRef("programme"), closes_at__gte=now
    ).order_by("closes_at", "pk")
    # A repayment asked for and not yet received (after 額の確定, 取消 or 中止・廃止).
    unpaid = Repayment.objects.filter(application=OuterRef("pk"), repaid_on__isnull=True).order_by(
        "pk"
    )
    return applications.annotate(
        last_reason=Subquery(last_change.values("reason")[:1]),
        last_old_status=Subquery(last_change.values("old_status")[:1]),
        change_waiting=Exists(
            ChangeRequest.objects.filter(
                application=OuterRef("pk"), status=ChangeRequest.Status.REQUESTED
            )
        ),
        window_opens_at=Subquery(next_window.values("opens_at")[:1]),
        window_closes_at=Subquery(next_window.values("closes_at")[:1]),
        repayment_amount=Subquery(unpaid.values("amount")[:1]),
        repayment_due_on=Subquery(unpaid.values("due_on")[:1]),
        repayment_kind=Subquery(unpaid.values("kind")[:1]),
    )


def _tasks_of(application: Application, now: dt.datetime) -> list[Task]:
    title = application.title
    pk = application.pk
    if application.status == S.DRAFT:
        if application.window_closes_at is None:
            return []  # no window left this 年度: nothing can be done with it now
        opens = application.window_opens_at
        return [
            Task(
                title=_t("Subsidy application not submitted yet: %(title)s") % {"title": title},
                detail=(
                    _t("%(programme)s; applications open on %(date)s")
                    % {
                        "programme": application.programme.title,
                        "date": f"{timezone.localdate(opens):%Y-%m-%d}",
                    }
                    if opens > now
                    else str(application.programme.title)
                ),
                due=timezone.localdate(application.window_closes_at),
                due_label=_t("Submit by"),
                url=reverse("subsidies:application_edit", args=[pk]),
                action_label=_t("Continue the draft"),
            )
        ]
    if application.status == S.RETURNED:
        return [
            Task(
                title=_t("Subsidy application returned for changes: %(title)s") % {"title": title},
                detail=application.last_reason or "",
                url=reverse("subsidies:application_edit", args=[pk]),
                action_label=_t("Change and submit again"),
                urgency=Urgency.ACTION,
            )
        ]
    if application.status == S.GRANTED:
        returned = application.last_old_status == S.REPORTED
        tasks = [
            Task(
                title=(
                    _t("Completion report returned for changes: %(title)s")
                    if returned
                    else _t("Completion report: %(title)s")
                )
                % {"title": title},
                detail=(
                    application.last_reason
                    if returned
                    else _t(
                        "Due %(days)s days after the project's last day (%(date)s), "
                        "at the latest on 10 April after its fiscal year."
                    )
                    % {
                        "days": REPORT_DAYS_AFTER_END,
                        "date": f"{application.ends_on:%Y-%m-%d}" if application.ends_on else "—",
                    }
                ),
                due=report_due_on(application),
                due_label=_t("Report by"),
                url=reverse("subsidies:report", args=[pk]),
                action_label=_t("Correct the report") if returned else _t("Write the report"),
                urgency=Urgency.ACTION if returned else Urgency.DATED,
            )
        ]
        if application.change_waiting:
            tasks.append(
                Task(
                    title=_t("Change request: %(title)s") % {"title": title},
                    detail=_t("The city will answer by e-mail."),
                    url=reverse("subsidies:change_request", args=[pk]),
                    action_label=_t("See the change request"),
                    urgency=Urgency.WAITING,
                )
            )
        return tasks
    if application.repayment_amount is not None:
        overpaid = application.repayment_kind == Repayment.Kind.OVERPAID
        return [
            Task(
                title=_t("Pay back part of the subsidy: %(title)s") % {"title": title},
                detail=_t("Amount to repay: ¥%(amount)s")
                % {"amount": f"{application.repayment_amount:,}"},
                due=application.repayment_due_on,
                due_label=_t("Repay by"),
                url=(
                    reverse("subsidies:notice_confirmation", args=[pk])
                    if overpaid
                    else application.get_absolute_url()
                ),
                action_label=(
                    _t("See the notice of the confirmed amount")
                    if overpaid
                    else _t("See the application")
                ),
                urgency=Urgency.ACTION,
            )
        ]
    return []


def mypage_tasks(request) -> list[Task]:
    """What my groups have to do next on their applications: a draft to submit before its
    window closes, an application or a completion report returned for changes, a report due,
    a change request waiting for the city, a repayment. One query; none when マイページ knows
    I belong to no group."""
    if read_memberships(request) == []:
        return []
    now = timezone.now()
    applications = _with_what_matters(
        Application.objects.of_member(request.user)
        .filter(
            Q(status__in=(S.DRAFT, S.RETURNED, S.GRANTED))
            | Exists(Repayment.objects.filter(application=OuterRef("pk"), repaid_on__isnull=True))
        )
        .select_related("programme"),
        now,
    ).order_by("pk")
    return [task for application in applications for task in _tasks_of(application, now)]


def mypage_second_factor_task(request) -> list[Task]:
    """For a group's 代表者 without a second factor: setting one up, recommended, not required
    (the group's subsidy money goes through their account). One query; none when マイページ
    knows I represent no group."""
    memberships = read_memberships(request)
    if memberships is not None and not any(
        m.role == Membership.Role.REPRESENTATIVE for m in memberships
    ):
        return []
    if not representative_should_add_second_factor(request.user):
        return []
    return [
        Task(
            title=_t("Set up two-step verification for your group's subsidy"),
            detail=_t(
                "Recommended for the representative of a group that applies for a subsidy: "
                "an authenticator app or a passkey."
            ),
            url=reverse("mfa_index"),
            action_label=_t("Set up two-step verification"),
        )
    ]

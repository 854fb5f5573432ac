"""What the partner programme adds to the home page and マイページ (listed in
muroran_kyodo/registry.py): the boxes, and the tasks of マイページ's 次にすること."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section, Task, Urgency

from .models import (
    ActivityReport,
    EquipmentLoan,
    Opportunity,
    Programme,
    Registration,
    RegistrationStatusChange,
    RequestStatus,
    Signup,
)
from .reminders import REPORT_REMINDER_DAYS, report_due_on

S = Registration.Status
# The shifts マイページ lists (and the first confirmed one is the next task).
MYPAGE_SIGNUPS = 20


def _my_registrations(request) -> list[Registration]:
    """My registrations (mine and my organisations'), fetched once per request: the sections
    and the tasks below share them. Each carries the date of its last activity reported and,
    for one returned for changes, the city's reason (the last history row's)."""
    if not hasattr(request, "_partner_registrations"):
        last_report = ActivityReport.objects.filter(registration=OuterRef("pk")).order_by(
            "-activity_date"
        )
        last_change = RegistrationStatusChange.objects.filter(registration=OuterRef("pk")).order_by(
            "-at", "-pk"
        )
        request._partner_registrations = list(
            Registration.objects.of_user(request.user)
            .select_related("organization")
            .annotate(
                last_report_on=Subquery(last_report.values("activity_date")[:1]),
                last_reason=Subquery(last_change.values("reason")[:1]),
            )
            .order_by("-created_at", "-pk")
        )
    return request._partner_registrations


def _live(registrations) -> list[Registration]:
    return [r for r in registrations if r.status != S.WITHDRAWN]


def _my_upcoming_signups(request) -> list[Signup]:
    """My sign-ups to shifts that have not ended, soonest first, cancelled ones left out: one
    query, shared by the shifts section and the next-shift task; none without registrations."""
    if not hasattr(request, "_partner_signups"):
        registrations = {r.pk: r for r in _my_registrations(request)}
        request._partner_signups = (
            list(
                Signup.objects.filter(
                    registration__in=list(registrations), shift__ends_at__gte=timezone.now()
                )
                .exclude(status=Signup.Status.CANCELLED)
                .select_related("shift__opportunity")
                .order_by("shift__starts_at", "pk")[:MYPAGE_SIGNUPS]
            )
            if registrations
            else []
        )
        for signup in request._partner_signups:  # in memory already: not joined again
            signup.registration = registrations[signup.registration_id]
    return request._partner_signups


def registration_links(registration: Registration) -> list[tuple[str, str]]:
    """The direct links a registration offers on マイページ, (url, label), by its state: change a
    returned one; the certificate once registered; まち「ピカ」's reports (filed while registered
    or suspended, listed once accepted); まごころ・まかせて's open opportunities."""
    pk, status = registration.pk, registration.status
    links = []
    if status == S.RETURNED:
        links.append(
            (reverse("partners:registration_edit", args=[pk]), _t("Change and submit again"))
        )
    if status == S.REGISTERED and registration.registered_on:
        links.append((reverse("partners:certificate", args=[pk]), _t("Certificate")))
    if registration.programme == Programme.PIKA:
        if status in (S.REGISTERED, S.SUSPENDED):
            links.append(
                (reverse("partners:report_create", args=[pk]), _t("File an activity report"))
            )
        if status in (S.REGISTERED, S.SUSPENDED, S.WITHDRAWN):
            last = getattr(registration, "last_report_on", None)
            links.append(
                (
                    reverse("partners:report_list", args=[pk]),
                    _t("All activity reports")
                    + (_t(" (last: %(date)s)") % {"date": f"{last:%Y-%m-%d}"} if last else ""),
                )
            )
    elif status == S.REGISTERED:
        links.append((reverse("partners:opportunity_list"), _t("Opportunities open for sign-up")))
    return links


def mypage_registrations(request) -> Section:
    """My partner registrations (mine and my organisations'), each with its state and the links
    that apply to it, and each programme with “registered” or the link to register. One query
    (shared)."""
    registrations = _my_registrations(request)
    live = _live(registrations)
    programmes = [
        {
            "code": code,
            "label": label,
            "numbers": ", ".join(r.number for r in live if r.programme == code),
        }
        for code, label in Programme.choices
    ]
    for programme in programmes:
        programme["registrations"] = bool(programme["numbers"])
    return Section(
        _("My partner registrations"),
        "partners/mypage_section.html",
        {
            "registrations": [
                {"registration": r, "links": registration_links(r)} for r in registrations
            ],
            "programmes": programmes,
        },
    )


def home_open_opportunities(request) -> Section | None:
    """まごころ・まかせて opportunities open for sign-ups, soonest deadline first. One query."""
    opportunities = list(Opportunity.objects.open().order_by("signup_deadline", "pk")[:5])
    if not opportunities:
        return None
    return Section(
        _("Help the city as a partner"),
        "partners/opportunity_home_section.html",
        {"opportunities": opportunities},
    )


def mypage_requests(request) -> Section | None:
    """My pickup, supply and equipment requests with their states, newest first: one UNION
    query of the three kinds (my registrations are shared with the section above); nothing
    when I have no registration."""
    from .models import requests_of
    from .views.requests import MYPAGE_REQUESTS, with_labels

    registrations = _live(_my_registrations(request))
    if not registrations:
        return None
    rows = with_labels(list(requests_of([r.pk for r in registrations])[:MYPAGE_REQUESTS]))
    return Section(
        _("My requests to the city"),
        "partners/request_mypage_section.html",
        {"rows": rows, "registrations": [r for r in registrations if r.status == S.REGISTERED]},
    )


def mypage_signups(request) -> Section | None:
    """My まごころ・まかせて shifts that have not ended yet, soonest first. No query of its own
    (shared with the next-shift task); nothing when I have none."""
    signups = _my_upcoming_signups(request)
    if not signups:
        return None
    return Section(_("My shifts"), "partners/signup_mypage_section.html", {"signups": signups})


# --- マイページ's 次にすること ---------------------------------------------------------------------


def _name(registration: Registration) -> str:
    """「まち「ピカ」パートナー（清掃・美化）MP-2026-00005」: the programme in words, then the
    number."""
    return f"{registration.get_programme_display()} {registration.number}"


def _registration_tasks(registrations, today: dt.date) -> list[Task]:
    tasks = []
    for registration in registrations:
        if registration.status == S.RETURNED:
            tasks.append(
                Task(
                    title=_t("Partner registration returned for changes: %(name)s")
                    % {"name": _name(registration)},
                    detail=registration.last_reason or "",
                    url=reverse("partners:registration_edit", args=[registration.pk]),
                    action_label=_t("Change and submit again"),
                    urgency=Urgency.ACTION,
                )
            )
        due = report_due_on(registration)
        if due is not None and today >= due - dt.timedelta(days=REPORT_REMINDER_DAYS):
            last = registration.last_report_on
            tasks.append(
                Task(
                    title=_t("Activity report: %(name)s") % {"name": _name(registration)},
                    detail=(
                        _t("Last activity reported: %(date)s") % {"date": f"{last:%Y-%m-%d}"}
                        if last
                        else _t("No activity reported yet.")
                    ),
                    due=due,
                    due_label=_t("Report by"),
                    url=reverse("partners:report_create", args=[registration.pk]),
                    action_label=_t("File an activity report"),
                )
            )
    return tasks


def _shift_task(signups) -> list[Task]:
    signup = next((s for s in signups if s.status == Signup.Status.CONFIRMED), None)
    if signup is None:
        return []
    shift = signup.shift
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return [
        Task(
            title=_t("Your next shift: %(title)s") % {"title": shift.opportunity.title},
            detail=_t("%(start)s–%(end)s at %(place)s")
            % {
                "start": f"{starts:%H:%M}",
                "end": f"{ends:%H:%M}",
                "place": shift.opportunity.place,
            },
            due=starts.date(),
            due_label=_t("Day of the shift"),
            url=reverse("partners:opportunity_detail", args=[shift.opportunity_id]),
            action_label=_t("See the opportunity"),
        )
    ]


def _loan_tasks(registrations) -> list[Task]:
    """Equipment lent out to me, to bring back by its date. One query."""
    by_pk = {r.pk: r for r in registrations}
    loans = EquipmentLoan.objects.filter(
        registration__in=list(by_pk), status=RequestStatus.LENT
    ).select_related("equipment")
    return [
        Task(
            title=_t("Bring back the equipment: %(equipment)s") % {"equipment": loan.equipment},
            detail=_t("Lent to %(name)s") % {"name": _name(by_pk[loan.registration_id])},
            due=loan.return_by,
            due_label=_t("Return by"),
            url=reverse("partners:request_list", args=[loan.registration_id]),
            action_label=_t("See my requests"),
        )
        for loan in loans.order_by("return_by", "pk")
    ]


def mypage_tasks(request) -> list[Task]:
    """What a partner has to do next: a registration returned for changes, a まち「ピカ」
    activity report due, the next confirmed shift, equipment to bring back. My registrations
    and upcoming sign-ups are shared with the sections (one query each), the loans one more;
    none of it without a live registration."""
    registrations = _live(_my_registrations(request))
    if not registrations:
        return []
    today = timezone.localdate()
    return [
        *_registration_tasks(registrations, today),
        *_shift_task(_my_upcoming_signups(request)),
        *_loan_tasks(registrations),
    ]

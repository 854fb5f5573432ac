"""What waits for staff in the partner programmes, for the admin index's work queue
(`registry.STAFF_QUEUE`): registrations to approve, each department's requests, loans overdue
and shifts short of people. A clerk sees the lines of their own department only, as the
request admins route them (a 土木課 clerk sees pickups, not loans)."""

from __future__ import annotations

from django.db.models import Count, F, Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import (
    EquipmentLoan,
    Opportunity,
    PickupRequest,
    Registration,
    RequestStatus,
    Shift,
    Signup,
    SupplyRequest,
)

SHORT_OF_PEOPLE = "short"


def shifts_short_of_people() -> QuerySet[Shift]:
    """Shifts still to come, of published opportunities, with fewer confirmed people than
    places."""
    return (
        Shift.objects.filter(opportunity__is_published=True, starts_at__gte=timezone.now())
        .annotate(confirmed=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)))
        .filter(confirmed__lt=F("slots"))
    )


def _departments(request: HttpRequest) -> set[str] | None:
    """The departments (group names) of the user, as the request admins route by
    (`partners.admin.common.user_departments`); None for a superuser, who sees everything."""
    if request.user.is_superuser:
        return None
    return set(request.user.groups.values_list("name", flat=True))


def _link(model: type[Model], **params: str) -> str:
    url = reverse(f"admin:partners_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def items(request: HttpRequest) -> list[QueueItem]:
    """At most one query per line, plus the user's permissions and groups (cached)."""
    user = request.user
    group = _("Partner programmes")
    found: list[QueueItem] = []
    if user.has_perm("partners.change_registration"):
        applied = Registration.Status.APPLIED
        found.append(
            QueueItem(
                group,
                _("Registrations to approve"),
                Registration.objects.filter(status=applied).count(),
                _link(Registration, status__exact=applied),
            )
        )
    departments = _departments(request)
    for model, label in (
        (PickupRequest, _("Rubbish pickups to route (土木課)")),
        (SupplyRequest, _("Supply requests to route (環境課)")),
        (EquipmentLoan, _("Equipment loan requests to route (地域生活課)")),
    ):
        if not user.has_perm(f"partners.view_{model._meta.model_name}"):
            continue
        if departments is not None and model.DEPARTMENT not in departments:
            continue
        requested = RequestStatus.REQUESTED
        found.append(
            QueueItem(
                group,
                label,
                model.objects.filter(status=requested).count(),
                _link(model, status__exact=requested),
            )
        )
        if model is EquipmentLoan:
            today = timezone.localdate().isoformat()
            lent = RequestStatus.LENT
            found.append(
                QueueItem(
                    group,
                    _("Equipment loans overdue"),
                    EquipmentLoan.objects.filter(status=lent, return_by__lt=today).count(),
                    _link(EquipmentLoan, status__exact=lent, return_by__lt=today),
                )
            )
    if user.has_perm("partners.change_opportunity"):
        found.append(
            QueueItem(
                group,
                _("Shifts short of people"),
                shifts_short_of_people().count(),
                _link(Opportunity, staffing=SHORT_OF_PEOPLE),
            )
        )
    return found

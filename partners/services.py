"""Write paths of the partner programme. Views, admin actions and commands call these; nothing
else changes a registration's status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.jp import fiscal_year
from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.models import next_value

from . import emails
from .models import (
    CONTACT_FIELDS,
    NUMBER_PREFIX,
    PARTNER_EDITABLE_FIELDS,
    PLACES_ON_THE_FORM,
    ActivityPlace,
    ActivityReport,
    Channel,
    Registration,
    RegistrationStatusChange,
)
from .permissions import can_act_for, is_partner_staff

S = Registration.Status

# (from, to) → who may make the change: "staff", or "partner" (the person responsible or a
# manager of the organisation; staff may always act for them, e.g. on a phone call).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.APPLIED, S.REGISTERED): "staff",
    (S.APPLIED, S.RETURNED): "staff",
    (S.RETURNED, S.APPLIED): "partner",
    (S.REGISTERED, S.SUSPENDED): "partner",
    (S.SUSPENDED, S.REGISTERED): "partner",
    (S.APPLIED, S.WITHDRAWN): "partner",
    (S.RETURNED, S.WITHDRAWN): "partner",
    (S.REGISTERED, S.WITHDRAWN): "partner",
    (S.SUSPENDED, S.WITHDRAWN): "partner",
}
REASON_REQUIRED = {S.RETURNED}


class TransitionError(Exception):
    """The change is not allowed from the registration's current status."""


def allowed_targets(registration: Registration, user) -> list[str]:
    """The statuses `user` may move this registration to now (for buttons and admin actions)."""
    targets = []
    for (old, new), who in ALLOWED_TRANSITIONS.items():
        if old != registration.status:
            continue
        if is_partner_staff(user) or (who == "partner" and can_act_for(user, registration)):
            targets.append(new)
    return targets


def transition(*, registration: Registration, new: str, by, reason: str = "") -> Registration:
    """Change a registration's status.

    1. check (old, new) is in ALLOWED_TRANSITIONS and `by` may make it;
    2. compare-and-set the status, so a concurrent change fails instead of being overwritten;
    3. write the history row (old, new, by, at, reason);
    4. e-mail the partner once the transaction commits.
    """
    old = registration.status
    who = ALLOWED_TRANSITIONS.get((old, new))
    if who is None:
        raise TransitionError(
            _("This registration cannot go from “%(old)s” to “%(new)s”.")
            % {"old": S(old).label, "new": S(new).label}
        )
    if not (is_partner_staff(by) or (who == "partner" and can_act_for(by, registration))):
        raise PermissionDenied
    if new in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Write the reason, so the partner knows what to fix.")})

    now = timezone.now()
    changes = {"status": new, "status_changed_at": now}
    if new == S.REGISTERED and not registration.registered_on:
        changes["registered_on"] = timezone.localdate()
    with transaction.atomic():
        if Registration.objects.filter(pk=registration.pk, status=old).update(**changes) != 1:
            raise TransitionError(
                _("Someone else changed this registration just now. Reload and try again.")
            )
        RegistrationStatusChange.objects.create(
            registration=registration, old_status=old, new_status=new, by=by, at=now, reason=reason
        )
        for field, value in changes.items():
            setattr(registration, field, value)
        transaction.on_commit(lambda: emails.status_changed(registration, old=old, reason=reason))
    return registration


def registration_approve(*, registration, by, reason=""):
    return transition(registration=registration, new=S.REGISTERED, by=by, reason=reason)


def registration_return(*, registration, by, reason):
    return transition(registration=registration, new=S.RETURNED, by=by, reason=reason)


def registration_suspend(*, registration, by, reason=""):
    return transition(registration=registration, new=S.SUSPENDED, by=by, reason=reason)


def registration_resume(*, registration, by, reason=""):
    return transition(registration=registration, new=S.REGISTERED, by=by, reason=reason)


def registration_withdraw(*, registration, by, reason=""):
    return transition(registration=registration, new=S.WITHDRAWN, by=by, reason=reason)


def _number(programme: str) -> str:
    year = fiscal_year(timezone.localdate())
    prefix = NUMBER_PREFIX[programme]
    return f"{prefix}-{year}-{next_value(f'partners.{prefix}.{year}'):05d}"


def registration_create(
    *, registration: Registration, places=(), activity_kinds=(), by
) -> Registration:
    """Save a new registration as 申請中 with its number, places and activities.

    `registration` is an unsaved instance filled by a form (web) or by staff (paper, FAX).
    A second live registration of the same person or organisation for the same programme is
    refused by the database; that becomes a ValidationError here, with nothing saved.
    """
    if registration.organization_id and not is_partner_staff(by):
        from organizations.permissions import can_manage_members

        if not can_manage_members(by, registration.organization):
            raise PermissionDenied
    try:
        with transaction.atomic():
            registration.number = _number(registration.programme)
            registration.status = S.APPLIED
            registration.created_by = by
            if registration.kind == Registration.Kind.INDIVIDUAL:
                registration.member_count = 1
            registration.save()
            for place in places:
                if place.pk is None:
                    place.save()
            registration.places.set(places)
            registration.activity_kinds.set(activity_kinds)
            RegistrationStatusChange.objects.create(
                registration=registration,
                old_status="",
                new_status=S.APPLIED,
                by=by,
                reason=site_language_text(
                    gettext_lazy("Received by %(channel)s"),
                    channel=site_language_text(Channel(registration.channel).label),
                ),
            )
    except IntegrityError:
        registration.pk = None
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    transaction.on_commit(lambda: emails.received(registration))
    return registration


EDITABLE_STATUSES = (S.APPLIED, S.RETURNED)


def _same_place(a: ActivityPlace, b: ActivityPlace) -> bool:
    return (a.district_id, a.kind, a.description) == (b.district_id, b.kind, b.description)


def registration_update(
    *, registration: Registration, places=(), activity_kinds=(), by
) -> Registration:
    """Save the partner's changes to a registration the city has not accepted yet.

    Allowed while 申請中 (the city has not looked at it yet) or 差戻し (the city asked for
    changes); a returned registration goes back to 申請中 with the changes, through
    `transition`, so the history and the e-mail are as for any other change. Places that are
    unchanged keep their row in the register of places (staff may have put them on the map);
    places beyond the form's rows (added by staff) are kept.
    """
    if not (is_partner_staff(by) or can_act_for(by, registration)):
        raise PermissionDenied
    if registration.organization_id and not is_partner_staff(by):
        from organizations.permissions import can_manage_members

        if not can_manage_members(by, registration.organization):
            raise PermissionDenied
    try:
        with transaction.atomic():
            current = Registration.objects.select_for_update().get(pk=registration.pk)
            if current.status not in EDITABLE_STATUSES:
                raise TransitionError(
                    _(
                        "This registration can no longer be changed here: it is “%(status)s”. "
                        "Ask the Community Life Division."
                    )
                    % {"status": current.get_status_display()}
                )
            existing = list(current.places.all())
            kept = existing[PLACES_ON_THE_FORM:]
            new_places = []
            for place in places:
                same = next((old for old in existing if _same_place(old, place)), None)
                if same is None:
                    place.save()
                    same = place
                new_places.append(same)
            if registration.kind == Registration.Kind.INDIVIDUAL:
                registration.member_count = 1
            registration.status = current.status
            # Only what the partner may change: staff's notes and the number stay as they are.
            registration.save(update_fields=PARTNER_EDITABLE_FIELDS)
            registration.places.set(new_places + kept)
            registration.activity_kinds.set(activity_kinds)
            if current.status == S.RETURNED:
                transition(
                    registration=registration,
                    new=S.APPLIED,
                    by=by,
                    reason=site_language_text(gettext_lazy("Changed and submitted again")),
                )
    except IntegrityError:
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    return registration


CONTACT_EDITABLE_STATUSES = (S.REGISTERED, S.SUSPENDED)


def registration_contact_update(*, registration: Registration, by) -> Registration:
    """Save a registered partner's new contact details (the fields of CONTACT_FIELDS only,
    already set on `registration` by the form). Nothing else of the registration changes."""
    if not (is_partner_staff(by) or can_act_for(by, registration)):
        raise PermissionDenied
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in CONTACT_EDITABLE_STATUSES:
            raise TransitionError(
                _(
                    "This registration can no longer be changed here: it is “%(status)s”. "
                    "Ask the Community Life Division."
                )
                % {"status": current.get_status_display()}
            )
        registration.save(update_fields=CONTACT_FIELDS)
    return registration


def report_create(*, report: ActivityReport, by) -> ActivityReport:
    """Save an activity report of a registered partner."""
    registration = report.registration
    if not (is_partner_staff(by) or can_act_for(by, registration)):
        raise PermissionDenied
    if registration.status not in (S.REGISTERED, S.SUSPENDED) and not is_partner_staff(by):
        raise ValidationError(_("Reports can be filed once the registration is accepted."))
    if report.activity_date > timezone.localdate():
        raise ValidationError(
            {"activity_date": _("The date of the activity cannot be in the future.")}
        )
    report.created_by = by
    report.save()
    return report

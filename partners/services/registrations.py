"""Registrations (the workflow of 申請中 → 登録 ⇄ 休止 → 退会, 差戻し), their changes, volunteer
insurance and activity reports."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.fields import EARLIEST_DATE, check_date_range
from muroran_kyodo.lib.jp import fiscal_year
from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.models import next_value
from muroran_kyodo.lib.retention import correct_contacts
from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from .. import emails
from ..models import (
    CONTACT_FIELDS,
    NUMBER_PREFIX,
    PARTNER_EDITABLE_FIELDS,
    PLACES_ON_THE_FORM,
    ActivityKind,
    ActivityPlace,
    ActivityReport,
    Channel,
    InsuranceEnrollment,
    Programme,
    Registration,
    RegistrationStatusChange,
    Signup,
)
from ..permissions import (
    can_act_for,
    can_act_or_staff,
    can_manage_for,
    is_partner_staff,
)

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike


S = Registration.Status

# --- Registrations ----------------------------------------------------------------------------

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


def _may_change_registration(user: UserLike, registration: Registration, who: str) -> bool:
    return is_partner_staff(user) or (who == "partner" and can_act_for(user, registration))


def _registration_changed(registration: Registration, *, old: str, reason: str) -> None:
    emails.status_changed(registration, old=old, reason=reason)


REGISTRATION = Workflow(
    model=Registration,
    history=RegistrationStatusChange,
    allowed=ALLOWED_TRANSITIONS,
    may=_may_change_registration,
    notify=_registration_changed,
    reason_required=REASON_REQUIRED,
    not_allowed=gettext_lazy("This registration cannot go from “%(old)s” to “%(new)s”."),
    changed_meanwhile=gettext_lazy(
        "Someone else changed this registration just now. Reload and try again."
    ),
    reason_missing=gettext_lazy("Write the reason, so the partner knows what to fix."),
)


def _registration_to(
    registration: Registration, new: str, *, by: UserLike, reason: str
) -> Registration:
    changes: dict[str, Any] = {}
    if new == S.REGISTERED and not registration.registered_on:
        changes["registered_on"] = timezone.localdate()
    return REGISTRATION.apply(registration, new=new, by=by, reason=reason, changes=changes)


def registration_approve(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    """Staff accept an application (or resume a paused partner): 登録, dated the first time."""
    return _registration_to(registration, S.REGISTERED, by=by, reason=reason)


def registration_return(*, registration: Registration, by: UserLike, reason: str) -> Registration:
    return _registration_to(registration, S.RETURNED, by=by, reason=reason)


def registration_resubmit(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    """A returned registration goes back to 申請中."""
    return _registration_to(registration, S.APPLIED, by=by, reason=reason)


def registration_suspend(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.SUSPENDED, by=by, reason=reason)


def registration_resume(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.REGISTERED, by=by, reason=reason)


def registration_withdraw(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.WITHDRAWN, by=by, reason=reason)


def received_by(record: Registration | Signup) -> str:
    """The reason of the first history row: the channel a record came by."""
    return site_language_text(
        gettext_lazy("Received by %(channel)s"),
        channel=site_language_text(Channel(record.channel).label),
    )


def _number(programme: Programme) -> str:
    year = fiscal_year(timezone.localdate())
    prefix = NUMBER_PREFIX[programme]
    return f"{prefix}-{year}-{next_value(f'partners.{prefix}.{year}'):05d}"


def registration_create(
    *,
    registration: Registration,
    places: Collection[ActivityPlace] = (),
    activity_kinds: Iterable[ActivityKind] = (),
    by: User,
) -> Registration:
    """Save a new registration as 申請中 with its number, places and activities.

    `registration` is an unsaved instance filled by a form (web) or by staff (paper, FAX).
    A second live registration of the same person or organisation for the same programme is
    refused by the database; that becomes a ValidationError here, with nothing saved.
    """
    if not can_manage_for(by, registration):
        raise PermissionDenied
    try:
        with transaction.atomic():
            registration.number = _number(Programme(registration.programme))
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
            REGISTRATION.record_history(
                registration, old="", new=S.APPLIED, by=by, reason=received_by(registration)
            )
    except IntegrityError:
        registration.pk = None
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    emails.received(registration)
    return registration


EDITABLE_STATUSES = (S.APPLIED, S.RETURNED)


def _same_place(old: ActivityPlace, new: ActivityPlace) -> bool:
    """The same place in words, and at the same point if the form gives one (a form row without
    a point keeps the one staff may have set)."""
    same_words = (old.district_id, old.kind, old.description) == (
        new.district_id,
        new.kind,
        new.description,
    )
    if not new.has_point:
        return same_words
    return same_words and (old.latitude, old.longitude) == (new.latitude, new.longitude)


def registration_update(
    *,
    registration: Registration,
    places: Iterable[ActivityPlace] = (),
    activity_kinds: Iterable[ActivityKind] = (),
    by: UserLike,
) -> Registration:
    """Save the partner's changes to a registration the city has not accepted yet.

    Allowed while 申請中 (the city has not looked at it yet) or 差戻し (the city asked for
    changes); a returned registration goes back to 申請中 with the changes, through
    `registration_resubmit`, so the history and the e-mail are as for any other change. Places that are
    unchanged keep their row in the register of places (staff may have put them on the map);
    places beyond the form's rows (added by staff) are kept.
    """
    if not (can_act_or_staff(by, registration) and can_manage_for(by, registration)):
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
            new_places: list[ActivityPlace] = []
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
                registration_resubmit(
                    registration=registration,
                    by=by,
                    reason=site_language_text(gettext_lazy("Changed and submitted again")),
                )
    except IntegrityError:
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    return registration


CONTACT_EDITABLE_STATUSES = (S.REGISTERED, S.SUSPENDED)


def registration_contact_update(*, registration: Registration, by: UserLike) -> Registration:
    """Save a registered partner's new contact details (the fields of CONTACT_FIELDS only,
    already set on `registration` by the form). Nothing else of the registration changes."""
    if not can_act_or_staff(by, registration):
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


def insurance_confirm(
    *, registration: Registration, fiscal_year: int, by: User
) -> tuple[InsuranceEnrollment, bool]:
    """Staff confirm the volunteer insurance of a registered partner for a fiscal year, for the
    people it counts now; a year already confirmed stays as it was. Returns (enrollment,
    created)."""
    return InsuranceEnrollment.objects.get_or_create(
        registration=registration,
        fiscal_year=fiscal_year,
        defaults={"insured_people": registration.people, "confirmed_by": by},
    )


def report_create(*, report: ActivityReport, by: User) -> ActivityReport:
    """Save an activity report of a registered partner."""
    registration = report.registration
    if not can_act_or_staff(by, registration):
        raise PermissionDenied
    if registration.status not in (S.REGISTERED, S.SUSPENDED) and not is_partner_staff(by):
        raise ValidationError(_("Reports can be filed once the registration is accepted."))
    if report.activity_date > timezone.localdate():
        raise ValidationError(
            {"activity_date": _("The date of the activity cannot be in the future.")}
        )
    try:
        check_date_range(report.activity_date, earliest=EARLIEST_DATE, latest=None)
    except ValidationError as error:
        raise ValidationError({"activity_date": error.messages}) from None
    report.created_by = by
    # The photo is stored before the row is written; a storage that cannot keep it
    # (lib.faults.StorageUnavailable) leaves no row, and no broken transaction around it.
    with transaction.atomic():
        report.save()
    return report


def contact_correct(
    *, email: str, name: str = "", new_name: str = "", new_email: str = "", new_phone: str = ""
) -> int:
    """開示・訂正: correct the contact (the person responsible) of the registrations found by
    the e-mail address, or the name when given; an empty value leaves the field as it is.
    Returns the registrations changed."""
    return correct_contacts(
        Registration.objects.all(),
        fields=("contact_name", "contact_email", "contact_phone"),
        email=email,
        name=name,
        new_name=new_name,
        new_email=new_email,
        new_phone=new_phone,
    )

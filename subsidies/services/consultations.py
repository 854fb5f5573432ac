"""Write paths of 事前相談: a group books a consultation, staff record that it took place."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization

from .. import emails
from ..models import Consultation, Programme
from ..permissions import can_book_consultation, is_subsidy_staff

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike


def consultation_book(
    *,
    organization: Organization,
    programme: Programme,
    held_on: dt.date,
    topic: str,
    by: User,
    held: bool = False,
    note: str = "",
) -> Consultation:
    """事前相談: a member books a consultation with 地域生活課, or staff record one. It counts
    for a programme that requires it once staff have marked it held (`held`, staff only)."""
    if not can_book_consultation(by, organization):
        raise PermissionDenied
    if not topic.strip():
        raise ValidationError({"topic": _("Write what you would like to consult about.")})
    if (held or note) and not is_subsidy_staff(by):
        raise PermissionDenied
    consultation = Consultation.objects.create(
        organization=organization,
        programme=programme,
        held_on=held_on,
        topic=topic,
        held=held,
        staff_note=note,
        recorded_by=by,
    )
    _notify_booked(consultation, by_staff=is_subsidy_staff(by))
    return consultation


def _notify_booked(consultation: Consultation, *, by_staff: bool) -> None:
    """E-mails after the commit (emails.consultation_booked): the group, and 地域生活課 when
    the group booked it."""
    emails.consultation_booked(consultation, by_staff=by_staff)


def consultation_mark_held(
    *, consultation: Consultation, by: UserLike, note: str = ""
) -> Consultation:
    """Staff record that a booked consultation took place (on or before today); the group is
    e-mailed that it now counts as the prior consultation."""
    if not is_subsidy_staff(by):
        raise PermissionDenied
    if consultation.held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": _("A consultation can be marked held on or after its date.")}
        )
    changes: dict[str, bool | str] = {"held": True}
    if note:
        changes["staff_note"] = note
    # Compare-and-set: only the change from booked to held tells the group (once); marking
    # it held again, with a note, tells them nothing new.
    newly_held = Consultation.objects.filter(pk=consultation.pk, held=False).update(**changes)
    if not newly_held:
        Consultation.objects.filter(pk=consultation.pk).update(**changes)
    for field, value in changes.items():
        setattr(consultation, field, value)
    if newly_held:
        emails.consultation_held(consultation)
    return consultation


def consultation_record(
    *,
    organization: Organization,
    programme: Programme,
    held_on: dt.date,
    topic: str,
    consulted_with: str,
    by: User,
    note: str = "",
) -> Consultation:
    """Staff key in a 事前相談 that has taken place (at the counter, by phone), with whom at
    地域生活課: it counts for the group's applications to `programme` from now on. The one
    place a consultation is recorded as held on creation; the group is told it now counts
    (emails.consultation_held, after the commit)."""
    if not is_subsidy_staff(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not topic.strip():
        errors["topic"] = [_("Write what you would like to consult about.")]
    if not consulted_with.strip():
        errors["consulted_with"] = [_("Enter who at the division held the consultation.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("A consultation can be recorded as held on or after its date.")]
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(
        organization=organization,
        programme=programme,
        held_on=held_on,
        topic=topic,
        consulted_with=consulted_with.strip(),
        held=True,
        staff_note=note,
        recorded_by=by,
    )
    emails.consultation_held(consultation)
    return consultation

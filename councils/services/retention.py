"""Retention of the guests' sign-ups (`manage.py apply_retention`) and the correction of the
contacts a person gave (開示・訂正). The needs asked are erased earlier, by `needs_erase`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.retention import ANONYMISED, claim, correct_contacts, cutoff

from ..models import Signup, SignupStatusChange


def guest_signups_anonymise(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Anonymise the sign-ups without an account (guests, and those keyed in by staff) whose
    session ended more than RETENTION["GUEST_SIGNUP_DAYS"] ago. Steps: claim the sign-ups not
    yet anonymised (skipping those another run holds); replace the name with the marker, blank
    the e-mail and telephone (and any needs left) and the reasons in the sign-up's history (a
    guest's cancellation reason); record `anonymised_at`. The district, the
    age, the status and the attendance stay for the figures. Sign-ups of account holders
    follow the account. Returns how many sign-ups (a dry run: would be)."""
    now = now or timezone.now()
    before = cutoff(now=now, days=settings.RETENTION["GUEST_SIGNUP_DAYS"])
    due = Signup.objects.filter(user__isnull=True, session__ends_at__lt=before)
    with transaction.atomic():
        ids = claim(due, dry_run=dry_run)
        if dry_run or not ids:
            return len(ids)
        # The reasons in the history: what the guest typed when cancelling (or staff wrote of
        # the guest). The states and times of the history stay.
        SignupStatusChange.objects.filter(signup_id__in=ids).exclude(reason="").update(reason="")
        return Signup.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            name=ANONYMISED,
            email="",
            phone="",
            need_childcare=False,
            need_mobility=False,
            need_interpreting="",
            needs_note="",
            anonymised_at=now,
        )


def contact_correct(
    *, email: str, name: str = "", new_name: str = "", new_email: str = "", new_phone: str = ""
) -> int:
    """開示・訂正: correct the name, e-mail or telephone given on the person's sign-ups (found
    by the e-mail address, or the name when given); an empty value leaves the field as it is.
    Anonymised sign-ups are left alone. Returns the sign-ups changed."""
    return correct_contacts(
        Signup.objects.filter(anonymised_at__isnull=True),
        fields=("name", "email", "phone"),
        email=email,
        name=name,
        new_name=new_name,
        new_email=new_email,
        new_phone=new_phone,
    )

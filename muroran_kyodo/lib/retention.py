"""Retention: what every app's anonymising service shares (`manage.py apply_retention`).

A closed record past its period keeps what the city needs for its figures and for what it
published, and loses the person: names become `ANONYMISED`, contacts are blanked and
`anonymised_at` is set. A row with `anonymised_at` is never touched again, so the job is safe
to run twice; rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), so two runs
at once share the rows instead of waiting or doing a row twice."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

# A fixed marker, stored in place of a name: data, not a message (the same in every language).
ANONYMISED = "（匿名化済み）"


def cutoff(*, now: dt.datetime, days: int) -> dt.datetime:
    """Records that closed before this are past their period."""
    return now - dt.timedelta(days=days)


def claim(queryset: QuerySet, *, dry_run: bool = False) -> list[int]:
    """The primary keys of the rows of `queryset` not yet anonymised, locked for the current
    transaction (call inside `transaction.atomic()`); rows another run holds are skipped. A dry
    run only reads."""
    due = queryset.filter(anonymised_at__isnull=True).order_by("pk")
    if not dry_run:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due.values_list("pk", flat=True))


def given_without_email(name: str, *, name_field: str, email_field: str) -> Q:
    """The rows that hold the name `name` and no e-mail address at all (neither their own
    nor an account's): a name alone identifies a person only on such a record (a paper form,
    a sign-up keyed in by staff). A row holding another e-mail address is another person's,
    however alike the names: never disclosed or corrected on the strength of a name."""
    if not name:
        return Q(pk__in=[])
    return Q(**{name_field: name, email_field: "", "user__isnull": True})


def correct_contacts(
    queryset: QuerySet,
    *,
    fields: tuple[str, str, str],
    email: str,
    name: str = "",
    new_name: str = "",
    new_email: str = "",
    new_phone: str = "",
) -> int:
    """開示・訂正: in the rows of `queryset` that hold the person's contacts (the e-mail address
    `email`, or the name `name` on a row given without any e-mail address), write the new name, e-mail and telephone; an
    empty value leaves that field as it is. `fields` names the row's (name, e-mail, telephone)
    fields. Returns the rows changed."""
    name_field, email_field, phone_field = fields
    found = Q(**{f"{email_field}__iexact": email}) if email else Q(pk__in=[])
    found |= given_without_email(name, name_field=name_field, email_field=email_field)
    changes = {
        field: value
        for field, value in (
            (name_field, new_name),
            (email_field, new_email),
            (phone_field, new_phone),
        )
        if value
    }
    if not changes:
        return 0
    return queryset.filter(found).update(**changes)

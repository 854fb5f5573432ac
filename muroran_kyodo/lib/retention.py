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
    `email`, or the name `name` when given), write the new name, e-mail and telephone; an
    empty value leaves that field as it is. `fields` names the row's (name, e-mail, telephone)
    fields. Returns the rows changed."""
    name_field, email_field, phone_field = fields
    found = Q(**{f"{email_field}__iexact": email}) if email else Q(pk__in=[])
    if name:
        found |= Q(**{name_field: name})
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

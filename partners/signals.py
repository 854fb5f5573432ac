"""Cached totals of partners/stats.py are dropped when the data under them changes.

Registrations change status with a compare-and-set `QuerySet.update()` (no signal), always
followed by a RegistrationStatusChange row: that row's post_save catches every status change.
Writes that send no signal at all (`bulk_create`, other `update()` calls) are caught by the
cache's timeout (stats.PARTNERS_STATS_CACHE_SECONDS)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from organizations.models import District

from . import stats
from .models import ActivityPlace, ActivityReport, Registration, RegistrationStatusChange

# Models whose rows the cached totals read.
WATCHED = (Registration, RegistrationStatusChange, ActivityReport, ActivityPlace, District)


def _changed(sender, using=None, **kwargs):
    stats.invalidate(using)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"partners.stats.{model.__name__}.save"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"partners.stats.{model.__name__}.delete"
        )
    # The places a registration looks after (the yearly count of places).
    m2m_changed.connect(
        _changed, sender=Registration.places.through, dispatch_uid="partners.stats.places.m2m"
    )

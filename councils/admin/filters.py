"""The list filters the staff work queue links to, by these exact query strings:

- sessions `?outputs=due`: workshops that have ended and are still announced (outputs to write
  and publish);
- sessions `?completion=due`: trainings that have ended and are still announced (completions
  to record);
- councils `?reflection=due`: active councils with at least one workshop, every workshop not
  cancelled having its outputs published (the reflection to write).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Council, Session

DUE = "due"
S = Session.Status


def outputs_due(queryset, now: dt.datetime):
    return queryset.filter(kind=Session.Kind.WORKSHOP, status=S.SCHEDULED, ends_at__lte=now)


def completion_due(queryset, now: dt.datetime):
    return queryset.filter(kind=Session.Kind.TRAINING, status=S.SCHEDULED, ends_at__lte=now)


def reflection_due(queryset):
    workshops = Session.objects.filter(council=OuterRef("pk"), kind=Session.Kind.WORKSHOP)
    return queryset.filter(
        Exists(workshops.filter(status=S.PUBLISHED)),
        ~Exists(workshops.filter(~Q(status__in=[S.PUBLISHED, S.CANCELLED]))),
        status=Council.Status.ACTIVE,
    )


class OutputsDueFilter(admin.SimpleListFilter):
    title = _("outputs")
    parameter_name = "outputs"

    def lookups(self, request, model_admin):
        return [(DUE, _("Workshop held, outputs not published"))]

    def queryset(self, request, queryset):
        if self.value() == DUE:
            return outputs_due(queryset, timezone.now())
        return queryset


class CompletionDueFilter(admin.SimpleListFilter):
    title = _("completions")
    parameter_name = "completion"

    def lookups(self, request, model_admin):
        return [(DUE, _("Training held, completions not recorded"))]

    def queryset(self, request, queryset):
        if self.value() == DUE:
            return completion_due(queryset, timezone.now())
        return queryset


class ReflectionDueFilter(admin.SimpleListFilter):
    title = _("reflection")
    parameter_name = "reflection"

    def lookups(self, request, model_admin):
        return [(DUE, _("All outputs published, reflection to write"))]

    def queryset(self, request, queryset):
        if self.value() == DUE:
            return reflection_due(queryset)
        return queryset

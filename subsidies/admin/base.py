"""What the subsidy's admin modules share."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInline):
    """The read-only history of a record's state changes (the shared StatusChange shape)."""

    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class KeptRecordMixin:
    """Records that only a service adds (or none) and that are never deleted: they are the
    record the decisions and payments rest on."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""What the partner programme's admin modules share: the search over a partner's records, the
departments a clerk belongs to, and the read-only history inline."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Programme

# Search on every list of partners' records: number, name, reading, group or organisation.
PARTNER_SEARCH_FIELDS = [
    "registration__number",
    "registration__contact_name",
    "registration__contact_kana",
    "registration__group_name",
    "registration__organization__name",
]


# The programmes by one word, in changelist columns (the full name in the title attribute).
PROGRAMME_SHORT = {
    Programme.PIKA: pgettext_lazy("partner programme, short", "Pika"),
    Programme.MAGOKORO: pgettext_lazy("partner programme, short", "Magokoro"),
    Programme.MAKASETE: pgettext_lazy("partner programme, short", "Makasete"),
}


def programme_short(code: str):
    """A programme's one-word name with its full name in the title attribute."""
    return format_html(
        '<span title="{}">{}</span>', Programme(code).label, PROGRAMME_SHORT[Programme(code)]
    )


@admin.display(description=_("programme"), ordering="programme")
def short_programme(obj):
    return programme_short(obj.programme)


def user_departments(request) -> set[str] | None:
    """The departments (group names) of the user; None for a superuser, who sees everything."""
    if request.user.is_superuser:
        return None
    if not hasattr(request, "_partner_departments"):
        request._partner_departments = set(request.user.groups.values_list("name", flat=True))
    return request._partner_departments


class HistoryInline(admin.TabularInline):
    """A record's history of state changes, read-only: written by the services only. Whoever may
    see the record sees its history."""

    extra = 0
    can_delete = False
    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_view_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryFieldMixin:
    """The record's history of state changes as a read-only field of its change page (a table,
    not an inline, so the change form posts nothing for it). Add "history" to the fields shown
    on change."""

    @admin.display(description=_("history"))
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        changes = obj.status_changes.select_related("by").order_by("at", "pk")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M"),
                    change.get_old_status_display() or "-",
                    change.get_new_status_display(),
                    change.by or "-",
                    change.reason,
                )
                for change in changes
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("at"),
            _("from"),
            _("to"),
            _("by"),
            _("reason"),
            rows,
        )

"""What the subsidy's admin modules share."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_display import clipped
from muroran_kyodo.lib.admin_inlines import HistoryInline, ReadOnlyInline  # noqa: F401 (re-exported)

# Characters of a programme's title in a changelist column.
SHORT_PROGRAMME = 6


class KeptRecordMixin:
    """Records that only a service adds (or none) and that are never deleted: they are the
    record the decisions and payments rest on."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("programme"), ordering="programme__title")
def short_programme(obj):
    """The programme of a changelist row by the start of its title (the 年度 is in the
    filter), with the full name in the cell's title attribute."""
    programme = obj.programme
    return format_html(
        '<span title="{}">{}</span>', programme, clipped(programme.title, SHORT_PROGRAMME)
    )

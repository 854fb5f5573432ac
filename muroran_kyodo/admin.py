"""The admin of the site's own tables: the virus checks of stored files, read only (written by
`lib.scanning` and `manage.py scan_uploads`). Superusers see them; a department's staff see a
file's state on the record that holds it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_display import short_date
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.models import FileScan


@admin.register(FileScan)
class FileScanAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = [
        "state",
        "name",
        "signature",
        "attempts",
        short_date("stored_at", _("stored on")),
        short_date("scanned_at", _("scanned on")),
    ]
    list_filter = ["state"]
    search_fields = ["name", "signature"]
    fields = ["name", "state", "signature", "note", "stored_at", "scanned_at", "attempts"]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

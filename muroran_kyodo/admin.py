"""The admin of the site's own tables, read only: the virus checks of stored files (written by
`lib.scanning` and `manage.py scan_uploads`; superusers see them, a department's staff see a
file's state on the record that holds it), and the outbox of e-mails (written by `lib.outbox`;
staff with the permission to view it see what waits and what failed, and those who may change
it send a failed e-mail again)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib import outbox
from muroran_kyodo.lib.admin_display import short_date, short_text
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.models import FileScan, OutboxMail


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


def _moment(field, description):
    """A column of a moment as 2026-12-05 14:03 (local time; — when empty)."""

    def column(obj):
        value = getattr(obj, field)
        return "—" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    column.__name__ = f"moment_{field}"
    return admin.display(description=description, ordering=field)(column)


@admin.register(OutboxMail)
class OutboxMailAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = [
        "status",
        short_text("to", _("recipients"), length=30, getter=lambda o: ", ".join(o.recipients)),
        short_text("subject", _("subject"), length=30),
        "name",
        "attempts",
        _moment("created_at", _("created at")),
        _moment("next_attempt_at", _("next attempt at")),
        _moment("sent_at", _("sent at")),
        short_text("last_error", _("last error"), length=30),
    ]
    list_filter = ["status"]
    search_fields = ["to"]
    list_defer = ("body", "html_body", "headers")
    ordering = ["-pk"]  # newest first, read from the primary key's index
    fields = [
        "status",
        "name",
        "from_email",
        "to",
        "subject",
        "body",
        "html_body",
        "headers",
        "key",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("muroran_kyodo.change_outboxmail")

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request, queryset):
        selected = queryset.count()
        queued = outbox.resend(queryset)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(n)d e-mail is queued again; send_outbox sends it within a minute.",
                    "%(n)d e-mails are queued again; send_outbox sends them within a minute.",
                    queued,
                )
                % {"n": queued},
                messages.SUCCESS,
            )
        if selected > queued:
            self.message_user(
                request,
                ngettext(
                    "%(n)d e-mail was left as it is: only failed e-mails, and those stuck "
                    "“being sent”, can be sent again.",
                    "%(n)d e-mails were left as they are: only failed e-mails, and those stuck "
                    "“being sent”, can be sent again.",
                    selected - queued,
                )
                % {"n": selected - queued},
                messages.WARNING,
            )

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import connection
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin

from . import staff_enrolment
from .models import SecurityEvent, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["family_name_kana", "given_name_kana", "pk"]
    list_display = [
        "email",
        "family_name",
        "given_name",
        "display_name",
        "district",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "district"]
    list_select_related = ["district"]
    search_fields = [
        "email",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "display_name",
    ]
    date_hierarchy = "date_joined"
    autocomplete_fields = ["district"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Name"),
            {
                "fields": (
                    "family_name",
                    "given_name",
                    "family_name_kana",
                    "given_name_kana",
                    "display_name",
                )
            },
        ),
        (_("Contact (never public)"), {"fields": ("phone", "postal_code", "address", "district")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "family_name",
                    "given_name",
                    "password1",
                    "password2",
                    "is_staff",
                ),
            },
        ),
    )


class EventFilter(admin.SimpleListFilter):
    """The events that occur in the log, found by walking the index on `event` one name at a
    time (a recursive query: one index probe per name) instead of Django's DISTINCT over every
    row of a log that only grows."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        table = connection.ops.quote_name(SecurityEvent._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE names(name) AS ("
                f" SELECT MIN(event) FROM {table}"
                f" UNION ALL"
                f" SELECT (SELECT MIN(event) FROM {table} WHERE event > names.name)"
                f" FROM names WHERE names.name IS NOT NULL"
                f") SELECT name FROM names WHERE name IS NOT NULL"
            )
            return [(name, name) for (name,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(event=value)


@admin.register(SecurityEvent)
class SecurityEventAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    """The audit log, read only, for superusers (who reach the admin with a second factor)."""

    list_display = ["at", "event", "email", "ip", "path"]
    list_filter = [EventFilter, "at"]
    search_fields = ["email", "ip"]
    # No date_hierarchy: its list of dates is a DISTINCT over every event (a full scan of a log
    # that only grows); the date filter on `at` does the job from an index (issue 14).
    list_select_related = ["user"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = ("detail", "user_agent")
    readonly_fields = ["at", "event", "user", "email", "ip", "user_agent", "path", "detail"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# allauth.mfa registers its authenticators with an editable JSON `data` (the encrypted TOTP
# secret, the recovery-code seed, a passkey's credential) and an add form: an authenticator
# typed in the admin would be a second factor that its owner never set up, and the raw JSON
# field answers a 100,000-digit number with a server error. Here they are read only; a clerk
# who lost their phone and recovery codes has theirs deleted (then gets a new enrolment link).
# accounts comes first in INSTALLED_APPS: allauth.mfa's admin module is imported here, so that
# it registers its own now and not after this one.
import allauth.mfa.admin  # noqa: E402, F401
from allauth.mfa.models import Authenticator  # noqa: E402

admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    raw_id_fields = ("user",)
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        staff_enrolment.authenticators_removed(request, obj.user)

    def delete_queryset(self, request, queryset):
        users = {a.user for a in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            staff_enrolment.authenticators_removed(request, user)


# allauth.usersessions registers the sessions with an add form and an editable JSON `data`: a
# session typed in the admin is no session, and deleting the row left the browser signed in.
# Here they are read only, and deleting one ends it (allauth's UserSession.end) as the
# person's own "sign out" on /accounts/sessions/ does.
import allauth.usersessions.admin  # noqa: E402, F401
from allauth.usersessions.models import UserSession  # noqa: E402

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    raw_id_fields = ("user",)
    list_display = ("user", "created_at", "last_seen_at", "ip", "user_agent")
    search_fields = ["user__email", "ip"]
    fields = ("user", "created_at", "last_seen_at", "ip", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        obj.end()

    def delete_queryset(self, request, queryset):
        for session in queryset:
            session.end()

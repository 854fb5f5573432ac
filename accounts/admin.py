from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User


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

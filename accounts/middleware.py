"""Two site-wide guards: staff reach the admin only after a second factor, and pages for a
signed-in person are never stored by a browser or proxy cache."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _


def passed_second_factor(request) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


class AdminSecondFactorMiddleware:
    """Staff reach /admin/ only after a second factor; elsewhere their staff powers wait for it
    too (`accounts.permissions.acts_as_staff` reads the mark set here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            user.second_factor_passed = not settings.ADMIN_REQUIRE_MFA or passed_second_factor(
                request
            )
        admin_prefix = reverse("admin:index")
        if request.path.startswith(admin_prefix) and request.user.is_authenticated:
            response = self.guard(request)
            if response is not None:
                return response
        return self.get_response(request)

    def guard(self, request):
        user = request.user
        if not (user.is_staff or user.is_superuser):
            # The admin's own login form would send them round in a circle; say no instead.
            raise PermissionDenied
        if not settings.ADMIN_REQUIRE_MFA:
            return None
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            messages.warning(
                request,
                _(
                    "Staff must set up two-step verification (an authenticator app) before using the admin."
                ),
            )
            return redirect("mfa_activate_totp")
        if not passed_second_factor(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None


class PersonalPagesNoStoreMiddleware:
    """Anything rendered for a signed-in person, and every account page, is `no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.path.startswith("/accounts/") or (
            hasattr(request, "user") and request.user.is_authenticated
        )
        if personal:
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response

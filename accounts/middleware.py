"""Site-wide guards: staff reach the admin only after a second factor; pages for a signed-in
person are never stored by a browser or proxy cache; signing out clears the site's data in the
browser; staff sessions end when idle."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import staff_enrolment
from .second_factor import passed_second_factor
from .security_events import record


class AdminSecondFactorMiddleware:
    """Staff reach /admin/ only after a second factor; elsewhere their staff powers wait for it
    too (`accounts.permissions.acts_as_staff` reads the mark set here on every signed-in user;
    so do the subsidy reviewer's pages).

    A staff account without an authenticator has no staff powers, and may open allauth.mfa's
    pages that add one only once it has followed the e-mailed enrolment link in this session
    (`accounts.staff_enrolment`): a password alone never becomes a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request.staff_without_authenticator = False
        if user is not None and user.is_authenticated:
            if not settings.ADMIN_REQUIRE_MFA or passed_second_factor(request):
                # Given in this session by an authenticator of the account: no query per page.
                user.second_factor_passed = True
            else:
                user.second_factor_passed = False
                if user.is_staff or user.is_superuser:
                    request.staff_without_authenticator = not staff_enrolment.has_authenticator(
                        user
                    )
        admin_prefix = reverse("admin:index")
        if request.path.startswith(admin_prefix) and request.user.is_authenticated:
            response = self.guard(request)
            if response is not None:
                return response
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.staff_without_authenticator
            and match is not None
            and match.url_name in staff_enrolment.ENROLMENT_URL_NAMES
            and not staff_enrolment.granted(request)
        ):
            record("mfa_enrolment_refused", request, request.user, reason="no_enrolment_link")
            return redirect("staff_enrolment")
        return None

    def guard(self, request):
        user = request.user
        if not (user.is_staff or user.is_superuser):
            # The admin's own login form would send them round in a circle; say no instead.
            raise PermissionDenied
        if not settings.ADMIN_REQUIRE_MFA:
            return None
        if request.staff_without_authenticator:
            messages.warning(
                request,
                _(
                    "Staff must set up two-step verification (an authenticator app) before using the admin."
                ),
            )
            record("admin_refused", request, user, reason="no_second_factor_set_up")
            if staff_enrolment.granted(request):
                return redirect("mfa_activate_totp")
            return redirect("staff_enrolment")
        if not passed_second_factor(request):
            record("admin_refused", request, user, reason="second_factor_not_passed")
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


class ClearSiteDataOnSignOutMiddleware:
    """The response that signs a person out (the sign-out button, an idle staff session ended)
    tells the browser to drop its cache, cookies and storage for the site, so that nothing of
    the signed-in pages stays behind on a shared computer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        was_signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if was_signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


STAFF_ACTIVITY_KEY = "staff_activity"


class StaffIdleTimeoutMiddleware:
    """Staff are signed out after STAFF_IDLE_TIMEOUT_SECONDS without a request, and
    SESSION_COOKIE_AGE after the first request of their session however busy they are.

    The last activity is written at most once a minute: a session write per request would cost
    a database write on every page. Each write also renews Django's session expiry, which is
    why the absolute lifetime is checked here too. Residents keep the normal lifetime."""

    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and (user.is_staff or user.is_superuser):
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        now = time.time()
        activity = request.session.get(STAFF_ACTIVITY_KEY)
        if not activity:
            request.session[STAFF_ACTIVITY_KEY] = {"first": now, "last": now}
            return None
        idle = now - activity["last"] > settings.STAFF_IDLE_TIMEOUT_SECONDS
        too_old = now - activity["first"] > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            logout(request)
            # A page of its own rather than a message on the sign-in page: the response clears
            # the site's cookies (ClearSiteDataOnSignOutMiddleware), a message cookie with them.
            if idle:
                reason = _("You were signed out after %(minutes)d minutes without activity.") % {
                    "minutes": settings.STAFF_IDLE_TIMEOUT_SECONDS // 60
                }
            else:
                reason = _("Staff sessions last at most %(hours)d hours: please sign in again.") % {
                    "hours": settings.SESSION_COOKIE_AGE // 3600
                }
            url = reverse(settings.LOGIN_URL)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return render(request, "accounts/signed_out.html", {"reason": reason, "login_url": url})
        if now - activity["last"] >= self.WRITE_EVERY:
            request.session[STAFF_ACTIVITY_KEY] = {**activity, "last": now}
        return None

from allauth.usersessions.internal.flows.sessions import end_sessions
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from muroran_kyodo.lib import ratelimit

from . import links, lockout
from . import staff_enrolment as staff_enrolment_flow
from .forms import ProfileForm, UnlockRequestForm
from .security_events import record


@never_cache
@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("mypage")
    return render(request, "accounts/user_profile_form.html", {"form": form})


@require_safe
def signed_out(request):
    """Where signing out lands. The sign-out response clears the site's cookies
    (Clear-Site-Data), a message with them, so this page says it; someone signed in (another
    person, since) goes to マイページ."""
    if request.user.is_authenticated:
        return redirect("mypage")
    return render(
        request,
        "accounts/signed_out.html",
        {"reason": _("You have signed out."), "login_url": reverse("account_login")},
    )


# --- a staff account's first second factor (accounts.staff_enrolment) ------------------------


@never_cache
@login_required
def staff_enrolment(request):
    """Where a staff account without a second factor is sent: use the e-mailed link; a new one
    on request (to the account's own address, rate-limited)."""
    user = request.user
    if not staff_enrolment_flow.needs_link(user):
        return redirect("mfa_index")
    if staff_enrolment_flow.granted(request):
        return redirect("mfa_activate_totp")
    limited = False
    if request.method == "POST":
        if ratelimit.hit(request, "accounts.staff_enrolment_link"):
            staff_enrolment_flow.send_link(user, reason="requested", request=request)
            messages.success(
                request,
                _("We have sent a new link to %(email)s. Open it in this browser.")
                % {"email": user.email},
            )
            return redirect("staff_enrolment")
        limited = True
    return render(
        request,
        "accounts/staff_enrolment.html",
        {"limited": limited, "hours": settings.STAFF_ENROLMENT_LINK_HOURS},
        status=429 if limited else 200,
    )


@never_cache
@login_required
def staff_enrolment_link(request, token):
    """The e-mailed link: a button (a mail scanner's GET uses nothing), then allauth.mfa's
    set-up page. Only for the account it was sent to, once, before it expires."""
    if request.method == "POST":
        if staff_enrolment_flow.grant(request, token):
            messages.success(request, _("Thank you. Now set up your authenticator app."))
            return redirect("mfa_activate_totp")
        valid = False
    else:
        link = links.find(token, purpose=staff_enrolment_flow.PURPOSE)
        valid = link is not None and link.user_id == request.user.pk
    return render(
        request,
        "accounts/staff_enrolment_link.html",
        {"valid": valid, "can_resend": staff_enrolment_flow.needs_link(request.user)},
        status=200 if valid else 400,
    )


# --- the unlock link after failed sign-ins (accounts.lockout) --------------------------------


@never_cache
def login_unlock(request):
    """Ask for the unlock link (the sign-in page offers it when this browser is locked out of
    an address). The answer is the same whether or not a link was sent."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = lockout.normalize(form.cleaned_data["email"])
        if not ratelimit.hit(request, "accounts.login_unlock_link", email=email):
            form.add_error(None, ratelimit.LIMITED)
            return render(request, "accounts/login_unlock.html", {"form": form}, status=429)
        lockout.send_unlock_link(request, email)
        return render(
            request,
            "accounts/login_unlock.html",
            {"sent_to": email, "minutes": settings.LOGIN_LOCKOUT["UNLOCK_LINK_MINUTES"]},
        )
    return render(request, "accounts/login_unlock.html", {"form": form})


@never_cache
def login_unlock_link(request, token):
    """The e-mailed unlock link: a button, then the sign-in page, open again to this browser."""
    if request.method == "POST":
        user = lockout.unlock(request, token)
        if user is not None:
            messages.success(request, _("You can now sign in from this browser."))
            return redirect("account_login")
        valid = False
    else:
        valid = links.find(token, purpose=lockout.PURPOSE) is not None
    return render(
        request, "accounts/login_unlock_link.html", {"valid": valid}, status=200 if valid else 400
    )


# --- one session ended (allauth.usersessions lists them) -------------------------------------


@require_POST
@login_required
def usersession_end(request, pk):
    """End one of the person's own sessions; another person's id is 404."""
    session = get_object_or_404(UserSession, pk=pk, user_id=request.user.pk)
    current = session.is_current()
    record("session_ended", request, request.user, current=current)
    end_sessions(request, [session])
    if current:
        return redirect("signed_out")
    messages.success(request, _("That browser has been signed out."))
    return redirect("usersessions_list")

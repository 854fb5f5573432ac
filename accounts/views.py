from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .forms import ProfileForm


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

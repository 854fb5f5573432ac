"""中止・廃止: the group asks, in the browser, to stop its granted project, saying why; staff
approve or refuse it in the admin. (交付決定の取消 is the city's alone: admin only.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from muroran_kyodo.lib.forms import put_refusal_on_form

from .. import services
from ..forms import StopRequestForm
from ..models import Application
from ..permissions import GROUP, may_act

S = Application.Status


@never_cache
@login_required
def application_stop(request, pk):
    """中止・廃止の申請 (入力 → 完了): only while the grant stands (交付決定), by the group."""
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("programme", "organization"),
        pk=pk,
    )
    if not may_act(request.user, application, GROUP):
        raise PermissionDenied
    if S.STOP_REQUESTED not in services.allowed_targets(application, request.user):
        messages.error(
            request,
            _("The project cannot be stopped from here: the application is “%(status)s”.")
            % {"status": application.get_status_display()},
        )
        return redirect("subsidies:application_detail", pk=application.pk)
    form = StopRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_request_stop(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.TransitionError as error:
            put_refusal_on_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request to stop the project has been sent. The Community Life "
                    "Division will reply by e-mail."
                ),
            )
            return redirect("subsidies:application_detail", pk=application.pk)
    return render(
        request,
        "subsidies/application_stop.html",
        {"application": application, "form": form},
    )


urlpatterns = [
    path("subsidies/applications/<int:pk>/stop/", application_stop, name="application_stop"),
]

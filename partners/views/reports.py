"""Activity reports of まち「ピカ」 partners on the site: the form to file one, the list of a
registration's reports, and the photo, which is private to the partner and the city's staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.uploads import detect_image_type, serve_private_file

from .. import services
from ..forms import ReportForm
from ..models import ActivityReport, Registration
from ..permissions import can_act_or_staff
from .registrations import own_registration

REPORTS_PAGE_SIZE = 20
# Reports are filed while the city has accepted the registration (paused partners may still
# report what they did before pausing).
REPORTING_STATUSES = (Registration.Status.REGISTERED, Registration.Status.SUSPENDED)


def _can_report(registration) -> bool:
    return registration.status in REPORTING_STATUSES


@never_cache
@login_required
def report_create(request, pk):
    registration = own_registration(request, pk)
    if not _can_report(registration):
        messages.error(
            request, _("You can file reports once the city has accepted your registration.")
        )
        return redirect(registration)
    bound = request.method == "POST"
    form = ReportForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        registration=registration,
    )
    if bound:
        limited = form.is_valid() and not ratelimit.hit(request, "partners.report")
        if limited:
            form.add_error(None, ratelimit.LIMITED)
        elif form.is_valid():
            report = form.save(commit=False)
            try:
                services.report_create(report=report, by=request.user)
            except ValidationError as error:
                put_refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your report of %(date)s is saved.")
                    % {"date": report.activity_date.strftime("%Y-%m-%d")},
                )
                return redirect(registration)
        form.note_photo_not_kept()
    return render(
        request, "partners/report_form.html", {"registration": registration, "form": form}
    )


@never_cache
@require_safe
@login_required
def report_list(request, pk):
    registration = own_registration(request, pk)
    reports = registration.reports.select_related("place__district").order_by(
        "-activity_date", "-pk"
    )
    page = Paginator(reports, REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/report_list.html",
        {"registration": registration, "page": page, "can_report": _can_report(registration)},
    )


@require_safe
@login_required
def report_photo(request, report_pk):
    """The photo of a report: to the partner who may act for the registration and to the
    programme's staff; 404 for anyone else, so an id reveals nothing."""
    report = get_object_or_404(ActivityReport.objects.select_related("registration"), pk=report_pk)
    user = request.user
    if not can_act_or_staff(user, report.registration):
        raise Http404
    if not report.photo:
        raise Http404
    try:
        with report.photo.storage.open(report.photo.name, "rb") as handle:
            content_type = detect_image_type(handle)
    except OSError:
        raise Http404 from None
    extension = ".png" if content_type == "image/png" else ".jpg"
    return serve_private_file(
        request,
        report.photo,
        content_type=content_type or "application/octet-stream",
        download_name=f"report-{report.pk}{extension}",
    )

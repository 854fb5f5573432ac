"""Activity reports of まち「ピカ」 partners: the form to file one (date, place, participants,
bags, notes, an optional photo), the list of a registration's reports, and the photo, which is
private to the partner and the city's staff."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.jp import DateInput, nfkc
from muroran_kyodo.lib.uploads import detect_image_type, serve_private_file, validate_image

from . import services
from .models import MAX_BAGS, MAX_PEOPLE, ActivityReport, Channel, Registration
from .permissions import can_act_for, is_partner_staff
from .views import _own_registration

REPORTS_PAGE_SIZE = 20
OTHER_PLACE = "other"
# Reports are filed while the city has accepted the registration (paused partners may still
# report what they did before pausing).
REPORTING_STATUSES = (Registration.Status.REGISTERED, Registration.Status.SUSPENDED)

PHOTO_NOT_KEPT = gettext_lazy(
    "Choose the photo again: browsers do not keep a chosen file when the form comes back "
    "with errors."
)


def _count_field(label, *, min_value, max_value, message, required=True):
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=required,
        initial=None if required else 0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": message,
            "required": message,
        },
    )


class ReportForm(forms.ModelForm):
    activity_date = forms.DateField(
        label=gettext_lazy("Date of the activity"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the date of the activity."),
            "invalid": gettext_lazy("Enter the date like 2026-11-28."),
        },
    )
    place = forms.ChoiceField(
        label=gettext_lazy("Place"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the place of the activity.")},
    )
    place_other = forms.CharField(
        label=gettext_lazy("Other place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("If you chose another place: the place in words."),
    )
    participants = _count_field(
        gettext_lazy("Participants"),
        min_value=1,
        max_value=MAX_PEOPLE,
        message=gettext_lazy("Enter the number of participants, from 1 to 10,000."),
    )
    burnable_bags = _count_field(
        gettext_lazy("Bags of burnable rubbish"),
        min_value=0,
        max_value=MAX_BAGS,
        message=gettext_lazy("Enter the number of bags, from 0 to 10,000."),
        required=False,
    )
    non_burnable_bags = _count_field(
        gettext_lazy("Bags of non-burnable rubbish"),
        min_value=0,
        max_value=MAX_BAGS,
        message=gettext_lazy("Enter the number of bags, from 0 to 10,000."),
        required=False,
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=gettext_lazy("A JPEG or PNG image. Only you and the city's staff can see it."),
    )

    class Meta:
        model = ActivityReport
        fields = [
            "activity_date",
            "place_other",
            "participants",
            "burnable_bags",
            "non_burnable_bags",
            "notes",
            "photo",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    field_order = [
        "activity_date",
        "place",
        "place_other",
        "participants",
        "burnable_bags",
        "non_burnable_bags",
        "notes",
        "photo",
    ]

    def __init__(self, *args, registration: Registration, **kwargs):
        self.registration = registration
        kwargs.setdefault(
            "instance", ActivityReport(registration=registration, channel=Channel.WEB)
        )
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in registration.places.all()}
        self.fields["place"].choices = [(pk, str(place)) for pk, place in self.places.items()] + [
            (OTHER_PLACE, _("Another place"))
        ]
        self.fields["place"].initial = next(iter(self.places), OTHER_PLACE)
        # Numbers typed in full width (１２) are accepted.
        if self.is_bound:
            data = self.data.copy()
            for name in ("participants", "burnable_bags", "non_burnable_bags"):
                key = self.add_prefix(name)
                if data.get(key):
                    data[key] = nfkc(data[key])
            self.data = data

    def clean_activity_date(self):
        date = self.cleaned_data["activity_date"]
        if date > timezone.localdate():
            raise ValidationError(_("The date of the activity cannot be in the future."))
        return date

    # No bags is 0 bags (an empty box is not an error).
    def clean_burnable_bags(self):
        return self.cleaned_data.get("burnable_bags") or 0

    def clean_non_burnable_bags(self):
        return self.cleaned_data.get("non_burnable_bags") or 0

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_image(photo)  # the type is read again from the content when served
        return photo

    def clean(self):
        data = super().clean()
        choice = data.get("place")
        if choice == OTHER_PLACE:
            self.instance.place = None
            if not (data.get("place_other") or "").strip():
                self.add_error("place_other", _("Describe the place where you were active."))
        elif choice in self.places:
            self.instance.place = self.places[choice]
            data["place_other"] = ""
        return data

    def note_photo_not_kept(self):
        """A browser never sends a chosen file back: when the form returns with errors, say so
        next to the photo field (unless the photo itself is what was wrong)."""
        if self.files.get(self.add_prefix("photo")) and "photo" not in self.errors:
            self.add_error("photo", PHOTO_NOT_KEPT)


def _can_report(registration) -> bool:
    return registration.status in REPORTING_STATUSES


@never_cache
@login_required
def report_create(request, pk):
    registration = _own_registration(request, pk)
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
        if form.is_valid():
            report = form.save(commit=False)
            try:
                services.report_create(report=report, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
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
    registration = _own_registration(request, pk)
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
    if not (is_partner_staff(user) or can_act_for(user, report.registration)):
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


urlpatterns = [
    path("partners/registrations/<int:pk>/reports/new/", report_create, name="report_create"),
    path("partners/registrations/<int:pk>/reports/", report_list, name="report_list"),
    path("partners/reports/<int:report_pk>/photo/", report_photo, name="report_photo"),
]

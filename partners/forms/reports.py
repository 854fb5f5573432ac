"""The activity report of a まち「ピカ」 partner."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import EARLIEST_DATE, check_date_range
from muroran_kyodo.lib.jp import (
    DateInput,
    nfkc,
)
from muroran_kyodo.lib.uploads import clean_image

from ..models import (
    MAX_BAGS,
    MAX_PEOPLE,
    ActivityReport,
    Channel,
    Registration,
)

OTHER_PLACE = "other"

PHOTO_NOT_KEPT = gettext_lazy(
    "Choose the photo again: browsers do not keep a chosen file when the form comes back "
    "with errors."
)


def not_in_the_future(day):
    """The date of an activity: today or before, and not before 2000 (the web form and staff's
    form alike)."""
    if day and day > timezone.localdate():
        raise ValidationError(_("The date of the activity cannot be in the future."))
    check_date_range(day, earliest=EARLIEST_DATE, latest=None)
    return day


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
        return not_in_the_future(self.cleaned_data["activity_date"])

    # No bags is 0 bags (an empty box is not an error).
    def clean_burnable_bags(self):
        return self.cleaned_data.get("burnable_bags") or 0

    def clean_non_burnable_bags(self):
        return self.cleaned_data.get("non_burnable_bags") or 0

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            # What is stored is the photo re-encoded (no EXIF, no GPS, nothing hidden); its
            # type is read again from the content when served.
            return clean_image(photo)
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

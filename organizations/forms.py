from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.fields import ModelMultipleChoiceField
from muroran_kyodo.lib.jp import (
    KanaField,
    NormalizedEmailField,
    PhoneField,
    current_fiscal_year,
    fiscal_year_label,
    nfkc,
)
from muroran_kyodo.lib.widgets import OnePassSelect

from .models import (
    ActivityField,
    ActorType,
    CollaborationForm,
    CollaborationLead,
    District,
    Membership,
    Organization,
)


class OrganizationForm(forms.ModelForm):
    name_kana = KanaField(label=_("Name reading (katakana)"), max_length=200)
    public_email = NormalizedEmailField(label=_("Public contact e-mail"), required=False)
    public_phone = PhoneField(label=_("Public contact phone"), required=False)
    founded_year = forms.IntegerField(
        label=_("Year founded"),
        required=False,
        min_value=1868,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Western year, for example 2005."),
    )
    member_count = forms.IntegerField(
        label=_("Number of members"),
        required=False,
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "name_kana",
            "actor_type",
            "district",
            "fields",
            "description",
            "founded_year",
            "member_count",
            "representative_title",
            "public_email",
            "public_phone",
            "website",
            "contact_note",
        ]
        field_classes = {"fields": ModelMultipleChoiceField}
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor_type"].queryset = ActorType.objects.filter(is_organisation=True)
        self.fields["actor_type"].empty_label = _("Choose")
        self.fields["district"].empty_label = _("(not chosen)")
        # Numbers typed in full-width (２００５) are accepted.
        if self.is_bound:
            data = self.data.copy()
            for name in ("founded_year", "member_count"):
                key = self.add_prefix(name)
                if data.get(key):
                    data[key] = nfkc(data[key])
            self.data = data

    def clean_founded_year(self):
        year = self.cleaned_data.get("founded_year")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year founded cannot be in the future."))
        return year


class InviteForm(forms.Form):
    email = NormalizedEmailField(label=_("E-mail address of the person to add"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r.value, r.label) for r in Membership.Role if r != Membership.Role.REPRESENTATIVE
        ],
        initial=Membership.Role.MEMBER,
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    type = forms.ModelChoiceField(
        label=_("Type"),
        required=False,
        to_field_name="code",
        queryset=ActorType.objects.filter(is_organisation=True),
        empty_label=_("All"),
        widget=OnePassSelect,
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.all(),
        empty_label=_("All"),
        widget=OnePassSelect,
    )
    field = forms.ModelChoiceField(
        label=_("Field of activity"),
        required=False,
        queryset=ActivityField.objects.all(),
        empty_label=_("All"),
        widget=OnePassSelect,
    )


class ProjectFilterForm(forms.Form):
    lead = forms.ModelChoiceField(
        label=_("Who leads"),
        required=False,
        to_field_name="code",
        queryset=CollaborationLead.objects.all(),
        empty_label=_("All"),
        widget=OnePassSelect,
    )
    form = forms.ModelChoiceField(
        label=_("Collaboration form"),
        required=False,
        to_field_name="code",
        queryset=CollaborationForm.objects.select_related("lead"),
        empty_label=_("All"),
        widget=OnePassSelect,
    )
    year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=OnePassSelect,
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(set(years) | {current_fiscal_year()}, reverse=True)
        self.fields["year"].choices = [("", _("All"))] + [
            (y, fiscal_year_label(y)) for y in choices
        ]

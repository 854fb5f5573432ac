"""Names people can't mean: only invisible characters, or invisible formatting and
text-direction characters inside, are refused in every name field of the portal, on the
public forms and in the admin (the models' validators)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.forms import ProfileForm, SignupProfileForm
from accounts.models import User
from councils.forms import SignupForm as CouncilSignupForm
from councils.models import Signup as CouncilSignup
from entalk.forms import RequestForm as EntalkRequestForm
from entalk.models import Request as EntalkRequest
from muroran_kyodo.lib.jp import validate_name
from organizations.forms import OrganizationForm
from organizations.models import Organization
from partners.forms import RegistrationForm
from partners.forms.registrations import ContactChangeForm
from partners.models import Registration
from publiccomment.forms import SubmissionForm
from publiccomment.models import Submission

UNMEANT = [
    "\u200b",  # zero-width space only
    "\u200b\u200c\u200d\ufeff",
    "\u3000\u3000",  # full-width spaces only
    "\u3164",  # Hangul filler, looks blank
    "\u2800",  # braille blank
    "室蘭\u202e会の港",  # right-to-left override
    "\u202a輪西\u202c",  # embedding
    "\u2066輪西\u2069",  # isolate
    "輪\u200b西",  # zero-width space inside
    "輪\u2060西",  # word joiner
    "\ufeff輪西",  # BOM
    "輪\u00ad西",  # soft hyphen (Cf)
    "輪\x07西",  # a control character
    "輪\n西",
]
MEANT = [
    "輪西 花子",
    "輪西\u3000花子",
    "室蘭港を愛する会",
    "NPO法人 むろらん",
    "O'Brien-Smith",
    "葛\U000e0100城",  # an ideographic variation selector (異体字): allowed
    "ﾑﾛﾗﾝ",
]


@pytest.mark.parametrize("value", UNMEANT)
def test_names_people_cannot_mean_are_refused(value):
    with pytest.raises(ValidationError):
        validate_name(value)


@pytest.mark.parametrize("value", MEANT)
def test_ordinary_names_are_kept(value):
    validate_name(value)


def test_the_message_is_in_japanese():
    with translation.override("ja"):
        with pytest.raises(ValidationError) as only_invisible:
            validate_name("\u200b")
        with pytest.raises(ValidationError) as override:
            validate_name("a\u202eb")
        assert "見える文字" in only_invisible.value.messages[0]
        assert "向き" in override.value.messages[0]


FORM_FIELDS = [
    (SignupProfileForm, "family_name"),
    (SignupProfileForm, "given_name"),
    (SignupProfileForm, "display_name"),
    (ProfileForm, "family_name"),
    (ProfileForm, "given_name"),
    (ProfileForm, "display_name"),
    (OrganizationForm, "name"),
    (RegistrationForm, "contact_name"),
    (RegistrationForm, "group_name"),
    (ContactChangeForm, "contact_name"),
    (SubmissionForm, "name"),
    (SubmissionForm, "organization_name"),
    (EntalkRequestForm, "group_name"),
    (EntalkRequestForm, "contact_name"),
    (CouncilSignupForm, "name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "name"), FORM_FIELDS)
def test_every_name_field_of_the_forms_refuses_them(form, name):
    for value in ("\u200b\u200b", "輪西\u202e会"):
        if name in form.declared_fields:
            with pytest.raises(ValidationError):
                form.base_fields[name].clean(value)
        else:  # generated from the model: the model's validator runs in the form's clean
            bound = form(data={name: value})
            assert not bound.is_valid()
            assert name in bound.errors, bound.errors
    assert form.base_fields[name].clean("輪西の会") == "輪西の会"


MODEL_FIELDS = [
    (User, "family_name"),
    (User, "given_name"),
    (User, "display_name"),
    (Organization, "name"),
    (Registration, "contact_name"),
    (Registration, "group_name"),
    (Submission, "name"),
    (Submission, "organization_name"),
    (EntalkRequest, "group_name"),
    (EntalkRequest, "contact_name"),
    (CouncilSignup, "name"),
]


@pytest.mark.parametrize(("model", "name"), MODEL_FIELDS)
def test_the_admin_refuses_them_too(model, name):
    # The admin's forms are generated from the model: its validators apply there.
    field = model._meta.get_field(name)
    with pytest.raises(ValidationError):
        field.clean("輪西\u202e会", None)

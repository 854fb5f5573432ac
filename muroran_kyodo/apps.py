from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MuroranKyodoConfig(AppConfig):
    name = "muroran_kyodo"
    verbose_name = _("Portal site")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .lib import pagecache

        pagecache.install()  # every write gives the tables it changes a new generation

        _autocomplete_skips_values_that_are_no_ids()
        _model_choices_refuse_numbers_beyond_the_database()
        _json_fields_refuse_what_json_cannot_read()


def _autocomplete_skips_values_that_are_no_ids():
    """Django's admin autocomplete widget, re-rendering a form with an error, looks up the
    value posted with `pk__in=` and fails with a server error on one that is no id (text, a
    number beyond the database's integers, a NUL; found by tests/fuzz). Such a value is left
    out of the lookup: the field shows empty and its own error ("select a valid choice")."""
    from django.contrib.admin.widgets import AutocompleteMixin

    from .middleware import is_value_of

    original = AutocompleteMixin.optgroups
    if getattr(original, "skips_values_that_are_no_ids", False):
        return

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)
        target = remote.model._meta.get_field(field_name) if field_name else remote.model._meta.pk
        value = [v for v in value if v in (None, "") or is_value_of(target, str(v))]
        return original(self, name, value, attr)

    optgroups.skips_values_that_are_no_ids = True
    AutocompleteMixin.optgroups = optgroups


def _model_choices_refuse_numbers_beyond_the_database():
    """A choice of records (a select or checkboxes of a ForeignKey or ManyToMany) posted with
    an id beyond SQLite's 64-bit integers makes Django's lookup raise OverflowError, which its
    fields do not catch: a server error on the embedded database (found by tests/fuzz on the
    admin's programme form; PostgreSQL just finds no row). It is answered as the choice that
    does not exist that it is."""
    from django.core.exceptions import ValidationError
    from django.forms.models import ModelChoiceField, ModelMultipleChoiceField

    if getattr(ModelChoiceField.to_python, "refuses_overflow", False):
        return
    to_python = ModelChoiceField.to_python
    check_values = ModelMultipleChoiceField._check_values

    def to_python_refusing_overflow(self, value):
        try:
            return to_python(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def check_values_refusing_overflow(self, value):
        try:
            return check_values(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": "…"},
            ) from None

    to_python_refusing_overflow.refuses_overflow = True  # type: ignore[attr-defined]
    ModelChoiceField.to_python = to_python_refusing_overflow  # type: ignore[method-assign]
    ModelMultipleChoiceField._check_values = check_values_refusing_overflow  # type: ignore[method-assign]


def _json_fields_refuse_what_json_cannot_read():
    """Django's JSON form field turns only a JSONDecodeError into "Enter a valid JSON": a number
    of more than 4,300 digits makes Python's json raise a plain ValueError, a server error in
    the admin (found by tests/fuzz on allauth's user-session form). Any ValueError of the
    parser is the invalid input it is."""
    from django.core.exceptions import ValidationError
    from django.forms import JSONField
    from django.forms.fields import InvalidJSONInput

    if getattr(JSONField.to_python, "refuses_unreadable", False):
        return
    to_python = JSONField.to_python

    def to_python_refusing_unreadable(self, value):
        try:
            return to_python(self, value)
        except ValidationError:
            raise
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": "…"}
            ) from None

    bound_data = JSONField.bound_data

    def bound_data_keeping_unreadable(self, data, initial):
        # The form shown again with its error keeps what was typed.
        try:
            return bound_data(self, data, initial)
        except ValueError:
            return InvalidJSONInput(data)

    to_python_refusing_unreadable.refuses_unreadable = True  # type: ignore[attr-defined]
    JSONField.to_python = to_python_refusing_unreadable  # type: ignore[method-assign]
    JSONField.bound_data = bound_data_keeping_unreadable  # type: ignore[method-assign]

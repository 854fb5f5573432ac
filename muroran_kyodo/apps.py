from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MuroranKyodoConfig(AppConfig):
    name = "muroran_kyodo"
    verbose_name = _("Portal site")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        _autocomplete_skips_values_that_are_no_ids()


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

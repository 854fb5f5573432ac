from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # allauth's Authenticator declares no verbose_name, so Django derives an untranslated
        # "authenticator" from the class name and the admin index shows "Authenticators". Set
        # translatable labels on the model's options; `original_attrs` is left alone, so the
        # migration state of allauth's app does not change (makemigrations stays clean).
        from allauth.mfa.models import Authenticator

        from . import mfa_adapter  # noqa: F401  (registers the MFA encryption key checks)

        Authenticator._meta.verbose_name = _("authenticator")
        Authenticator._meta.verbose_name_plural = _("authenticators")

        from . import security_events, staff_enrolment

        security_events.connect()
        staff_enrolment.connect()

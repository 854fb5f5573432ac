from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MuroranKyodoConfig(AppConfig):
    name = "muroran_kyodo"
    verbose_name = _("Portal site")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

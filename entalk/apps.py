from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntalkConfig(AppConfig):
    name = "entalk"
    verbose_name = _("en-talk: dialogue with the mayor")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PubliccommentConfig(AppConfig):
    name = "publiccomment"
    verbose_name = _("Public comment")

"""System checks for settings that are legal but wrong for the situation."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register()
def demo_without_second_factor(app_configs, **kwargs):
    if not settings.ADMIN_REQUIRE_MFA:
        return [
            Warning(
                "The staff second factor for the admin is switched off (ADMIN_REQUIRE_MFA=false). "
                "This is for the local demo only; it is always on when DEBUG is off.",
                id="muroran_kyodo.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def shared_cache_for_rate_limits(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "CACHE_URL is not set: login, sign-up and password-reset rate limits are kept per "
                "worker process, and so is the page cache (a change made through one worker "
                "leaves the pages cached by the others for up to a minute). Set "
                "CACHE_URL=redis://… so that all gunicorn workers share them.",
                id="muroran_kyodo.W002",
            )
        ]
    return []


@register(deploy=True)
def real_email_backend(app_configs, **kwargs):
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "dummy.EmailBackend")):
        return [
            Warning(
                "EMAIL_URL is not set: sign-up confirmations and notices are not delivered.",
                id="muroran_kyodo.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def virus_scanner(app_configs, **kwargs):
    if not settings.CLAMD_ADDRESS:
        return [
            Error(
                "CLAMD_ADDRESS is not set: uploads cannot be checked for viruses, so none is "
                "served. Install clamav-daemon and clamav-freshclam and set "
                "CLAMD_ADDRESS=unix:///run/clamav/clamd.ctl (or tcp://host:3310).",
                id="muroran_kyodo.E010",
            )
        ]
    return []

"""Settings for the Muroran collaboration portal.

Everything that differs between a laptop and production comes from the environment
(django-environ). With nothing set the portal runs on SQLite in the project folder, with
DEBUG on and e-mails printed to the console. See README.md for the full table.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes/no fails loudly."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use true/false, 1/0, yes/no or on/off."
    )


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is not a real secret: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",  # /accounts/sessions/: a person sees and ends their own sessions
    "muroran_kyodo",
    "accounts",
    "organizations",
    "partners",
    "subsidies",
    "publiccomment",
    "entalk",
    "councils",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every response, the 405s below included, carries the Permissions-Policy.
    "muroran_kyodo.middleware.PermissionsPolicyMiddleware",
    # Before WhiteNoise, so that static files refuse TRACE, PUT, ... too.
    "muroran_kyodo.middleware.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "muroran_kyodo.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records 403s (PermissionDenied included) in the audit log; 404s are not recorded.
    "accounts.security_events.RefusalLogMiddleware",
    "accounts.middleware.ClearSiteDataOnSignOutMiddleware",  # before the idle timeout's sign-out
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AdminSecondFactorMiddleware",
    "accounts.middleware.PersonalPagesNoStoreMiddleware",
    # An admin action posted with a selection that is no id: the list and a message, not a 500.
    "muroran_kyodo.middleware.AdminActionSelectionMiddleware",
]

# Our templates/django/forms/field.html renders every field: label, 必須, help, error.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "muroran_kyodo.urls"
WSGI_APPLICATION = "muroran_kyodo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "muroran_kyodo.context_processors.site",
                "muroran_kyodo.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Choice fields iterate with server-side cursors otherwise; these break behind pgbouncer in
    # transaction mode and cost a round trip each for our small reference tables.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here: it must be shared by all workers in production) ----------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://muroran-kyodo")}

# --- Users and authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "mypage"
# The sign-out clears the cookies (Clear-Site-Data), a message with them: a page says it.
LOGOUT_REDIRECT_URL = "signed_out"

# Records the lock-out its login rate limit imposes in the audit log (accounts.security_events).
ACCOUNT_ADAPTER = "accounts.security_events.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Adding or removing an e-mail address, changing the password and (always, in allauth.mfa) the
# second factor ask for the password again when the last sign-in is older than this.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
ACCOUNT_FORMS = {
    "signup": "accounts.allauth_forms.SignupForm",
    "login": "accounts.allauth_forms.LoginForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="【室蘭市 協働ポータル】")
# allauth's defaults, written out so that they are reviewed here: per IP and per key. Counted
# in the same shared cache as RATE_LIMITS. Where allauth sends mail to an address typed in
# (sign-up, password reset, adding an address), an hourly cap besides its per-minute one, so
# that a steady trickle cannot turn the portal's sender against a mailbox.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,60/h/ip",
    "reset_password": "20/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user,30/h/user",
    "reauthenticate": "10/m/user",
}
# Behind N reverse proxies, the client address is the Nth from the right of X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "室蘭市 協働ポータル"
# TOTP secrets and recovery-code seeds are encrypted at rest (accounts/mfa_adapter.py) with
# keys of their own: comma-separated Fernet keys, the first encrypts, all decrypt (rotation:
# put the new key first, run `manage.py rotate_mfa_keys`, then drop the old one). Without
# them a key derived from SECRET_KEY is used, for the demo only (`check --deploy` warns).
MFA_ADAPTER = "accounts.mfa_adapter.EncryptingMFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
MFA_ENCRYPTION_KEYS_FROM_ENV = bool(MFA_ENCRYPTION_KEYS)
if not MFA_ENCRYPTION_KEYS:
    import base64
    import hashlib

    MFA_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.pbkdf2_hmac(
                "sha256", SECRET_KEY.encode(), b"muroran-kyodo mfa-encryption", 100_000, 32
            )
        ).decode()
    ]

# Staff must pass a second factor before the admin opens. Only the embedded demo
# (DEBUG on) may switch it off, and `make run` says so when it does.
ADMIN_REQUIRE_MFA = env_bool("ADMIN_REQUIRE_MFA", True) or not DEBUG

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["muroran_kyodo.formats"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# No MEDIA_URL on purpose: uploads are private and only served by permission-checked views.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="室蘭市 協働ポータル <kyodo-portal@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Portal admins", a) for a in env.list("ADMIN_EMAILS", default=[])]

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Django renews a session's expiry whenever the session is written, so this lifetime slides;
# for staff it is also counted from their session's first request
# (accounts.middleware.StaffIdleTimeoutMiddleware), and an idle staff session ends sooner.
SESSION_COOKIE_AGE = 60 * 60 * 12
STAFF_IDLE_TIMEOUT_SECONDS = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)
if SESSION_COOKIE_SECURE:
    # The __Host- prefix: the browser accepts the cookie only over HTTPS, for path "/" and
    # without a Domain, so no other host under the city's domain can set or shadow it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features nobody here needs, switched off (muroran_kyodo.middleware). The places map
# (static/partners/) only shows points and never asks where the visitor is: no geolocation.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Portal ---------------------------------------------------------------------------------
SITE_NAME = "室蘭市 協働のまちづくりポータル"
# Where the portal is reached from outside: used for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Days ahead the cron reminders look (`manage.py send_reminders`): a partner's shift, a
# subsidy's completion report (実績報告) due.
REMINDER_SHIFT_DAYS = env.int("REMINDER_SHIFT_DAYS", default=1)
REMINDER_REPORT_DAYS = env.int("REMINDER_REPORT_DAYS", default=7)
# Muroran's population (住民基本台帳), used for ratios on the 実績 page. Update yearly.
CITY_POPULATION = env.int("CITY_POPULATION", default=75_000)
# Seconds the partner programme's totals stay cached at most (they are also dropped on change).
PARTNERS_STATS_CACHE_SECONDS = env.int("PARTNERS_STATS_CACHE_SECONDS", default=300)

# The map of the まち「ピカ」 places (Leaflet, static/vendor/leaflet/): the tiles' URL template and
# the attribution their terms require. The default is the Geospatial Information Authority of
# Japan's standard map (地理院タイル). A Content-Security-Policy must allow the tiles' host in
# img-src (README, "Maps").
MAP_TILE_URL = env.str(
    "MAP_TILE_URL", default="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
)
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="地理院タイル")
MAP_TILE_ATTRIBUTION_URL = env.str(
    "MAP_TILE_ATTRIBUTION_URL", default="https://maps.gsi.go.jp/development/ichiran.html"
)

# Limits on actions that create records or send mail (muroran_kyodo/lib/ratelimit.py), per
# client address ("ip": generous, a household or an office shares one), per account ("user")
# and per e-mail address typed ("email"). Counted in the shared cache.
RATE_LIMITS = {
    "publiccomment.submission": {"ip": "60/h", "user": "10/h", "email": "10/h"},
    "entalk.request": {"ip": "30/h", "user": "5/h", "email": "5/h"},
    "entalk.answer": {"ip": "60/h", "user": "20/h"},
    "councils.signup": {"ip": "60/h", "user": "20/h", "email": "5/h"},
    "councils.cancel": {"ip": "60/h", "user": "30/h"},
    # Registry: an invitation e-mails an address the group types in.
    "organizations.register": {"ip": "30/h", "user": "5/h"},
    "organizations.invite": {"ip": "60/h", "user": "10/h", "email": "3/h"},
    # まち「ピカ」 and the other partner programmes.
    "partners.register": {"ip": "30/h", "user": "5/h"},
    "partners.edit": {"ip": "60/h", "user": "20/h"},
    "partners.status": {"ip": "60/h", "user": "10/h"},
    "partners.report": {"ip": "120/h", "user": "30/h"},
    "partners.request": {"ip": "60/h", "user": "20/h"},
    "partners.signup": {"ip": "120/h", "user": "30/h"},
    "partners.signup_cancel": {"ip": "120/h", "user": "30/h"},
    # Subsidies: drafts, uploads, 事前相談 (e-mails the group and staff), 変更承認申請.
    "subsidies.application": {"ip": "30/h", "user": "10/h"},
    "subsidies.attachment": {"ip": "120/h", "user": "60/h"},
    "subsidies.consultation": {"ip": "30/h", "user": "5/h"},
    "subsidies.change_request": {"ip": "30/h", "user": "5/h"},
}

# パブリックコメント: where opinions go when a case gives no address of its own.
PUBLICCOMMENT_ADDRESS = env.str(
    "PUBLICCOMMENT_ADDRESS", default="〒051-8511 室蘭市幸町1番2号 室蘭市役所"
)

# enとーく: the rules a request must meet, shown on the form. The venue must be in Muroran:
# its postal code starts with one of the city's prefixes (050, 051).
ENTALK = {
    "MIN_PARTICIPANTS": env.int("ENTALK_MIN_PARTICIPANTS", default=10),
    "LEAD_DAYS": env.int("ENTALK_LEAD_DAYS", default=30),
    "SESSION_MINUTES": env.int("ENTALK_SESSION_MINUTES", default=90),
    "FOLLOW_UP_OVERDUE_DAYS": env.int("ENTALK_FOLLOW_UP_OVERDUE_DAYS", default=60),
    "POSTAL_PREFIXES": ("050", "051"),
    "CITY_NAME": "室蘭市",
}

# まちづくり協議会: a guest's sign-up holds nothing until the link sent by e-mail is followed
# within CONFIRM_HOURS; the needs asked are erased NEEDS_KEEP_DAYS after the session.
COUNCILS = {
    "CONFIRM_HOURS": env.int("COUNCILS_CONFIRM_HOURS", default=24),
    "NEEDS_KEEP_DAYS": env.int("COUNCILS_NEEDS_KEEP_DAYS", default=7),
}

# `make bench` serves a bare view through the same stack as its baseline.
BENCH_BASELINE = env_bool("BENCH_BASELINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The audit log of security events (accounts.security_events): one JSON line each.
        "muroran_kyodo.security": {"level": "INFO"},
    },
}

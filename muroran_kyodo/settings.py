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
    # First, so that its `createsuperuser` (which also prints the enrolment link) wins.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",  # /accounts/sessions/: a person sees and ends their own sessions
    "muroran_kyodo",
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
    # The Content-Security-Policy (django-csp, CONTENT_SECURITY_POLICY below), on the 405s too.
    "csp.middleware.CSPMiddleware",
    # Before WhiteNoise, so that static files refuse TRACE, PUT, ... too.
    "muroran_kyodo.middleware.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "muroran_kyodo.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request is known to the audit log's receivers (who changed staff powers, from where).
    "accounts.security_events.CurrentRequestMiddleware",
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
    # Seconds a connection attempt may take: with PostgreSQL unreachable a request fails soon
    # with the 503 page (muroran_kyodo/errors.py) instead of hanging until gunicorn's timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here: it must be shared by all workers in production) ----------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://muroran-kyodo")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis unreachable: the site keeps serving (reads miss, writes dropped), rate limits of
    # actions fail open, sign-in is refused (muroran_kyodo/lib/cache.py). Seconds a connection
    # or a command may take before Redis counts as unreachable.
    CACHES["default"]["BACKEND"] = "muroran_kyodo.lib.cache.RedisCache"
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault(
        "socket_connect_timeout", env.float("CACHE_SOCKET_TIMEOUT", default=1.0)
    )
    _cache_options.setdefault("socket_timeout", env.float("CACHE_SOCKET_TIMEOUT", default=1.0))

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
    # Words of this site and city, which a guesser tries first (ASVS 6.2.11). No composition
    # rules (ASVS 6.2.5): a long password of digits only is as good as any other.
    {"NAME": "accounts.password_validation.ContextWordsValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "mypage"
# The sign-out clears the cookies (Clear-Site-Data), a message with them: a page says it.
LOGOUT_REDIRECT_URL = "signed_out"

# Failed sign-ins lock out the source, not the owner, and are recorded (accounts/lockout.py).
ACCOUNT_ADAPTER = "accounts.lockout.AccountAdapter"
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
    # The key is the pair (address typed, client address): accounts/lockout.py.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,60/h/ip",
    "reset_password": "20/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user,30/h/user",
    "reauthenticate": "10/m/user",
}
# Failed sign-ins for one address from all sources together (per hour) before every source is
# refused; the sources in an hour that alert staff; the life of the e-mailed unlock link.
LOGIN_LOCKOUT = {
    "ADDRESS_FAILURES_PER_HOUR": env.int("LOGIN_ADDRESS_FAILURES_PER_HOUR", default=50),
    "ALERT_SOURCES_PER_HOUR": env.int("LOGIN_ALERT_SOURCES_PER_HOUR", default=5),
    "UNLOCK_LINK_MINUTES": env.int("LOGIN_UNLOCK_LINK_MINUTES", default=60),
}
# Behind N reverse proxies, the client address is the Nth from the right of X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Everyone may add a second factor from マイページ: an authenticator app (TOTP) or passkeys
# (WebAuthn, via fido2), and sign in with a passkey alone. Reviewers of subsidy applications
# must have one (subsidies.second_factor), staff too (accounts.middleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# Passkeys need https, or http://localhost (not 127.0.0.1: a passkey belongs to a domain name),
# which browsers and fido2 (>= 2.0) both accept as is. allauth's "insecure origin" switch
# would stop checking the origin altogether: it stays off, on the laptop too.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# A refused passkey sign-in says so in words of its own; a malformed passkey credential is a
# form error, not a 500 (accounts.allauth_forms).
MFA_FORMS = {
    # A code is checked only while its failures can be counted (the shared cache up).
    "authenticate": "accounts.allauth_forms.SecondFactorForm",
    "reauthenticate": "accounts.allauth_forms.SecondFactorReauthenticateForm",
    "add_webauthn": "accounts.allauth_forms.PasskeyAddForm",
    "login_webauthn": "accounts.allauth_forms.PasskeyLoginForm",
    "reauthenticate_webauthn": "accounts.allauth_forms.PasskeyReauthenticateForm",
}
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
# A staff account's first second factor needs a one-time link e-mailed to it (accounts/
# staff_enrolment.py); its lifetime.
STAFF_ENROLMENT_LINK_HOURS = env.int("STAFF_ENROLMENT_LINK_HOURS", default=24)

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
# Every stored file gets its virus check recorded (muroran_kyodo/lib/scanning.py).
STORAGES = {
    "default": {"BACKEND": "muroran_kyodo.lib.storage.ScannedFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Where uploads are kept: "filesystem" (MEDIA_ROOT, one app server or a shared volume) or "s3",
# an S3-compatible object store shared by several app servers (docs/deployment.md; needs the
# `s3` extra: django-storages and boto3). Either way every file is virus-checked and served
# only through the apps' permission-checked views.
UPLOAD_STORAGE = env.str("UPLOAD_STORAGE", default="filesystem")
if UPLOAD_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "muroran_kyodo.lib.storage_s3.ScannedS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            # Empty: Amazon S3 itself; else the address of MinIO, Ceph RGW, a cloud's S3 API.
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # Empty: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
        },
    }
elif UPLOAD_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"UPLOAD_STORAGE must be filesystem or s3, not {UPLOAD_STORAGE!r}")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# What an upload may hold (muroran_kyodo/lib/uploads.py): a photo's size in pixels, checked from
# its header before it is decoded; how much a PDF's streams may inflate to; an Office file's
# entries, their total uncompressed size and the compression ratio of any entry over 1 MB.
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)
UPLOAD_MAX_PDF_INFLATED_BYTES = env.int("UPLOAD_MAX_PDF_INFLATED_BYTES", default=50 * 1024 * 1024)
UPLOAD_MAX_ARCHIVE_ENTRIES = env.int("UPLOAD_MAX_ARCHIVE_ENTRIES", default=2000)
UPLOAD_MAX_ARCHIVE_BYTES = env.int("UPLOAD_MAX_ARCHIVE_BYTES", default=100 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env.int("UPLOAD_MAX_COMPRESSION_RATIO", default=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The virus check of uploads: clamd's address, tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl.
# Empty switches scanning off, which only DEBUG allows (files are then served "unscanned"); with
# DEBUG off files wait unserved and `check --deploy` fails (muroran_kyodo.E010).
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
# Seconds clamd may take to accept, read or answer; an upload waits this long at most, then is
# accepted as pending (gunicorn's timeout is 30 s).
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=10.0)
# Where files found infected by `manage.py scan_uploads` are moved; empty: "<MEDIA_ROOT>-quarantine".
UPLOAD_QUARANTINE_ROOT = env.str("UPLOAD_QUARANTINE_ROOT", default="")

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="室蘭市 協働ポータル <kyodo-portal@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Portal admins", a) for a in env.list("ADMIN_EMAILS", default=[])]
# Seconds the mail server may take to answer (Django's default waits for ever); a delivery that
# times out waits in the outbox for `send_outbox`.
EMAIL_TIMEOUT = EMAIL_CONFIG.get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=10)
# The outbox (muroran_kyodo/lib/outbox.py): tries before an e-mail is failed (staff send it
# again), the first wait after a failure (doubling up to the cap), e-mails per run of
# `send_outbox`, days sent e-mails are kept, and the health's thresholds: the oldest waiting
# e-mail's age, and how long an e-mail may stay "being sent".
MAIL_OUTBOX_MAX_ATTEMPTS = env.int("MAIL_OUTBOX_MAX_ATTEMPTS", default=12)
MAIL_OUTBOX_RETRY_SECONDS = env.int("MAIL_OUTBOX_RETRY_SECONDS", default=60)
MAIL_OUTBOX_RETRY_MAX_SECONDS = env.int("MAIL_OUTBOX_RETRY_MAX_SECONDS", default=3600)
MAIL_OUTBOX_BATCH = env.int("MAIL_OUTBOX_BATCH", default=200)
MAIL_OUTBOX_KEEP_DAYS = env.int("MAIL_OUTBOX_KEEP_DAYS", default=30)
MAIL_OUTBOX_ALERT_SECONDS = env.int("MAIL_OUTBOX_ALERT_SECONDS", default=900)
MAIL_OUTBOX_STUCK_SECONDS = env.int("MAIL_OUTBOX_STUCK_SECONDS", default=600)

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
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    # Flash messages travel in a cookie with the session cookie's attributes; the same prefix.
    MESSAGE_STORAGE = "muroran_kyodo.lib.messages.HostPrefixedFallbackStorage"
# No script of the site reads the CSRF token from the cookie (forms carry it in a hidden field).
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes the app server itself over plain HTTP (muroran_kyodo/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
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
# The page cache (muroran_kyodo/lib/pagecache.py): public pages for anonymous visitors kept in the
# shared cache, dropped exactly when a committed write changes a table they read. Seconds an
# entry lives at most (never past the next full minute); 0 switches it off. On by default when
# DEBUG is off; it needs CACHE_URL (Redis) once there is more than one worker process.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 60)
# An X-Page-Cache: hit|miss header on the pages that may be cached (for measuring).
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER", DEBUG)
# The deployment's version (e.g. the git commit), the same on every server: pages rendered by
# another release are never served. Empty: derived from the files' names, sizes and times.
PAGE_CACHE_RELEASE = env.str("PAGE_CACHE_RELEASE", default="")
# Bytes of page bodies each worker process keeps in its own memory besides the shared cache
# (checked against the shared cache's generations on every hit, so never staler; 0: none).
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=8 * 1024 * 1024)

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


def tile_source(url: str) -> str:
    """The CSP source of the map tiles' URL template: its scheme and host ("{s}." subdomains,
    as in https://{s}.tile.example.org/{z}/{x}/{y}.png, become "*.")."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}.", "*.")
    if scheme not in ("https", "http") or not host or "{" in host:
        raise ImproperlyConfigured(f"MAP_TILE_URL={url!r} is not an http(s) URL template.")
    return f"{scheme}://{host}"


# Content-Security-Policy on every page (django-csp's middleware): nothing inline, everything
# from the site itself, the map tiles the only other host (img-src; Leaflet swaps a tile it
# could not load for a data: image). Uploaded files are served with their own stricter
# "default-src 'none'" (muroran_kyodo.lib.uploads). Browsers report violations to
# /security/csp-report/ (muroran_kyodo.views.csp_report: logged to muroran_kyodo.security).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", tile_source(MAP_TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/security/csp-report/"],
        "upgrade-insecure-requests": not DEBUG,
    },
}

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
    # Accounts: a new staff enrolment link, an unlock link (both to the account's own address).
    "accounts.staff_enrolment_link": {"ip": "20/h", "user": "3/h"},
    "accounts.login_unlock_link": {"ip": "20/h", "email": "3/h"},
    # Reports of what the Content-Security-Policy blocked (muroran_kyodo.csp_report): a page
    # that breaks the policy sends one per blocked thing; more than this is dropped unlogged.
    "security.csp_report": {"ip": "60/10m"},
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

# Retention (`manage.py apply_retention`, daily): the personal data of closed records is
# anonymised this many days after they closed (README, "Retention and personal data").
# Opinions: after the case's result is published (or the case abandoned). Guest sign-ups of
# まちづくり協議会: after the session ended. Subsidy applications not adopted or withdrawn:
# after the decision, five years as the city keeps such applications (文書保存年限 5年).
RETENTION = {
    "OPINION_DAYS": env.int("RETENTION_OPINION_DAYS", default=365),
    "GUEST_SIGNUP_DAYS": env.int("RETENTION_GUEST_SIGNUP_DAYS", default=90),
    "REJECTED_APPLICATION_DAYS": env.int("RETENTION_REJECTED_APPLICATION_DAYS", default=1825),
}

# `make bench` serves a bare view through the same stack as its baseline.
BENCH_BASELINE = env_bool("BENCH_BASELINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ISO 8601 with the UTC offset, so lines from several hosts sort and compare (ASVS 16.2.2).
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The audit log of security events (accounts.security_events): one JSON line each.
        "muroran_kyodo.security": {"level": "INFO"},
    },
}

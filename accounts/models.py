"""The portal's user: signs in by e-mail; legal name with katakana reading, a separate public
display name, and contact details that are never shown publicly."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import nfkc, validate_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        return nfkc(email or "").lower()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=self.normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    family_name = models.CharField(
        _("family name"), max_length=50, blank=True, validators=[validate_name]
    )
    given_name = models.CharField(
        _("given name"), max_length=50, blank=True, validators=[validate_name]
    )
    family_name_kana = models.CharField(_("family name (katakana)"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("given name (katakana)"), max_length=100, blank=True)
    display_name = models.CharField(
        _("display name"),
        max_length=50,
        blank=True,
        validators=[validate_name],
        help_text=_("Shown on the site instead of your legal name; a nickname is fine."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(
        "organizations.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("City staff who may use the admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["family_name_kana", "given_name_kana", "pk"]
        # 個人情報の開示・訂正: one person's records across the portal (muroran_kyodo.personal_data).
        permissions = [("disclose_personal_data", _("Can disclose and correct personal data"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    def get_full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def get_short_name(self) -> str:
        return self.display_name or self.given_name or self.email.split("@")[0]

    @property
    def public_name(self) -> str:
        """The only name of a person that may appear on a public page."""
        return self.display_name


class SecurityEvent(models.Model):
    """One security event (sign-in, failure, lock-out, second factor, password, e-mail, staff
    powers, refusal), written once and never changed; `prune_security_events` removes old ones.
    Never holds a password, code, token or session id."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=40, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        # The admin list's event filter, in the list's order (issue 14).
        indexes = [models.Index(fields=["event", "-at"], name="security_event_event_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event}"


class AccountLinkQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class AccountLink(models.Model):
    """A one-time link e-mailed to an account's own address: the first second-factor enrolment
    of a staff account, or signing in from a browser whose address is locked out after failed
    attempts. Only the SHA-256 of the token is stored (the token is 256 random bits, so a
    plain hash cannot be reversed); a link is used at most once (compare-and-set on `used_at`)
    and dies at `expires_at`. Issuing a new link of a kind deletes the account's older ones."""

    class Purpose(models.TextChoices):
        STAFF_ENROLMENT = "staff_enrolment", _("staff second-factor enrolment")
        LOGIN_UNLOCK = "login_unlock", _("sign-in unlock")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = AccountLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-time account link")
        verbose_name_plural = _("one-time account links")
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d %H:%M})"

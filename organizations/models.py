"""The shared registry: who collaborates (actor types, organisations, members), where
(districts), and how (the guideline's taxonomy and the catalogue of collaboration projects)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year_label, validate_name
from muroran_kyodo.lib.models import StatusChange, status_fields

# Staff holding this permission (地域生活課, migration 0003) run the registry.
REGISTRY_PERMISSION = "organizations.change_organization"


class LabelledMixin(models.Model):
    """Reference data named in Japanese (the guideline's words) with an English label."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name


# --- Reference data from the guideline (loaded by data migrations, editable by staff) ------


class ActorType(LabelledMixin):
    """協働の主体: the six actors of chapter 1."""

    class Code(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual resident")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association")
        NPO = "npo", _("Civic group (NPO)")
        UNIVERSITY = "university", _("University or school")
        BUSINESS = "business", _("Company or business group")
        GOVERNMENT = "government", _("Government")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    definition = models.TextField(_("definition"))
    is_organisation = models.BooleanField(
        _("organisations of this type can register"),
        default=True,
        help_text=_("Off for individual residents, who take part as themselves."),
    )

    class Meta(LabelledMixin.Meta):
        verbose_name = _("actor type")
        verbose_name_plural = _("actor types")


class District(models.Model):
    """A town (町名) of Muroran."""

    name = models.CharField(_("town name"), max_length=50, unique=True)
    kana = models.CharField(_("reading"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "kana"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class ActivityField(LabelledMixin):
    """活動分野: what an organisation works on."""

    class Meta(LabelledMixin.Meta):
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")


class CollaborationLead(LabelledMixin):
    """Who leads: 市民主導, 協力・連携, 行政主導."""

    code = models.SlugField(_("code"), unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta(LabelledMixin.Meta):
        verbose_name = _("collaboration lead")
        verbose_name_plural = _("collaboration leads")


class CollaborationForm(LabelledMixin):
    """協働の形態: the eight forms of the guideline's table."""

    lead = models.ForeignKey(
        CollaborationLead, on_delete=models.PROTECT, related_name="forms", verbose_name=_("lead")
    )
    code = models.SlugField(_("code"), unique=True)
    description = models.TextField(_("how it works (city and residents)"))
    examples = models.TextField(_("examples in Muroran"))

    class Meta(LabelledMixin.Meta):
        verbose_name = _("collaboration form")
        verbose_name_plural = _("collaboration forms")


class Principle(LabelledMixin):
    """協働の基本原則 (seven)."""

    description = models.TextField(_("content"))

    class Meta(LabelledMixin.Meta):
        verbose_name = _("principle")
        verbose_name_plural = _("principles")


class SupportSphere(LabelledMixin):
    """自助・共助・公助."""

    description = models.TextField(_("description"))

    class Meta(LabelledMixin.Meta):
        verbose_name = _("self-help / mutual help / public help")
        verbose_name_plural = _("self-help / mutual help / public help")


class Pillar(LabelledMixin):
    """The three pillars (3つの柱) of chapter 3."""

    motto = models.CharField(_("motto"), max_length=100)
    description = models.TextField(_("description"))

    class Meta(LabelledMixin.Meta):
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")


class Policy(LabelledMixin):
    """The five policies (5つの方針) of chapter 3, with their concrete initiatives."""

    description = models.TextField(_("description"))
    initiatives = models.TextField(_("concrete initiatives"), help_text=_("One per line."))

    class Meta(LabelledMixin.Meta):
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def initiative_list(self) -> list[str]:
        return [line.strip() for line in self.initiatives.splitlines() if line.strip()]


# --- Organisations ---------------------------------------------------------------------------


class OrganizationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Organization.Status.VERIFIED)

    def for_directory(self):
        """Verified organisations with what the directory shows, in a fixed number of queries."""
        return (
            self.verified()
            .select_related("actor_type", "district")
            .prefetch_related("fields")
            .order_by("name_kana", "pk")
        )

    def search(self, text: str):
        q = Q()
        for word in text.split():
            q &= (
                Q(name__icontains=word)
                | Q(name_kana__icontains=word)
                | Q(description__icontains=word)
            )
        return self.filter(q)

    def of_member(self, user):
        """Organisations the user belongs to (any role)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def visible_to(self, user):
        """What a user may open: verified ones, plus their own at any state; the registry's
        staff see all (organizations.permissions.can_verify)."""
        from accounts.permissions import staff_with_permission

        if staff_with_permission(user, REGISTRY_PERMISSION):
            return self.all()
        if user.is_authenticated:
            return self.filter(
                Q(status=Organization.Status.VERIFIED) | Q(memberships__user=user)
            ).distinct()
        return self.verified()


class Organization(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned for changes")

    name = models.CharField(_("organisation name"), max_length=200, validators=[validate_name])
    name_kana = models.CharField(_("name reading (katakana)"), max_length=200)
    actor_type = models.ForeignKey(
        ActorType,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("actor type"),
        limit_choices_to={"is_organisation": True},
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("main district"),
    )
    fields = models.ManyToManyField(
        ActivityField,
        blank=True,
        related_name="organizations",
        verbose_name=_("fields of activity"),
    )
    description = models.TextField(_("what the organisation does"))
    founded_year = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    representative_title = models.CharField(
        _("representative's title"),
        max_length=50,
        blank=True,
        help_text=_("For example 会長 or 理事長. The representative's name is not published."),
    )
    public_email = models.EmailField(_("public contact e-mail"), blank=True)
    public_phone = models.CharField(_("public contact phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_note = models.CharField(
        _("how to contact (public)"),
        max_length=200,
        blank=True,
        help_text=_("Shown publicly, for example 市民活動センター気付."),
    )
    status = models.CharField(
        _("verification"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name_kana", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["status", "name_kana"]),
            models.Index(fields=["status", "actor_type"]),
            models.Index(fields=["status", "district"]),
            # The admin list: its order, and the 年度 filter on created_at (issue 14).
            models.Index(fields=["name_kana", "id"], name="organization_name_kana_idx"),
            models.Index(fields=["created_at"], name="organization_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1868),
                name="organization_founded_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:detail", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class OrganizationStatusChange(StatusChange):
    """Audit row for every verification state change: who, when, why."""

    subject = "organization"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status, new_status = status_fields(Organization.Status.choices, max_length=20)

    class Meta(StatusChange.Meta):
        verbose_name = _("verification history")
        verbose_name_plural = _("verification history")


class MembershipQuerySet(models.QuerySet):
    def managers(self):
        return self.filter(role__in=Membership.MANAGING_ROLES)


class Membership(models.Model):
    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        CONTACT = "contact", _("Contact person")
        MEMBER = "member", _("Member")

    MANAGING_ROLES = (Role.REPRESENTATIVE, Role.CONTACT)

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "role", "joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role="representative"),
                name="membership_one_representative",
            ),
        ]

    def __str__(self):
        return f"{self.organization} / {self.user} ({self.get_role_display()})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A 代表者 adds a member by e-mail: the person receives a link and accepts it signed in
    with that address, so nobody is added to a group without knowing, and the form does not
    reveal whether an address has an account."""

    INVITATION_DAYS = 14

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        if not self.expires_at:
            self.expires_at = (self.created_at or timezone.now()) + timedelta(
                days=self.INVITATION_DAYS
            )
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


# --- Collaboration projects (協働事業) -------------------------------------------------------


class CollaborationProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_catalogue(self):
        return (
            self.published()
            .select_related("form__lead")
            .prefetch_related(
                Prefetch(
                    "organizations",
                    queryset=Organization.objects.verified().only("pk", "name"),
                    to_attr="public_organizations",
                )
            )
            .order_by("-fiscal_year", "form__sort_order", "title")
        )

    def for_fiscal_year(self, year: int):
        return self.filter(fiscal_year=year)


class CollaborationProject(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Under way")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=200)
    form = models.ForeignKey(
        CollaborationForm,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("collaboration form"),
    )
    lead_department = models.CharField(_("lead department"), max_length=100)
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="projects",
        verbose_name=_("participating organisations"),
    )
    other_partners = models.CharField(
        _("other partners"),
        max_length=300,
        blank=True,
        help_text=_("Partners not in the registry, as text."),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollaborationProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "title"]
        verbose_name = _("collaboration project")
        verbose_name_plural = _("collaboration projects")
        indexes = [
            models.Index(fields=["is_published", "fiscal_year"]),
            models.Index(fields=["is_published", "form"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000) & Q(fiscal_year__lte=2100),
                name="project_fiscal_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("organizations:project_detail", args=[self.pk])

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

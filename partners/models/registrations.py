"""Registrations of the partner programme: who takes part, in which programme, where and what
they do; their history, volunteer insurance and activity reports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year, fiscal_year_dates, validate_name
from muroran_kyodo.lib.models import Channel as Channel  # re-exported
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import District, Organization

MAX_PEOPLE = 10_000
MAX_BAGS = 10_000


class Programme(models.TextChoices):
    PIKA = "pika", _("Machi Pika partner (clean-up)")
    MAGOKORO = "magokoro", _("Magokoro partner (unpaid help)")
    MAKASETE = "makasete", _("Makasete partner (paid volunteer)")


NUMBER_PREFIX = {Programme.PIKA: "MP", Programme.MAGOKORO: "MG", Programme.MAKASETE: "MK"}
# Rows of places on the registration form (no JavaScript: fixed rows).
PLACES_ON_THE_FORM = 3
# Who is responsible and how to reach them (never public), in the order the forms show them.
PERSON_FIELDS = (
    "contact_name",
    "contact_kana",
    "contact_phone",
    "contact_email",
    "contact_postal_code",
    "contact_address",
)
# The contact of the person responsible: a registered partner keeps it up to date.
CONTACT_FIELDS = [*PERSON_FIELDS, "frequency"]
# Who registers: a person, a family or informal group, or an organisation.
WHO_FIELDS = ("kind", "organization", "group_name", "member_count")
# What a partner may change on a registration the city has not accepted yet.
PARTNER_EDITABLE_FIELDS = (
    *WHO_FIELDS,
    *PERSON_FIELDS,
    "district",
    "frequency",
    "skills",
    "list_publicly",
    "agreed_terms_at",
)


class ActivityKind(models.Model):
    """清掃, 花壇・植栽の手入れ, 除雪, その他 — edited by staff."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")

    def __str__(self):
        return self.name


# Roughly the city of Muroran (室蘭市): a point outside is a typing mistake (a swapped latitude
# and longitude, a point in 登別 or 伊達), refused next to the field.
MURORAN_LATITUDE = (Decimal("42.28"), Decimal("42.48"))
MURORAN_LONGITUDE = (Decimal("140.85"), Decimal("141.10"))


def validate_muroran_latitude(value) -> None:
    low, high = MURORAN_LATITUDE
    if value is not None and not low <= value <= high:
        raise ValidationError(
            _("Enter a latitude within Muroran, between %(low)s and %(high)s."),
            code="outside_muroran",
            params={"low": low, "high": high},
        )


def validate_muroran_longitude(value) -> None:
    low, high = MURORAN_LONGITUDE
    if value is not None and not low <= value <= high:
        raise ValidationError(
            _("Enter a longitude within Muroran, between %(low)s and %(high)s."),
            code="outside_muroran",
            params={"low": low, "high": high},
        )


class ActivityPlaceQuerySet(models.QuerySet):
    def on_the_map(self, programme="pika"):
        """The places the programme page shows, each with `adopted` (a registered partner looks
        after it): places staff entered for nobody yet, and places of registrations the city
        has accepted at some time (a place of an application not yet accepted stays private).
        One query, whatever the number of places."""
        of_place = Registration.objects.filter(places=OuterRef("pk"))
        accepted = of_place.filter(programme=programme, registered_on__isnull=False)
        return (
            self.annotate(adopted=Exists(accepted.filter(status=Registration.Status.REGISTERED)))
            .filter(Exists(accepted) | ~Exists(of_place))
            .select_related("district")
            .order_by("district__sort_order", "district__kana", "description", "pk")
        )


class ActivityPlace(models.Model):
    """活動区域: a road section, park, river bank or beach that partners look after, in words and,
    once staff (or the partner) put it on the map, as a point."""

    class Kind(models.TextChoices):
        ROAD = "road", _("Road or pavement")
        PARK = "park", _("Park or green space")
        RIVER = "river", _("River bank")
        BEACH = "beach", _("Beach or coast")
        OTHER = "other", _("Other public place")

    kind = models.CharField(
        _("kind of place"), max_length=10, choices=Kind.choices, default=Kind.OTHER
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="partner_places",
        verbose_name=_("district"),
    )
    description = models.CharField(
        _("place"),
        max_length=200,
        help_text=_("In words, for example 「輪西町 ○○公園とその周辺の歩道」."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_muroran_latitude],
        help_text=_("For example 42.3425. Click the map to fill in both, or type them."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_muroran_longitude],
        help_text=_("For example 140.9738."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityPlaceQuerySet.as_manager()

    class Meta:
        ordering = ["district__sort_order", "description"]
        verbose_name = _("activity place")
        verbose_name_plural = _("activity places")
        indexes = [models.Index(fields=["district", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    # Explicitly not null: a CHECK lets NULL through, so one coordinate alone
                    # would pass the range test.
                    Q(latitude__isnull=False, longitude__isnull=False)
                    & Q(latitude__gte=-90, latitude__lte=90)
                    & Q(longitude__gte=-180, longitude__lte=180)
                ),
                name="activityplace_point_complete_and_valid",
            )
        ]

    def __str__(self):
        return f"{self.district}　{self.description}"

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError(
                {missing: _("Enter both the latitude and the longitude, or neither.")}
            )

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def counted_people():
    """How many persons a registration counts, in SQL: an individual 1, a group its members.
    Use as Sum(counted_people()) in annotations."""
    return models.Case(
        models.When(kind="individual", then=models.Value(1)),
        default="member_count",
        output_field=models.IntegerField(),
    )


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Registration.Status.REGISTERED)

    def of_user(self, user):
        """Registrations a signed-in person may open: their own as a person or group, and those
        of organisations they manage now (代表者・担当者) — whoever registered an organisation
        loses sight of it when they leave it or stop managing it."""
        if not user.is_authenticated:
            return self.none()
        from organizations.models import Membership

        # Two index scans joined by UNION, not one OR across a join: an OR over the membership
        # join (or over an IN subquery) makes PostgreSQL read every registration and DISTINCT
        # the result; each branch here is an index lookup and the branches cannot overlap.
        own = Registration.objects.filter(user=user, organization__isnull=True)
        managed = Registration.objects.filter(
            organization__in=Membership.objects.filter(
                user=user, role__in=Membership.MANAGING_ROLES
            ).values("organization_id")
        )
        return self.filter(
            pk__in=own.order_by().values("pk").union(managed.order_by().values("pk"), all=True)
        )


class Registration(models.Model):
    """One partner's registration in one programme: an individual, a family or informal
    group, or an organisation of the registry."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Family or informal group")
        ORGANIZATION = "organization", _("Registered organisation")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REGISTERED = "registered", _("Registered")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RETURNED = "returned", _("Returned for changes")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("About once a week or more")
        MONTHLY = "monthly", _("About once a month")
        SEASONAL = "seasonal", _("A few times a year")
        IRREGULAR = "irregular", _("When we can")

    number = models.CharField(_("registration number"), max_length=20, unique=True)
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    kind = models.CharField(_("registering as"), max_length=15, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_registrations",
        verbose_name=_("account"),
        help_text=_("Empty for registrations on paper from someone without an account."),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_registrations",
        verbose_name=_("organisation"),
    )
    group_name = models.CharField(
        _("group name"), max_length=200, blank=True, validators=[validate_name]
    )
    member_count = models.PositiveIntegerField(
        _("number of people"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)],
    )
    # Contact of the person responsible (代表者). Private: staff and the partner only.
    contact_name = models.CharField(
        _("name of the person responsible"), max_length=100, validators=[validate_name]
    )
    contact_kana = models.CharField(_("reading (katakana)"), max_length=200)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    contact_address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="partner_registrations",
        verbose_name=_("district where the partner lives or is based"),
    )
    places = models.ManyToManyField(
        ActivityPlace, blank=True, related_name="registrations", verbose_name=_("activity places")
    )
    activity_kinds = models.ManyToManyField(
        ActivityKind, blank=True, related_name="registrations", verbose_name=_("activities")
    )
    frequency = models.CharField(
        _("usual frequency"), max_length=10, choices=Frequency.choices, blank=True
    )
    skills = models.TextField(
        _("skills, experience and what you would like to help with"), blank=True
    )
    list_publicly = models.BooleanField(
        _("list our group's name on the public page"), default=False
    )
    agreed_terms_at = models.DateTimeField(_("agreed to the programme's terms"), null=True)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("partner registration")
        verbose_name_plural = _("partner registrations")
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["status", "district"]),
            models.Index(fields=["contact_kana"]),
            # The admin list: its order (newest first), the 年度 filter on created_at, and the
            # kind and channel filters in that order (issue 14).
            models.Index(fields=["-created_at", "-id"], name="registration_created_idx"),
            models.Index(fields=["kind", "-created_at"], name="registration_kind_idx"),
            models.Index(fields=["channel", "-created_at"], name="registration_channel_idx"),
        ]
        constraints = [
            # One live registration per person and programme, and per organisation and programme.
            models.UniqueConstraint(
                fields=["programme", "user"],
                condition=Q(user__isnull=False, organization__isnull=True) & ~Q(status="withdrawn"),
                name="registration_one_per_person_and_programme",
            ),
            models.UniqueConstraint(
                fields=["programme", "organization"],
                condition=Q(organization__isnull=False) & ~Q(status="withdrawn"),
                name="registration_one_per_organisation_and_programme",
            ),
            models.CheckConstraint(
                condition=Q(kind="organization", organization__isnull=False)
                | (~Q(kind="organization") & Q(organization__isnull=True)),
                name="registration_organisation_iff_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="individual") | Q(member_count=1),
                name="registration_individual_counts_one",
            ),
            models.CheckConstraint(
                condition=Q(member_count__gte=1) & Q(member_count__lte=MAX_PEOPLE),
                name="registration_member_count_range",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.display_name}"

    def get_absolute_url(self):
        return reverse("partners:registration_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name staff and the partner see (never shown publicly for an individual)."""
        if self.kind == self.Kind.ORGANIZATION and self.organization_id:
            return self.organization.name
        if self.kind == self.Kind.GROUP and self.group_name:
            return self.group_name
        return self.contact_name

    @property
    def public_name(self) -> str | None:
        """The name a public page may show: groups and organisations that agreed, else nothing."""
        if self.kind != self.Kind.INDIVIDUAL and self.list_publicly:
            return self.display_name
        return None

    @property
    def people(self) -> int:
        """How many persons this registration counts: an individual 1, a group its members."""
        return 1 if self.kind == self.Kind.INDIVIDUAL else self.member_count

    @property
    def fiscal_year_registered(self) -> int | None:
        return fiscal_year(self.registered_on) if self.registered_on else None


class RegistrationStatusChange(StatusChange):
    subject = "registration"

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status, new_status = status_fields(Registration.Status.choices, max_length=12)

    class Meta(StatusChange.Meta):
        verbose_name = _("registration history")
        verbose_name_plural = _("registration history")


class InsuranceEnrollment(models.Model):
    """Staff confirmed that the partner is covered by the city's volunteer insurance
    (ボランティア活動保険) for a fiscal year."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="insurance_enrollments"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    insured_people = models.PositiveIntegerField(_("people covered"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        ordering = ["-fiscal_year", "registration"]
        verbose_name = _("volunteer insurance")
        verbose_name_plural = _("volunteer insurance")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "fiscal_year"], name="insurance_once_per_year"
            )
        ]

    def __str__(self):
        return f"{self.registration} {self.fiscal_year}"


class ActivityReportQuerySet(models.QuerySet):
    def for_fiscal_year(self, year: int):
        start, end = fiscal_year_dates(year)
        return self.filter(activity_date__gte=start, activity_date__lte=end)


def report_photo_path(instance, filename):
    # Never the uploader's file name: it may carry personal information.
    import uuid

    return f"private/partners/reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class ActivityReport(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="reports", verbose_name=_("partner")
    )
    activity_date = models.DateField(_("date of the activity"))
    place = models.ForeignKey(
        ActivityPlace,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("place"),
    )
    place_other = models.CharField(_("other place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(
        _("participants"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)]
    )
    burnable_bags = models.PositiveIntegerField(
        _("bags of burnable rubbish"), default=0, validators=[MaxValueValidator(MAX_BAGS)]
    )
    non_burnable_bags = models.PositiveIntegerField(
        _("bags of non-burnable rubbish"), default=0, validators=[MaxValueValidator(MAX_BAGS)]
    )
    notes = models.TextField(_("notes"), blank=True)
    photo = models.FileField(_("photo"), upload_to=report_photo_path, blank=True)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    objects = ActivityReportQuerySet.as_manager()

    class Meta:
        ordering = ["-activity_date", "-pk"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        indexes = [
            models.Index(fields=["registration", "-activity_date"]),
            models.Index(fields=["activity_date"]),
            # The admin list's channel filter, in the list's order (issue 14).
            models.Index(fields=["channel", "-activity_date"], name="report_channel_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1) & Q(participants__lte=MAX_PEOPLE),
                name="report_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(burnable_bags__lte=MAX_BAGS) & Q(non_burnable_bags__lte=MAX_BAGS),
                name="report_bags_range",
            ),
        ]

    def __str__(self):
        return f"{self.registration.number} {self.activity_date}"

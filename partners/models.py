"""行政パートナー制度: まち「ピカ」 partners (clean-ups), まごころ (unpaid help) and まかせて (paid
volunteers) — registrations, the places they look after, and their activity reports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year, fiscal_year_dates
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
# The contact of the person responsible: a registered partner keeps it up to date.
CONTACT_FIELDS = [
    "contact_name",
    "contact_kana",
    "contact_phone",
    "contact_email",
    "contact_postal_code",
    "contact_address",
    "frequency",
]
# What a partner may change on a registration the city has not accepted yet.
PARTNER_EDITABLE_FIELDS = (
    "kind",
    "organization",
    "group_name",
    "member_count",
    "contact_name",
    "contact_kana",
    "contact_phone",
    "contact_email",
    "contact_postal_code",
    "contact_address",
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


class ActivityPlace(models.Model):
    """活動区域: a road section, park, river bank or beach that partners look after."""

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
        _("latitude"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

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

        return self.filter(
            Q(user=user, organization__isnull=True)
            | Q(
                organization__memberships__user=user,
                organization__memberships__role__in=Membership.MANAGING_ROLES,
            )
        ).distinct()


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
    group_name = models.CharField(_("group name"), max_length=200, blank=True)
    member_count = models.PositiveIntegerField(
        _("number of people"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)],
    )
    # Contact of the person responsible (代表者). Private: staff and the partner only.
    contact_name = models.CharField(_("name of the person responsible"), max_length=100)
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


# --- Requests: rubbish pickup (土木課), supplies (環境課), equipment loans (地域生活課) -----------


class Department(models.TextChoices):
    """The city departments that handle partners' requests; each is a staff group."""

    COMMUNITY = "地域生活課", _("Community Life Division")
    CIVIL = "土木課", _("Civil Engineering Division")
    ENVIRONMENT = "環境課", _("Environment Division")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    LENT = "lent", _("Lent out")  # equipment loans only: handed over, not back yet
    DONE = "done", _("Done")  # collected / delivered / returned, depending on the request
    CANCELLED = "cancelled", _("Cancelled")


class PartnerRequest(models.Model):
    """What all three kinds of request share: who asked, when, state and who handled it."""

    DEPARTMENT: Department

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("partner")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    notes = models.TextField(_("notes"), blank=True)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    staff_note = models.CharField(_("staff note"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def department(self) -> Department:
        return self.DEPARTMENT


class PickupRequest(PartnerRequest):
    """回収依頼: bags left after a clean-up, for 土木課 to collect."""

    DEPARTMENT = Department.CIVIL

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    location = models.CharField(_("where the bags are"), max_length=200)
    burnable_bags = models.PositiveIntegerField(
        _("bags of burnable rubbish"), default=0, validators=[MaxValueValidator(MAX_BAGS)]
    )
    non_burnable_bags = models.PositiveIntegerField(
        _("bags of non-burnable rubbish"), default=0, validators=[MaxValueValidator(MAX_BAGS)]
    )
    available_from = models.DateTimeField(_("bags out from"))

    class Meta(PartnerRequest.Meta):
        verbose_name = _("rubbish pickup request")
        verbose_name_plural = _("rubbish pickup requests")
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(burnable_bags__gt=0) | Q(non_burnable_bags__gt=0),
                name="pickup_has_bags",
            ),
            models.CheckConstraint(
                condition=Q(burnable_bags__lte=MAX_BAGS) & Q(non_burnable_bags__lte=MAX_BAGS),
                name="pickup_bags_range",
            ),
        ]

    def __str__(self):
        return f"{self.registration.number} {self.location}"


class SupplyItem(models.Model):
    """ボランティア袋, 軍手, トング… — edited by staff."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="枚")
    max_per_request = models.PositiveIntegerField(_("most per request"), default=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")

    def __str__(self):
        return self.name


class SupplyRequest(PartnerRequest):
    """Supplies (bags, gloves, tongs) for 環境課 to deliver."""

    DEPARTMENT = Department.ENVIRONMENT

    delivery_note = models.CharField(
        _("where to deliver or collect"),
        max_length=200,
        help_text=_("For example 輪西町会館, or 市役所で受け取り."),
    )

    class Meta(PartnerRequest.Meta):
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return f"{self.registration.number} {self.created_at:%Y-%m-%d}"


class SupplyRequestLine(models.Model):
    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        SupplyItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("supply line")
        verbose_name_plural = _("supply lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "item"], name="supply_line_item_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="supply_line_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class Equipment(models.Model):
    """草刈機 and the like, lent by 地域生活課."""

    name = models.CharField(_("name"), max_length=50)
    identifier = models.CharField(_("asset number"), max_length=30, unique=True)
    is_active = models.BooleanField(_("available for loan"), default=True)

    class Meta:
        ordering = ["name", "identifier"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self):
        return f"{self.name}（{self.identifier}）"


class EquipmentLoan(PartnerRequest):
    """A loan: requested, lent out (handed over), then returned (DONE); the return date is
    agreed up front."""

    DEPARTMENT = Department.COMMUNITY

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="loans", verbose_name=_("equipment")
    )
    lend_on = models.DateField(_("lent from"))
    return_by = models.DateField(_("return by"))
    lent_on = models.DateField(_("handed over on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    class Meta(PartnerRequest.Meta):
        verbose_name = _("equipment loan")
        verbose_name_plural = _("equipment loans")
        indexes = [models.Index(fields=["status", "return_by"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_by__gte=models.F("lend_on")), name="loan_return_after_lend"
            ),
        ]

    def __str__(self):
        return f"{self.equipment} → {self.registration.number}"


class RequestStatusChange(models.Model):
    """History of every request's state, whichever kind of request it is."""

    kind = models.CharField(_("request kind"), max_length=20)  # the model name: pickuprequest …
    request_id = models.PositiveBigIntegerField(_("request id"))
    old_status = models.CharField(_("from"), max_length=10, choices=RequestStatus.choices)
    new_status = models.CharField(_("to"), max_length=10, choices=RequestStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "request_id"])]
        verbose_name = _("request history")
        verbose_name_plural = _("request history")

    def __str__(self):
        return f"{self.kind} {self.request_id}: {self.old_status} → {self.new_status}"


# --- まごころ・まかせて opportunities and shifts -------------------------------------------


class OpportunityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open(self):
        """Published, and the sign-up deadline has not passed."""
        return self.published().filter(signup_deadline__gte=timezone.now())


class Opportunity(models.Model):
    """A city project or event that まごころ or まかせて partners can sign up to help with."""

    programme = models.CharField(
        _("programme"),
        max_length=10,
        choices=[
            (Programme.MAGOKORO, Programme.MAGOKORO.label),
            (Programme.MAKASETE, Programme.MAKASETE.label),
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=50)
    description = models.TextField(_("description"))
    place = models.CharField(_("place"), max_length=200)
    signup_deadline = models.DateTimeField(
        _("sign-up deadline"), help_text=_("Inclusive: sign-ups close at this moment.")
    )
    hourly_honorarium = models.PositiveIntegerField(
        _("honorarium per hour (yen)"),
        null=True,
        blank=True,
        help_text=_("まかせて only: the paid volunteers' hourly honorarium, in whole yen."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["signup_deadline", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["is_published", "signup_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(programme="makasete", hourly_honorarium__isnull=False)
                | Q(programme="magokoro", hourly_honorarium__isnull=True),
                name="opportunity_honorarium_only_for_makasete",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.is_published and self.signup_deadline >= timezone.now()


class Shift(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("opportunity")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    slots = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(slots__gte=1), name="shift_has_slots"),
        ]

    def __str__(self):
        return f"{self.opportunity} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Signup(models.Model):
    """A partner on a shift: confirmed, or waiting for a place; attendance and hours after."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="signups", verbose_name=_("shift")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="signups", verbose_name=_("partner")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours worked"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )

    class Meta:
        ordering = ["shift", "created_at", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        indexes = [models.Index(fields=["shift", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "registration"],
                condition=~Q(status="cancelled"),
                name="signup_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="signup_hours_range",
            ),
        ]

    def __str__(self):
        return f"{self.registration.number} @ {self.shift}"

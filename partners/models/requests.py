"""Partners' requests to the city: rubbish pickup (土木課), supplies (環境課), equipment loans
(地域生活課), each with its history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import District

from .registrations import MAX_BAGS, Channel, Registration


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
    """ボランティア袋, 軍手, トング, 草刈機用の混合燃料… — edited by staff. `counted_as` puts what
    is delivered of an item into one of the yearly figures the city reports."""

    class Counted(models.TextChoices):
        NOTHING = "", _("Not counted")
        BURNABLE_BAGS = "bags_burnable", _("Bags for burnable rubbish")
        NON_BURNABLE_BAGS = "bags_non_burnable", _("Bags for non-burnable rubbish")
        FUEL_LITRES = "fuel_litres", _("Fuel for mowers, in litres")

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="枚")
    max_per_request = models.PositiveIntegerField(_("most per request"), default=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    counted_as = models.CharField(
        _("counted in the yearly figures as"),
        max_length=20,
        choices=Counted.choices,
        blank=True,
        default=Counted.NOTHING,
        help_text=_(
            "What is delivered of this item adds to this figure on the 実績 page. Fuel is "
            "counted in litres: give it the unit L."
        ),
    )

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


class RequestStatusChangeBase(StatusChange):
    """The history of one kind of request: a concrete one adds `request`, the foreign key."""

    subject = "request"

    old_status, new_status = status_fields(RequestStatus.choices, max_length=10)

    class Meta(StatusChange.Meta):
        abstract = True


class PickupRequestStatusChange(RequestStatusChangeBase):
    request = models.ForeignKey(
        PickupRequest, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(RequestStatusChangeBase.Meta):
        verbose_name = _("pickup request history")
        verbose_name_plural = _("pickup request history")


class SupplyRequestStatusChange(RequestStatusChangeBase):
    request = models.ForeignKey(
        SupplyRequest, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(RequestStatusChangeBase.Meta):
        verbose_name = _("supply request history")
        verbose_name_plural = _("supply request history")


class EquipmentLoanStatusChange(RequestStatusChangeBase):
    request = models.ForeignKey(
        EquipmentLoan, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(RequestStatusChangeBase.Meta):
        verbose_name = _("equipment loan history")
        verbose_name_plural = _("equipment loan history")


# Each kind of request and its history.
HISTORY_OF = {
    PickupRequest: PickupRequestStatusChange,
    SupplyRequest: SupplyRequestStatusChange,
    EquipmentLoan: EquipmentLoanStatusChange,
}
REQUEST_MODELS = tuple(HISTORY_OF)


# What DONE means for each kind: collected, delivered or returned.
DONE_LABELS = {
    "pickuprequest": _("Collected"),
    "supplyrequest": _("Delivered"),
    "equipmentloan": _("Returned"),
}


def done_label(request_or_model) -> str:
    """What DONE means for this kind: collected, delivered or returned."""
    return str(DONE_LABELS[request_or_model._meta.model_name])


def request_status_label(request) -> str:
    """The request's state as people read it (DONE in the kind's own word)."""
    if request.status == RequestStatus.DONE:
        return done_label(request)
    return str(RequestStatus(request.status).label)


def requests_of(registrations):
    """Every request of these registrations, newest first, as one UNION query of rows
    {kind, pk, registration_id, number, what, status, created_at}."""
    columns = ["kind", "pk", "registration_id", "number", "what", "status", "created_at"]

    def rows(model, what):
        return (
            model.objects.filter(registration__in=registrations)
            .annotate(
                kind=models.Value(model._meta.model_name, output_field=models.CharField()),
                number=models.F("registration__number"),
                what=models.F(what),
            )
            .values(*columns)
            .order_by()
        )

    return (
        rows(PickupRequest, "location")
        .union(rows(SupplyRequest, "delivery_note"), all=True)
        .union(rows(EquipmentLoan, "equipment__name"), all=True)
        .order_by("-created_at", "-pk")
    )


def overlapping_loans(equipment, lend_on, return_by):
    """Loans that hold `equipment` for part of lend_on..return_by: asked for (REQUESTED) or out
    (LENT); a returned (DONE) or cancelled one does not."""
    return EquipmentLoan.objects.filter(
        equipment=equipment,
        status__in=LOAN_HOLDS,
        lend_on__lte=return_by,
        return_by__gte=lend_on,
    )


# A loan holds its equipment for its period while asked for or out.
LOAN_HOLDS = (RequestStatus.REQUESTED, RequestStatus.LENT)

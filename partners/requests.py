"""Partners' requests to the city: rubbish pickups (土木課), supplies (環境課) and equipment loans
(地域生活課). Services, forms, views and routes, in that order. Each department's staff handle
the requests routed to it (the request model's DEPARTMENT is the name of their staff group)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import acts_as_staff
from muroran_kyodo.lib.forms import REASON_REFUSED, posted_reason
from muroran_kyodo.lib.mail import absolute_url, send
from organizations.models import District

from .models import (
    MAX_BAGS,
    Equipment,
    EquipmentLoan,
    PickupRequest,
    Registration,
    RequestStatus,
    RequestStatusChange,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from .permissions import can_act_for

RS = RequestStatus
REQUEST_MODELS = (PickupRequest, SupplyRequest, EquipmentLoan)

# --- services -------------------------------------------------------------------------------

# Per kind of request, (from, to) → who may make the change: "staff" (the request's
# department), or "partner" (the partner, or the department's staff acting for them, e.g. on a
# phone call). A loan is handed over (LENT) before it can be returned (DONE); once the
# equipment is out, only the department can close the loan.
_COLLECTED_OR_DELIVERED = {
    (RS.REQUESTED, RS.DONE): "staff",
    (RS.REQUESTED, RS.CANCELLED): "partner",
}
ALLOWED_TRANSITIONS: dict[str, dict[tuple[str, str], str]] = {
    "pickuprequest": _COLLECTED_OR_DELIVERED,
    "supplyrequest": _COLLECTED_OR_DELIVERED,
    "equipmentloan": {
        (RS.REQUESTED, RS.LENT): "staff",
        (RS.LENT, RS.DONE): "staff",
        (RS.REQUESTED, RS.CANCELLED): "partner",
    },
}
# A loan holds its equipment for its period while asked for or out.
LOAN_HOLDS = (RS.REQUESTED, RS.LENT)


class RequestTransitionError(Exception):
    """The change is not allowed from the request's current status."""


def can_handle(user, request_or_model) -> bool:
    """Staff of the department the request is routed to (the group named like its DEPARTMENT),
    or a superuser. Takes a request or a request model."""
    if not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=request_or_model.DEPARTMENT).exists()


def request_create(*, request, lines=(), by):
    """Save a new pickup request, supply request (with `lines`: unsaved SupplyRequestLine) or
    equipment loan of a registered partner.

    1. `by` acts for the registration (or is staff of the request's department, keying in a
       request that came on paper or by phone), and the registration is 登録;
    2. the kind's rules: bags for a pickup; for supplies at least one line, each of an offered
       item and 1..max_per_request; for a loan return_by >= lend_on and the equipment free for
       the whole period (checked with the Equipment row locked, so two loans cannot race);
    3. save the request and its lines in one transaction, with a history row.
    """
    registration = request.registration
    if not (can_act_for(by, registration) or can_handle(by, request)):
        raise PermissionDenied
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(
            _("Requests can be made once the city has accepted your registration.")
        )
    lines = list(lines)
    if isinstance(request, PickupRequest):
        _check_pickup(request)
    elif isinstance(request, SupplyRequest):
        _check_supply_lines(lines)
    elif isinstance(request, EquipmentLoan):
        if request.return_by < request.lend_on:
            raise ValidationError({"return_by": _("The return date cannot be before the start.")})
    request.status = RS.REQUESTED
    request.created_by = by
    try:
        with transaction.atomic():
            if isinstance(request, EquipmentLoan):
                _check_equipment_free(request)
            request.save()
            for line in lines:
                line.request = request
            SupplyRequestLine.objects.bulk_create(lines)
    except IntegrityError:
        request.pk = None
        raise ValidationError(
            _("The request could not be saved. Check the values and try again.")
        ) from None
    return request


def _check_pickup(pickup):
    bags = (pickup.burnable_bags or 0, pickup.non_burnable_bags or 0)
    if min(bags) < 0 or max(bags) > MAX_BAGS:
        raise ValidationError(
            _("Write a number of bags between 0 and %(max)d.") % {"max": MAX_BAGS}
        )
    if sum(bags) == 0:
        raise ValidationError(_("Write how many bags there are to collect."))


def _check_supply_lines(lines):
    if not lines:
        raise ValidationError(_("Write the quantity of at least one item."))
    seen = set()
    for line in lines:
        item = line.item
        if item.pk in seen:
            raise ValidationError(_("Each item can appear only once in a request."))
        seen.add(item.pk)
        if not item.is_active:
            raise ValidationError(_("%(item)s is no longer offered.") % {"item": item.name})
        if not 1 <= (line.quantity or 0) <= item.max_per_request:
            raise ValidationError(
                _("%(item)s: from 1 to %(max)d %(unit)s per request.")
                % {"item": item.name, "max": item.max_per_request, "unit": item.unit}
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


def _check_equipment_free(loan):
    equipment = Equipment.objects.select_for_update().get(pk=loan.equipment_id)
    if not equipment.is_active:
        raise ValidationError({"equipment": _("This equipment is not available for loan.")})
    if overlapping_loans(equipment, loan.lend_on, loan.return_by).exclude(pk=loan.pk).exists():
        raise ValidationError(
            {
                "equipment": _(
                    "This equipment is already lent for part of these dates. "
                    "Choose other dates or another item."
                )
            }
        )


def request_transition(*, request, new: str, by, reason: str = ""):
    """Change a request's status.

    1. check (old, new) is in ALLOWED_TRANSITIONS and `by` may make it;
    2. compare-and-set the status with handled_by / handled_at (and returned_on for a loan
       marked done), so a concurrent change fails instead of being overwritten;
    3. write the history row (kind = model name, old, new, by, at, reason);
    4. e-mail the partner once the transaction commits.
    """
    old = request.status
    who = ALLOWED_TRANSITIONS[request._meta.model_name].get((old, new))
    if who is None:
        raise RequestTransitionError(
            _("This request cannot go from “%(old)s” to “%(new)s”.")
            % {"old": RS(old).label, "new": RS(new).label if new in RS.values else new}
        )
    if not (
        can_handle(by, request) or (who == "partner" and can_act_for(by, request.registration))
    ):
        raise PermissionDenied
    now = timezone.now()
    changes = {"status": new, "handled_by": by, "handled_at": now}
    if isinstance(request, EquipmentLoan) and new == RS.LENT:
        changes["lent_on"] = timezone.localdate()
    if isinstance(request, EquipmentLoan) and new == RS.DONE:
        changes["returned_on"] = timezone.localdate()
    model = type(request)
    with transaction.atomic():
        if model.objects.filter(pk=request.pk, status=old).update(**changes) != 1:
            raise RequestTransitionError(
                _("Someone else changed this request just now. Reload and try again.")
            )
        RequestStatusChange.objects.create(
            kind=model._meta.model_name,
            request_id=request.pk,
            old_status=old,
            new_status=new,
            by=by,
            at=now,
            reason=reason[:200],
        )
        for field, value in changes.items():
            setattr(request, field, value)
        transaction.on_commit(lambda: email_request_status_changed(request, old=old, reason=reason))
    return request


def request_mark_done(*, request, by, reason=""):
    return request_transition(request=request, new=RS.DONE, by=by, reason=reason)


def request_mark_lent(*, request, by, reason=""):
    """The equipment of a loan is handed over to the partner."""
    return request_transition(request=request, new=RS.LENT, by=by, reason=reason)


def request_cancel(*, request, by, reason=""):
    return request_transition(request=request, new=RS.CANCELLED, by=by, reason=reason)


def done_label(request_or_model) -> str:
    """What DONE means for this kind: collected, delivered or returned."""
    return str(DONE_LABELS[request_or_model._meta.model_name])


DONE_LABELS = {
    "pickuprequest": gettext_lazy("Collected"),
    "supplyrequest": gettext_lazy("Delivered"),
    "equipmentloan": gettext_lazy("Returned"),
}


def email_request_status_changed(request, *, old: str, reason: str) -> None:
    registration = request.registration
    to = registration.contact_email or (registration.user.email if registration.user_id else "")
    status = done_label(request) if request.status == RS.DONE else RS(request.status).label
    send(
        "partners_request_status_changed",
        [to],
        {
            "registration": registration,
            "kind": request._meta.verbose_name,
            "request": request,
            "old": RS(old).label,
            "new": status,
            "reason": reason,
            "url": absolute_url(reverse("partners:request_list", args=[registration.pk])),
        },
    )


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


# --- forms ----------------------------------------------------------------------------------


class PickupRequestForm(forms.ModelForm):
    class Meta:
        model = PickupRequest
        fields = [
            "district",
            "location",
            "burnable_bags",
            "non_burnable_bags",
            "available_from",
            "notes",
        ]
        widgets = {
            "available_from": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.order_by("sort_order", "kana")
        for name in ("burnable_bags", "non_burnable_bags"):
            # An empty box is 0: a pickup of burnable bags only leaves the other empty.
            field = self.fields[name]
            field.required = False
            field.widget.attrs.update({"min": 0, "max": MAX_BAGS, "inputmode": "numeric"})
            field.error_messages["min_value"] = _("Write 0 or more.")
            field.error_messages["max_value"] = _("Write at most %(limit_value)s.")

    def clean_burnable_bags(self):
        return self.cleaned_data.get("burnable_bags") or 0

    def clean_non_burnable_bags(self):
        return self.cleaned_data.get("non_burnable_bags") or 0

    def clean(self):
        cleaned = super().clean()
        burnable, non_burnable = cleaned.get("burnable_bags"), cleaned.get("non_burnable_bags")
        if burnable == 0 and non_burnable == 0:
            self.add_error("burnable_bags", _("Write how many bags there are to collect."))
        return cleaned


class SupplyRequestForm(forms.ModelForm):
    """A quantity box per offered item; an empty box is 0."""

    class Meta:
        model = SupplyRequest
        fields = ["delivery_note", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.unit}）",
                required=False,
                min_value=0,
                max_value=item.max_per_request,
                help_text=_("Up to %(max)d %(unit)s.")
                % {"max": item.max_per_request, "unit": item.unit},
                error_messages={
                    "min_value": _("Write 0 or more."),
                    "max_value": _("Up to %(max)d %(unit)s per request.")
                    % {"max": item.max_per_request, "unit": item.unit},
                    "invalid": _("Write a whole number."),
                },
                widget=forms.NumberInput(attrs={"min": 0, "max": item.max_per_request}),
            )
        # The items first, then where to deliver.
        self.order_fields([f"item_{item.pk}" for item in self.items] + ["delivery_note", "notes"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.lines():
            raise ValidationError(_("Write the quantity of at least one item."))
        return cleaned

    def lines(self) -> list[SupplyRequestLine]:
        return [
            SupplyRequestLine(item=item, quantity=quantity)
            for item in self.items
            if (quantity := self.cleaned_data.get(f"item_{item.pk}") or 0) > 0
        ]


class EquipmentLoanForm(forms.ModelForm):
    class Meta:
        model = EquipmentLoan
        fields = ["equipment", "lend_on", "return_by", "notes"]
        widgets = {
            "lend_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "return_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = Equipment.objects.filter(is_active=True)

    def clean_lend_on(self):
        day = self.cleaned_data["lend_on"]
        if day < timezone.localdate():
            raise ValidationError(_("The start cannot be in the past."))
        return day

    def clean(self):
        cleaned = super().clean()
        lend_on, return_by = cleaned.get("lend_on"), cleaned.get("return_by")
        if lend_on and return_by and return_by < lend_on:
            self.add_error("return_by", _("The return date cannot be before the start."))
        return cleaned


# --- views ----------------------------------------------------------------------------------

# URL word → model; the URL word of each model for links.
KINDS = {"pickup": PickupRequest, "supplies": SupplyRequest, "loan": EquipmentLoan}
KIND_OF_MODEL = {model._meta.model_name: word for word, model in KINDS.items()}
REQUEST_LIST_SIZE = 50
MYPAGE_REQUESTS = 20


def _partner_registration(request, pk):
    """A registration the signed-in person acts for (theirs, their organisation's), else 404.
    Staff key in requests that came on paper or by phone in the admin, not here."""
    return get_object_or_404(
        Registration.objects.of_user(request.user).select_related("organization", "district"),
        pk=pk,
    )


def _request_form(request, pk, *, form_class, title, template, form_kwargs=None, lines=None):
    registration = _partner_registration(request, pk)
    form_kwargs = form_kwargs or {}
    if form_class is PickupRequestForm and request.method != "POST":
        form_kwargs.setdefault("initial", {"district": registration.district_id})
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.registration = registration
        try:
            request_create(request=obj, lines=form.lines() if lines else (), by=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        except PermissionDenied:
            form.add_error(None, _("You cannot make requests for this registration."))
        else:
            messages.success(request, _("Your request was sent to the city."))
            return redirect("partners:request_list", pk=registration.pk)
    return render(
        request,
        template,
        {
            "registration": registration,
            "form": form,
            "title": title,
            "can_request": registration.status == Registration.Status.REGISTERED,
        },
    )


@never_cache
@login_required
def pickup_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=PickupRequestForm,
        title=_("Ask for a rubbish pickup"),
        template="partners/request_form.html",
    )


@never_cache
@login_required
def supplies_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=SupplyRequestForm,
        form_kwargs={"items": SupplyItem.objects.filter(is_active=True)},
        lines=True,
        title=_("Ask for supplies"),
        template="partners/request_form.html",
    )


@never_cache
@login_required
def loan_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=EquipmentLoanForm,
        title=_("Borrow equipment"),
        template="partners/request_form.html",
    )


def with_labels(rows):
    for row in rows:
        row["kind_label"] = KINDS[KIND_OF_MODEL[row["kind"]]]._meta.verbose_name
        row["kind_word"] = KIND_OF_MODEL[row["kind"]]
        row["status_label"] = (
            DONE_LABELS[row["kind"]] if row["status"] == RS.DONE else RS(row["status"]).label
        )
        row["cancellable"] = row["status"] == RS.REQUESTED
    return rows


@never_cache
@login_required
def request_list(request, pk):
    """The registration's requests with their states, newest first, and the three forms."""
    registration = _partner_registration(request, pk)
    rows = with_labels(
        list(requests_of(Registration.objects.filter(pk=registration.pk))[:REQUEST_LIST_SIZE])
    )
    return render(
        request,
        "partners/request_list.html",
        {
            "registration": registration,
            "rows": rows,
            "can_request": registration.status == Registration.Status.REGISTERED,
        },
    )


@require_POST
@login_required
def request_cancel_view(request, pk, kind, request_pk):
    registration = _partner_registration(request, pk)
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=request_pk, registration=registration)
    obj.registration = registration
    reason = posted_reason(request)
    if reason is None:
        messages.error(request, REASON_REFUSED)
        return redirect("partners:request_list", pk=registration.pk)
    try:
        request_cancel(request=obj, by=request.user, reason=reason)
    except (RequestTransitionError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You cannot cancel this request."))
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("partners:request_list", pk=registration.pk)


# --- routes ---------------------------------------------------------------------------------

_base = "partners/registrations/<int:pk>/requests/"
urlpatterns = [
    path(_base, request_list, name="request_list"),
    path(f"{_base}pickup/new/", pickup_new, name="pickup_new"),
    path(f"{_base}supplies/new/", supplies_new, name="supplies_new"),
    path(f"{_base}loan/new/", loan_new, name="loan_new"),
    path(
        f"{_base}<str:kind>/<int:request_pk>/cancel/",
        request_cancel_view,
        name="request_cancel",
    ),
]

"""Registrations on the site: public programme pages, registration (入力 → 確認 →
完了), the partner's own registration page with its status buttons, and the printable
agreement and certificate."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import STEP_INPUT, confirm_flow
from muroran_kyodo.lib.forms import REASON_REFUSED, posted_reason, put_refusal_on_form
from muroran_kyodo.lib.jp import current_fiscal_year, fiscal_year_label
from muroran_kyodo.lib.pagecache import public_page

from .. import services, stats
from ..forms import ContactChangeForm, RegistrationForm
from ..models import ActivityPlace, Opportunity, Programme, Registration
from ..permissions import can_act_for, is_partner_staff

S = Registration.Status
PUBLIC_NAMES_PAGE_SIZE = 50


def own_registration(request, pk):
    """A registration the user may open (theirs, their organisation's; staff: any); else 404."""
    queryset = Registration.objects.select_related("organization", "district", "user")
    if not is_partner_staff(request.user):
        queryset = queryset.of_user(request.user)
    return get_object_or_404(queryset, pk=pk)


# --- Public programme pages -------------------------------------------------------------------


def registered_people_by_programme() -> dict[str, int]:
    """Persons registered (REGISTERED only) per programme. Cached (partners.stats); cold: one
    query."""
    return stats.registered_people_by_programme()


@public_page
def programme_list(request):
    counts = registered_people_by_programme()
    programmes = [{"code": p.value, "label": p.label, "people": counts[p.value]} for p in Programme]
    return render(request, "partners/programme_list.html", {"programmes": programmes})


@public_page
def programme_detail(request, programme):
    programme = Programme(programme)
    public = (
        Registration.objects.active()
        .filter(programme=programme, list_publicly=True)
        .exclude(kind=Registration.Kind.INDIVIDUAL)
        .select_related("organization")
        .only("pk", "kind", "group_name", "list_publicly", "organization", "organization__name")
        .order_by("registered_on", "pk")
    )
    page = Paginator(public, PUBLIC_NAMES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/programme_detail.html",
        {
            "programme": programme,
            "people": registered_people_by_programme()[programme],
            # Persons registered by the district where the partner lives or is based. Cached
            # (partners.stats); cold: one query.
            "by_district": stats.people_by_district(programme),
            "page": page,
            "year_label": fiscal_year_label(current_fiscal_year()),
            "totals": _this_years_activity(programme),
            # まごころ・まかせて: what is open for sign-up now. One query.
            "opportunities": list(
                Opportunity.objects.open()
                .filter(programme=programme)
                .order_by("signup_deadline")[:10]
            )
            if programme != Programme.PIKA
            else [],
            **(_places(programme) if programme == Programme.PIKA else {}),
        },
    )


def _places(programme) -> dict:
    """まち「ピカ」's places for the map and the list under it: those that still need someone
    first, then those a registered partner looks after; the map's points as JSON data (the
    page's script reads them; the list needs no script). One query."""
    places = list(ActivityPlace.objects.on_the_map(programme))
    return {
        "places_needed": [place for place in places if not place.adopted],
        "places_adopted": [place for place in places if place.adopted],
        "map_points": [
            {
                "name": place.description,
                "district": place.district.name,
                "kind": str(place.get_kind_display()),
                "lat": float(place.latitude),
                "lon": float(place.longitude),
                "adopted": place.adopted,
            }
            for place in places
            if place.has_point
        ],
        "map_tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "attribution_url": settings.MAP_TILE_ATTRIBUTION_URL,
        },
    }


@public_page
def programme_terms(request, programme):
    """The programme's terms (規約), public and printable: what the registration form asks the
    partner to agree to, the same text as on the agreement (合意書)."""
    return render(request, "partners/programme_terms.html", {"programme": Programme(programme)})


def _this_years_activity(programme) -> dict:
    """This fiscal year's reports, participants and bags of the programme's partners. Cached
    (partners.stats); cold: one query."""
    return stats.report_totals(current_fiscal_year(), programme)


# --- Registration ----------------------------------------------------------------------------


NOT_A_MANAGER = gettext_lazy(
    "You can register only for a verified organisation in which you are the "
    "representative or a contact person. Ask the organisation's representative."
)


def _saving_through(service, *, by):
    """`save(form)` of the registration flow: the registration the form holds, with its places
    and activities and the moment the terms were agreed, through `service`."""

    def save(form):
        registration = form.save(commit=False)
        registration.agreed_terms_at = timezone.now()
        return service(
            registration=registration,
            places=form.places(),
            activity_kinds=form.cleaned_data.get("activity_kinds") or [],
            by=by,
        )

    return save


def _registration_flow(request, form, *, context, save, done, action):
    """入力 → 確認 → 完了 of the registration form, new or changed: `save(form)` calls the
    service once the rate limit of `action` allows; its refusals go back onto the form with
    everything typed kept; `done(result)` answers once it is saved."""

    def form_again(form):
        return render(
            request,
            "partners/registration_form.html",
            {**context, "form": form, "step": STEP_INPUT},
        )

    def on_submit(form):
        if not ratelimit.hit(request, action):
            form.add_error(None, ratelimit.LIMITED)
            return form_again(form)
        try:
            result = save(form)
        except ValidationError as error:
            put_refusal_on_form(form, error)
        except PermissionDenied:
            form.add_error("organization", NOT_A_MANAGER)
        else:
            return done(result)
        return form_again(form)

    return confirm_flow(
        request,
        form,
        template="partners/registration_form.html",
        confirm_template="partners/registration_confirm.html",
        on_submit=on_submit,
        context=context,
    )


@never_cache
@login_required
def register(request, programme):
    programme = Programme(programme)
    form = RegistrationForm(request.POST or None, programme=programme, user=request.user)

    return _registration_flow(
        request,
        form,
        context={
            "programme": programme,
            "title": _("Register as a %(programme)s") % {"programme": programme.label},
        },
        save=_saving_through(services.registration_create, by=request.user),
        done=lambda registration: redirect("partners:registered", pk=registration.pk),
        action="partners.register",
    )


@never_cache
@login_required
def registered(request, pk):
    registration = own_registration(request, pk)
    return render(request, "partners/registration_registered.html", {"registration": registration})


# --- The partner's registration -----------------------------------------------------------------

# Each button names its transition; a name maps to one named function, never to a status.
ACTIONS = {
    "approve": services.registration_approve,
    "return": services.registration_return,
    "resubmit": services.registration_resubmit,
    "suspend": services.registration_suspend,
    "resume": services.registration_resume,
    "withdraw": services.registration_withdraw,
}
# The button offered for each change the user may make now: (from, to) → (name, label).
BUTTONS = {
    (S.APPLIED, S.REGISTERED): ("approve", gettext_lazy("Approve")),
    (S.APPLIED, S.RETURNED): ("return", gettext_lazy("Return for changes")),
    (S.RETURNED, S.APPLIED): ("resubmit", gettext_lazy("Submit again")),
    (S.REGISTERED, S.SUSPENDED): ("suspend", gettext_lazy("Pause the activity (suspend)")),
    (S.SUSPENDED, S.REGISTERED): ("resume", gettext_lazy("Resume the activity")),
}
WITHDRAW_BUTTON = ("withdraw", gettext_lazy("Withdraw from the programme"))
# Each action's heading and what happens when it is taken (includes/action_form.html).
CONSEQUENCES = {
    "approve": (
        gettext_lazy("Approve the registration"),
        gettext_lazy("The registration becomes active and the partner receives an e-mail."),
    ),
    "return": (
        gettext_lazy("Return the registration for changes"),
        gettext_lazy("The partner is asked to change the registration; write what to change."),
    ),
    "resubmit": (
        gettext_lazy("Submit the registration again"),
        gettext_lazy("The city checks the registration again and writes to you."),
    ),
    "suspend": (
        gettext_lazy("Pause the activity"),
        gettext_lazy(
            "Activity reports and requests to the city pause. The registration stays, and you "
            "can resume at any time on this page."
        ),
    ),
    "resume": (
        gettext_lazy("Resume the activity"),
        gettext_lazy("You can file activity reports and make requests to the city again."),
    ),
    "withdraw": (
        gettext_lazy("Withdraw from the programme"),
        gettext_lazy(
            "This ends the registration. It cannot be undone online: to take part again, "
            "register anew."
        ),
    ),
}


def _actions(registration, user):
    actions = []
    for target in services.REGISTRATION.targets(registration, user):
        name, label = BUTTONS.get((registration.status, target), WITHDRAW_BUTTON)
        heading, consequence = CONSEQUENCES[name]
        actions.append(
            {
                "name": name,
                "label": label,
                "heading": heading,
                "consequence": consequence,
                "danger": target == S.WITHDRAWN,
                "reason_required": target in services.REASON_REQUIRED,
            }
        )
    return actions


@never_cache
@login_required
def registration_detail(request, pk):
    registration = own_registration(request, pk)
    return render(
        request,
        "partners/registration_detail.html",
        {
            "registration": registration,
            "places": registration.places.select_related("district"),
            "kinds": registration.activity_kinds.all(),
            "history": list(registration.status_changes.select_related("by")[:20]),
            "actions": _actions(registration, request.user),
            "editable": registration.status in services.EDITABLE_STATUSES
            and can_act_for(request.user, registration),
            "contact_editable": registration.status in services.CONTACT_EDITABLE_STATUSES
            and can_act_for(request.user, registration),
            "printable": _printable(registration),
        },
    )


@never_cache
@login_required
def registration_edit(request, pk):
    """The partner changes a registration the city has not accepted yet (申請中) or has
    returned for changes (差戻し): the same form and confirmation as the registration; a
    returned one is submitted again with the changes."""
    registration = own_registration(request, pk)
    if not can_act_for(request.user, registration):
        raise PermissionDenied
    if registration.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            _(
                "This registration can no longer be changed here. To change your places or "
                "contact details, ask the Community Life Division."
            ),
        )
        return redirect(registration)
    programme = Programme(registration.programme)
    form = RegistrationForm(
        request.POST or None, programme=programme, user=request.user, instance=registration
    )
    context = {
        "programme": programme,
        "registration": registration,
        "editing": True,
        "title": _("Change the registration %(number)s") % {"number": registration.number},
    }

    def done(_registration):
        messages.success(
            request, _("Your changes are saved. The city will check the registration again.")
        )
        return redirect("partners:registration_detail", pk=pk)

    try:
        return _registration_flow(
            request,
            form,
            context=context,
            save=_saving_through(services.registration_update, by=request.user),
            done=done,
            action="partners.edit",
        )
    except services.TransitionError as error:  # accepted or withdrawn in the meantime
        messages.error(request, str(error))
        return redirect("partners:registration_detail", pk=pk)


@never_cache
@login_required
def contact_edit(request, pk):
    """A registered (or paused) partner updates the contact of the person responsible."""
    registration = own_registration(request, pk)
    if not can_act_for(request.user, registration):
        raise PermissionDenied
    if registration.status not in services.CONTACT_EDITABLE_STATUSES:
        return redirect("partners:registration_edit", pk=pk)
    form = ContactChangeForm(request.POST or None, instance=registration)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_contact_update(registration=form.instance, by=request.user)
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your contact details are saved."))
        return redirect("partners:registration_detail", pk=pk)
    return render(
        request,
        "partners/registration_contact_form.html",
        {"registration": registration, "form": form},
    )


@require_POST
@login_required
def registration_status(request, pk):
    """One of the status buttons: its name calls its named transition."""
    registration = own_registration(request, pk)
    transition = ACTIONS.get(request.POST.get("action", ""))
    if transition is None:
        messages.error(request, _("Choose one of the buttons on this page."))
        return redirect(registration)
    reason = posted_reason(request)
    if reason is None:
        messages.error(request, REASON_REFUSED)
        return redirect(registration)
    # Each change e-mails the partner: pausing and resuming in a loop must not flood them.
    # The programme's staff deciding on registrations are not counted.
    if not is_partner_staff(request.user) and not ratelimit.hit(request, "partners.status"):
        messages.error(request, ratelimit.LIMITED)
        return redirect(registration)
    try:
        transition(registration=registration, by=request.user, reason=reason)
    except (services.TransitionError, PermissionDenied) as error:
        messages.error(
            request,
            str(error) or _("You cannot make this change. Ask the Community Life Division."),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The registration is now “%(status)s”. We sent you an e-mail.")
            % {"status": registration.get_status_display()},
        )
    return redirect(registration)


def _printable(registration) -> bool:
    return registration.status in (S.REGISTERED, S.SUSPENDED) and bool(registration.registered_on)


@never_cache
@login_required
def certificate(request, pk):
    """The agreement (合意書) and certificate (認定書), to print: once the city has accepted the
    registration, and while it is active or paused."""
    registration = own_registration(request, pk)
    if not _printable(registration):
        raise Http404
    return render(
        request,
        "partners/registration_certificate.html",
        {
            "registration": registration,
            "places": registration.places.select_related("district"),
            "fiscal_year": fiscal_year_label(registration.fiscal_year_registered),
            "back_url": registration.get_absolute_url(),
            "back_label": _("Back to the registration"),
        },
    )

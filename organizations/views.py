from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import STEP_INPUT, confirm_flow
from muroran_kyodo.lib.pagecache import public_page
from muroran_kyodo.lib.printing import render_receipt

from . import receipts, services
from .forms import DirectoryFilterForm, InviteForm, OrganizationForm, ProjectFilterForm
from .models import (
    CollaborationProject,
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from .permissions import can_manage_members, can_verify, membership_of

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@public_page
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    organizations = Organization.objects.for_directory()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            organizations = organizations.search(data["q"])
        if data["type"]:
            organizations = organizations.filter(actor_type=data["type"])
        if data["district"]:
            organizations = organizations.filter(district=data["district"])
        if data["field"]:
            organizations = organizations.filter(fields=data["field"])
    page = _page(request, organizations)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/organization_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@public_page
def detail(request, pk):
    organization = get_object_or_404(
        Organization.objects.visible_to(request.user)
        .select_related("actor_type", "district")
        .prefetch_related(
            "fields",
            Prefetch(
                "projects",
                queryset=CollaborationProject.objects.published().select_related("form__lead"),
            ),
        ),
        pk=pk,
    )
    return render(
        request,
        "organizations/organization_detail.html",
        {"organization": organization, "membership": membership_of(request.user, organization)},
    )


def _register_done(request, organization):
    return redirect("organizations:registered", pk=organization.pk)


@never_cache
@login_required
def register(request):
    form = OrganizationForm(request.POST or None)
    context = {"title": _("Register an organisation")}

    def on_submit(form):
        if not ratelimit.hit(request, "organizations.register"):
            form.add_error(None, ratelimit.LIMITED)
            return render(
                request,
                "organizations/organization_form.html",
                {**context, "form": form, "step": STEP_INPUT},
            )
        organization = services.organization_register(form=form, by=request.user)
        return _register_done(request, organization)

    return confirm_flow(
        request,
        form,
        template="organizations/organization_form.html",
        confirm_template="organizations/organization_confirm.html",
        on_submit=on_submit,
        context=context,
    )


def _own_organization(request, pk):
    """An organisation the user belongs to (staff: any). Anyone else gets 404."""
    queryset = Organization.objects.select_related("actor_type", "district")
    if not can_verify(request.user):
        queryset = queryset.of_member(request.user)
    return get_object_or_404(queryset, pk=pk)


def _can_print_receipt(request, organization) -> bool:
    return can_manage_members(request.user, organization) or can_verify(request.user)


@never_cache
@login_required
def registered(request, pk):
    organization = _own_organization(request, pk)
    return render(
        request,
        "organizations/organization_registered.html",
        {
            "organization": organization,
            "can_print_receipt": _can_print_receipt(request, organization),
        },
    )


@never_cache
@login_required
def manage(request, pk, invite_form=None):
    organization = _own_organization(request, pk)
    manager = can_manage_members(request.user, organization)
    context = {
        "organization": organization,
        "membership": membership_of(request.user, organization),
        "can_manage": manager,
        "can_print_receipt": _can_print_receipt(request, organization),
        "members": Membership.objects.filter(organization=organization).select_related("user"),
        # A list, so that the template's "latest change" (history.0) costs no query of its own.
        "history": list(
            OrganizationStatusChange.objects.filter(organization=organization).select_related("by")[
                :20
            ]
        ),
        "invitations": Invitation.objects.open().filter(organization=organization)
        if manager
        else [],
        "invite_form": invite_form or (InviteForm() if manager else None),
    }
    return render(request, "organizations/organization_manage.html", context)


@never_cache
@require_safe
@login_required
def receipt(request, pk):
    """受付票 of the registration: the 代表者・担当者 and the registry's staff; a plain 会員
    and anyone else get 404."""
    organization = get_object_or_404(
        Organization.objects.select_related("actor_type", "district").prefetch_related("fields"),
        pk=pk,
    )
    if can_manage_members(request.user, organization):
        back_url = reverse("organizations:manage", args=[organization.pk])
    elif can_verify(request.user):
        back_url = reverse("admin:organizations_organization_change", args=[organization.pk])
    else:
        raise Http404
    return render_receipt(request, receipts.registration_receipt(organization, back_url=back_url))


@never_cache
@login_required
def edit(request, pk):
    organization = _own_organization(request, pk)
    if not can_manage_members(request.user, organization):
        raise Http404
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_update(form=form, by=request.user)
        if organization.status == Organization.Status.PENDING:
            messages.success(
                request, _("Saved. The city will check the organisation again before it is listed.")
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("organizations:manage", pk=organization.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {
            "form": form,
            "organization": organization,
            "title": _("Edit the organisation"),
            "step": "edit",
        },
    )


@require_POST
@login_required
def invite(request, pk):
    organization = _own_organization(request, pk)
    if not can_manage_members(request.user, organization):
        raise Http404
    form = InviteForm(request.POST)
    if form.is_valid():
        # Each invitation e-mails an address typed by the group: counted per account and per
        # address invited, so that nobody can use the portal's sender to flood a mailbox.
        if not ratelimit.hit(request, "organizations.invite", email=form.cleaned_data["email"]):
            form.add_error(None, ratelimit.LIMITED)
            return manage(request, pk, invite_form=form)
        try:
            services.member_invite(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. They join when they accept it.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("organizations:manage", pk=organization.pk)
    return manage(request, pk, invite_form=form)


@require_POST
@login_required
def invitation_revoke(request, pk, invitation_pk):
    organization = _own_organization(request, pk)
    invitation = get_object_or_404(Invitation, organization=organization, pk=invitation_pk)
    if not can_manage_members(request.user, organization):
        raise Http404
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("organizations:manage", pk=organization.pk)


@require_POST
@login_required
def member_remove(request, pk, membership_pk):
    organization = _own_organization(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        organization=organization,
        pk=membership_pk,
    )
    if membership.user_id != request.user.pk and not can_manage_members(request.user, organization):
        raise Http404
    try:
        services.member_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organizations:manage", pk=organization.pk)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You left %(name)s.") % {"name": organization.name})
        return redirect("mypage")
    messages.success(request, _("The member was removed."))
    return redirect("organizations:manage", pk=organization.pk)


@never_cache
@login_required
def invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), token=token)
    addressed_to_user = request.user.email.lower() == invitation.email.lower()
    if request.method == "POST" and addressed_to_user:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("You joined %(name)s.") % {"name": invitation.organization.name}
            )
            return redirect("organizations:manage", pk=invitation.organization_id)
    return render(
        request,
        "organizations/invitation_detail.html",
        {"invitation": invitation, "addressed_to_user": addressed_to_user},
    )


# --- Collaboration projects ------------------------------------------------------------------


@public_page
def project_list(request):
    years = (
        CollaborationProject.objects.published()
        .order_by()
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    form = ProjectFilterForm(request.GET or None, years=years)
    projects = CollaborationProject.objects.for_catalogue()
    if form.is_valid():
        data = form.cleaned_data
        if data["lead"]:
            projects = projects.filter(form__lead=data["lead"])
        if data["form"]:
            projects = projects.filter(form=data["form"])
        if data["year"]:
            projects = projects.for_fiscal_year(data["year"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/collaborationproject_list.html",
        {"form": form, "page": _page(request, projects), "query": query.urlencode()},
    )


@public_page
def project_detail(request, pk):
    project = get_object_or_404(CollaborationProject.objects.for_catalogue(), pk=pk)
    return render(request, "organizations/collaborationproject_detail.html", {"project": project})

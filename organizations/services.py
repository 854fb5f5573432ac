"""Write paths of the registry. Views, admin actions and commands call these; nothing else
changes an organisation's verification state or its members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.mail import ListOfLabels, site_language_text
from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from . import emails
from .models import (
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from .permissions import can_manage_members, can_verify

if TYPE_CHECKING:
    from django import forms

    from muroran_kyodo.lib.typing import User, UserLike

S = Organization.Status

# Which verification changes are allowed, and who may make them.
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, S.VERIFIED): "staff",
    (S.PENDING, S.RETURNED): "staff",
    (S.VERIFIED, S.RETURNED): "staff",
    (S.RETURNED, S.PENDING): "manager",
    # A verified group that changes its name or type is checked again.
    (S.VERIFIED, S.PENDING): "manager",
}


def _may(user: UserLike, organization: Organization, who: str) -> bool:
    return can_verify(user) or (who == "manager" and can_manage_members(user, organization))


def _notify(organization: Organization, *, old: str, reason: str) -> None:
    emails.status_changed(organization, old=old, reason=reason)


WORKFLOW = Workflow(
    model=Organization,
    history=OrganizationStatusChange,
    allowed=ALLOWED_TRANSITIONS,
    may=_may,
    notify=_notify,
    reason_required={S.RETURNED},
    not_allowed=gettext_lazy("This organisation cannot go from “%(old)s” to “%(new)s”."),
    changed_meanwhile=gettext_lazy(
        "Someone else changed this organisation just now. Reload and try again."
    ),
    reason_missing=gettext_lazy("Write the reason, so the group knows what to fix."),
)


def _transition(
    *, organization: Organization, new: str, by: UserLike, reason: str = ""
) -> Organization:
    return WORKFLOW.apply(
        organization, new=new, by=by, reason=reason, changes={"updated_at": timezone.now()}
    )


def organization_verify(
    *, organization: Organization, by: UserLike, reason: str = ""
) -> Organization:
    return _transition(organization=organization, new=S.VERIFIED, by=by, reason=reason)


def organization_return(*, organization: Organization, by: UserLike, reason: str) -> Organization:
    return _transition(organization=organization, new=S.RETURNED, by=by, reason=reason)


def organization_resubmit(
    *, organization: Organization, by: UserLike, reason: str = ""
) -> Organization:
    return _transition(organization=organization, new=S.PENDING, by=by, reason=reason)


@transaction.atomic
def organization_register(*, form: forms.ModelForm[Organization], by: User) -> Organization:
    """A signed-in resident registers a group: saved as 申請中, with them as its 代表者."""
    organization = form.save(commit=False)
    organization.status = S.PENDING
    organization.save()
    form.save_m2m()
    Membership.objects.create(
        organization=organization, user=by, role=Membership.Role.REPRESENTATIVE
    )
    WORKFLOW.record_history(
        organization,
        old="",
        new=S.PENDING,
        by=by,
        reason=site_language_text(gettext_lazy("Registered on the portal")),
    )
    emails.registered(organization, by)
    return organization


# Changing one of these on a verified organisation sends it back for a new check.
RECHECK_FIELDS = ("name", "actor_type")


@transaction.atomic
def organization_update(*, form: forms.ModelForm[Organization], by: UserLike) -> Organization:
    """Save a manager's edit. A name or type change of a verified group is checked again;
    an edit of a returned group resubmits it."""
    organization = form.instance
    if not (can_manage_members(by, organization) or can_verify(by)):
        raise PermissionDenied
    was = Organization.objects.select_for_update().get(pk=organization.pk).status
    organization.status = was  # never let a stale copy of the status be written back
    organization = form.save()
    recheck = [f for f in RECHECK_FIELDS if f in form.changed_data]
    if was == S.VERIFIED and recheck:
        _transition(
            organization=organization,
            new=S.PENDING,
            by=by,
            reason=site_language_text(
                gettext_lazy("Changed: %(fields)s"),
                fields=ListOfLabels(form.fields[f].label for f in recheck),
            ),
        )
    elif was == S.RETURNED:
        _transition(
            organization=organization,
            new=S.PENDING,
            by=by,
            reason=site_language_text(gettext_lazy("Edited and resubmitted")),
        )
    return organization


# --- Members ---------------------------------------------------------------------------------


def member_invite(*, organization: Organization, email: str, role: str, by: User) -> Invitation:
    """Send an invitation to an e-mail address. The answer is the same whether or not the
    address has an account, so the form tells nobody who is registered."""
    if not can_manage_members(by, organization):
        raise PermissionDenied
    email = email.strip().lower()  # as the form does, so the one-open-invitation rule holds
    if role == Membership.Role.REPRESENTATIVE:
        raise ValidationError(
            {"role": _("An organisation has one representative; choose another role.")}
        )
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    try:
        with transaction.atomic():
            # An expired invitation still counts as unanswered for the one-open-invitation
            # constraint; close it so that the address can be invited again.
            now = timezone.now()
            Invitation.objects.filter(
                organization=organization,
                email__iexact=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__lte=now,
            ).update(revoked_at=now)
            invitation = Invitation.objects.create(
                organization=organization, email=email, role=role, invited_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"email": _("An invitation to this address is already waiting for an answer.")}
        ) from None
    emails.invitation(invitation)
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Accept an invitation, signed in with the address it was sent to."""
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError(_("This invitation has expired or was already used."))
        membership, _created = Membership.objects.get_or_create(
            organization_id=locked.organization_id, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return membership


def invitation_revoke(*, invitation: Invitation, by: UserLike) -> None:
    if not can_manage_members(by, invitation.organization):
        raise PermissionDenied
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def member_remove(*, membership: Membership, by: UserLike) -> None:
    """A manager removes someone; the representative cannot be removed (staff hand the role
    over in the admin), and anyone may leave except the representative."""
    organization = membership.organization
    if membership.user_id != by.pk and not can_manage_members(by, organization):
        raise PermissionDenied
    if membership.role == Membership.Role.REPRESENTATIVE:
        raise ValidationError(
            _(
                "The representative cannot be removed. Ask the city to hand the role to someone else first."
            )
        )
    membership.delete()
    emails.member_removed(organization, membership.user)

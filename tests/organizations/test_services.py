"""Write paths of the registry: every allowed verification change and every refusal, the
audit row, the e-mail after commit, compare-and-set, and the member workflow."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organizations import services
from organizations.forms import OrganizationForm
from organizations.models import (
    ActorType,
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from organizations.services import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db

S = Organization.Status


def _history(organization):
    return list(
        OrganizationStatusChange.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("old_status", "new_status", "by", "reason")
    )


def _status(organization):
    return Organization.objects.get(pk=organization.pk).status


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def pending(representative):
    return factories.make_organization(
        name="申請中の会", status=S.PENDING, representative=representative
    )


@pytest.fixture
def returned(representative):
    return factories.make_organization(
        name="差戻しの会", status=S.RETURNED, representative=representative
    )


@pytest.fixture
def contact(organization):
    user = factories.make_user("contact@example.jp")
    factories.add_member(organization, user, Membership.Role.CONTACT)
    return user


# --- allowed transitions ----------------------------------------------------------------------


def test_staff_verify_a_pending_organisation(
    pending, staff, representative, django_capture_on_commit_callbacks
):
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        services.organization_verify(organization=pending, by=staff)

    pending.refresh_from_db()
    assert pending.status == S.VERIFIED
    assert pending.status_changed_at >= before
    assert _history(pending) == [(S.PENDING, S.VERIFIED, staff.pk, "")]
    assert _recipients() == [representative.email]


def test_staff_return_a_pending_organisation_with_a_reason(
    pending, staff, representative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_return(
            organization=pending, by=staff, reason="活動内容を詳しく書いてください。"
        )

    assert _status(pending) == S.RETURNED
    assert _history(pending) == [
        (S.PENDING, S.RETURNED, staff.pk, "活動内容を詳しく書いてください。")
    ]
    assert _recipients() == [representative.email]
    assert "活動内容を詳しく書いてください。" in mail.outbox[0].body


def test_staff_return_a_verified_organisation(organization, staff):
    services.organization_return(
        organization=organization, by=staff, reason="解散の連絡がありました。"
    )

    assert _status(organization) == S.RETURNED
    assert _history(organization) == [
        (S.VERIFIED, S.RETURNED, staff.pk, "解散の連絡がありました。")
    ]


def test_representative_resubmits_a_returned_organisation(returned, representative):
    services.organization_resubmit(organization=returned, by=representative)

    assert _status(returned) == S.PENDING
    assert _history(returned) == [(S.RETURNED, S.PENDING, representative.pk, "")]


def test_contact_person_resubmits_a_returned_organisation(returned):
    contact = factories.make_user()
    factories.add_member(returned, contact, Membership.Role.CONTACT)

    services.organization_resubmit(organization=returned, by=contact)

    assert _status(returned) == S.PENDING


def test_staff_may_resubmit_for_a_group_that_sent_changes_on_paper(returned, staff):
    services.organization_resubmit(organization=returned, by=staff, reason="FAXで修正を受領")

    assert _status(returned) == S.PENDING
    assert _history(returned) == [(S.RETURNED, S.PENDING, staff.pk, "FAXで修正を受領")]


def test_manager_can_send_a_verified_organisation_back_for_a_new_check(
    organization, representative
):
    services.organization_resubmit(organization=organization, by=representative)

    assert _status(organization) == S.PENDING
    assert _history(organization) == [(S.VERIFIED, S.PENDING, representative.pk, "")]


def test_notification_goes_to_managers_not_plain_members(
    organization, staff, representative, member, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_return(organization=organization, by=staff, reason="理由")

    assert _recipients() == sorted([representative.email, contact.email])
    assert member.email not in _recipients()


def test_notification_skips_inactive_managers(
    organization, staff, representative, django_capture_on_commit_callbacks
):
    representative.is_active = False
    representative.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.organization_return(organization=organization, by=staff, reason="理由")

    assert mail.outbox == []


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "change", "by_staff"),
    [
        (S.VERIFIED, services.organization_verify, True),
        (S.RETURNED, services.organization_verify, True),
        (S.RETURNED, services.organization_return, True),
        (S.PENDING, services.organization_resubmit, True),
        (S.PENDING, services.organization_resubmit, False),
    ],
    ids=[
        "verified-to-verified",
        "returned-to-verified",
        "returned-to-returned",
        "pending-to-pending-staff",
        "pending-to-pending-manager",
    ],
)
def test_transition_not_in_the_map_is_refused(
    status, change, by_staff, staff, representative, django_capture_on_commit_callbacks
):
    organization = factories.make_organization(status=status, representative=representative)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        change(organization=organization, by=staff if by_staff else representative, reason="理由")

    assert _status(organization) == status
    assert _history(organization) == []
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["member", "representative", "resident", "other_member"])
def test_only_staff_verify(pending, who, request):
    user = request.getfixturevalue(who)
    if who == "member":
        factories.add_member(pending, user)

    with pytest.raises(PermissionDenied):
        services.organization_verify(organization=pending, by=user)

    assert _status(pending) == S.PENDING
    assert _history(pending) == []


def test_member_cannot_verify_own_organisation(other_organization, other_member):
    with pytest.raises(PermissionDenied):
        services.organization_verify(organization=other_organization, by=other_member)

    assert _status(other_organization) == S.PENDING


def test_representative_cannot_return_own_organisation(organization, representative):
    with pytest.raises(PermissionDenied):
        services.organization_return(organization=organization, by=representative, reason="理由")

    assert _status(organization) == S.VERIFIED


@pytest.mark.parametrize("who", ["member", "resident", "other_member"])
def test_plain_members_and_outsiders_cannot_resubmit(returned, who, request):
    user = request.getfixturevalue(who)
    if who == "member":
        factories.add_member(returned, user)

    with pytest.raises(PermissionDenied):
        services.organization_resubmit(organization=returned, by=user)

    assert _status(returned) == S.RETURNED


def test_inactive_staff_cannot_verify(pending, staff):
    staff.is_active = False
    staff.save()

    with pytest.raises(PermissionDenied):
        services.organization_verify(organization=pending, by=staff)


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_returning_needs_a_reason(pending, staff, reason):
    with pytest.raises(ValidationError) as error:
        services.organization_return(organization=pending, by=staff, reason=reason)

    assert "reason" in error.value.message_dict
    assert _status(pending) == S.PENDING
    assert _history(pending) == []


# --- e-mail after commit only -----------------------------------------------------------------


def test_status_email_waits_for_the_commit(pending, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.organization_verify(organization=pending, by=staff)
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_rolled_back_change_sends_no_email_and_leaves_no_trace(
    pending, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.organization_verify(organization=pending, by=staff)
            raise RuntimeError("the caller failed after the change")

    assert callbacks == []
    assert mail.outbox == []
    assert _status(pending) == S.PENDING
    assert _history(pending) == []


# --- compare-and-set --------------------------------------------------------------------------


def test_stale_copy_cannot_verify_after_someone_returned_it(
    pending, staff, django_capture_on_commit_callbacks
):
    stale = Organization.objects.get(pk=pending.pk)
    services.organization_return(organization=pending, by=staff, reason="書類不足")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        services.organization_verify(organization=stale, by=staff)

    assert _status(pending) == S.RETURNED
    assert _history(pending) == [(S.PENDING, S.RETURNED, staff.pk, "書類不足")]
    assert mail.outbox == []


def test_stale_copy_cannot_return_after_someone_verified_it(pending, staff):
    stale = Organization.objects.get(pk=pending.pk)
    services.organization_verify(organization=pending, by=staff)

    with pytest.raises(TransitionError):
        services.organization_return(organization=stale, by=staff, reason="理由")

    assert _status(pending) == S.VERIFIED
    assert len(_history(pending)) == 1


def test_stale_copy_changed_in_database_only(pending, staff):
    Organization.objects.filter(pk=pending.pk).update(status=S.VERIFIED)

    with pytest.raises(TransitionError):
        services.organization_verify(organization=pending, by=staff)

    assert _history(pending) == []


# --- organization_register --------------------------------------------------------------------


def _valid_form(data, instance=None):
    form = OrganizationForm(data, instance=instance)
    assert form.is_valid(), form.errors
    return form


def test_register_makes_the_user_representative_of_a_pending_organisation(
    resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organization = services.organization_register(
            form=_valid_form(factories.organization_form_data()), by=resident
        )

    organization.refresh_from_db()
    assert organization.status == S.PENDING
    assert organization.name == "室蘭港を愛する会"
    assert [f.name for f in organization.fields.all()] == ["環境保全・美化"]
    assert list(organization.memberships.values_list("user", "role")) == [
        (resident.pk, Membership.Role.REPRESENTATIVE)
    ]
    [(old, new, by, reason)] = _history(organization)
    assert (old, new, by) == ("", S.PENDING, resident.pk)
    assert reason
    assert _recipients() == [resident.email]
    assert f"/organizations/{organization.pk}/manage/" in mail.outbox[0].body


def test_register_sends_nothing_before_commit(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.organization_register(
            form=_valid_form(factories.organization_form_data()), by=resident
        )

    assert len(callbacks) == 1
    assert mail.outbox == []


# --- organization_update ----------------------------------------------------------------------


def test_renaming_a_verified_organisation_sends_it_back_for_a_check(
    organization, representative, django_capture_on_commit_callbacks
):
    form = _valid_form(
        factories.organization_edit_data(organization, name="新しい名前の会"), instance=organization
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.organization_update(form=form, by=representative)

    organization.refresh_from_db()
    assert organization.name == "新しい名前の会"
    assert organization.status == S.PENDING
    [(old, new, by, reason)] = _history(organization)
    assert (old, new, by) == (S.VERIFIED, S.PENDING, representative.pk)
    assert reason
    assert _recipients() == [representative.email]


def test_changing_the_type_of_a_verified_organisation_sends_it_back(organization, representative):
    business = ActorType.objects.get(code="business")
    form = _valid_form(
        factories.organization_edit_data(organization, actor_type=business.pk),
        instance=organization,
    )

    services.organization_update(form=form, by=representative)

    organization.refresh_from_db()
    assert organization.actor_type == business
    assert organization.status == S.PENDING
    assert len(_history(organization)) == 1


def test_editing_the_description_keeps_a_verified_organisation_listed(
    organization, representative, django_capture_on_commit_callbacks
):
    form = _valid_form(
        factories.organization_edit_data(organization, description="活動内容を更新しました。"),
        instance=organization,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.organization_update(form=form, by=representative)

    organization.refresh_from_db()
    assert organization.description == "活動内容を更新しました。"
    assert organization.status == S.VERIFIED
    assert _history(organization) == []
    assert mail.outbox == []


def test_editing_a_returned_organisation_resubmits_it(returned, representative):
    form = _valid_form(
        factories.organization_edit_data(returned, description="指摘の点を直しました。"),
        instance=returned,
    )

    services.organization_update(form=form, by=representative)

    returned.refresh_from_db()
    assert returned.description == "指摘の点を直しました。"
    assert returned.status == S.PENDING
    [(old, new, by, _reason)] = _history(returned)
    assert (old, new, by) == (S.RETURNED, S.PENDING, representative.pk)


def test_renaming_a_pending_organisation_keeps_it_pending_without_history(pending, representative):
    form = _valid_form(
        factories.organization_edit_data(pending, name="改名した会"), instance=pending
    )

    services.organization_update(form=form, by=representative)

    pending.refresh_from_db()
    assert pending.name == "改名した会"
    assert pending.status == S.PENDING
    assert _history(pending) == []


def test_edit_from_a_stale_copy_never_writes_the_old_status_back(
    organization, representative, staff
):
    stale = Organization.objects.get(pk=organization.pk)
    services.organization_return(
        organization=organization, by=staff, reason="連絡先を書いてください"
    )
    form = _valid_form(
        factories.organization_edit_data(stale, contact_note="市民活動センター気付"), instance=stale
    )

    services.organization_update(form=form, by=representative)

    organization.refresh_from_db()
    assert organization.contact_note == "市民活動センター気付"
    assert organization.status == S.PENDING  # resubmitted, not silently VERIFIED again
    assert [row[:2] for row in _history(organization)] == [
        (S.VERIFIED, S.RETURNED),
        (S.RETURNED, S.PENDING),
    ]


@pytest.mark.parametrize("who", ["member", "resident", "other_member"])
def test_plain_members_and_outsiders_cannot_update(organization, who, request):
    user = request.getfixturevalue(who)
    form = _valid_form(
        factories.organization_edit_data(organization, name="乗っ取り"), instance=organization
    )

    with pytest.raises(PermissionDenied):
        services.organization_update(form=form, by=user)

    assert Organization.objects.get(pk=organization.pk).name == "輪西まちづくりの会"


def test_staff_may_update_keyed_in_changes(organization, staff):
    form = _valid_form(
        factories.organization_edit_data(organization, member_count="40"), instance=organization
    )

    services.organization_update(form=form, by=staff)

    organization.refresh_from_db()
    assert organization.member_count == 40
    assert organization.status == S.VERIFIED


# --- member_invite ----------------------------------------------------------------------------


def test_representative_invites_by_email(
    organization, representative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.member_invite(
            organization=organization,
            email="newcomer@example.jp",
            role=Membership.Role.CONTACT,
            by=representative,
        )

    invitation.refresh_from_db()
    assert (invitation.organization, invitation.email, invitation.role, invitation.invited_by) == (
        organization,
        "newcomer@example.jp",
        Membership.Role.CONTACT,
        representative,
    )
    assert invitation.is_open
    assert _recipients() == ["newcomer@example.jp"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert not Membership.objects.filter(
        organization=organization, user__email="newcomer@example.jp"
    ).exists()


def test_contact_person_may_invite(organization, contact):
    services.member_invite(
        organization=organization, email="x@example.jp", role=Membership.Role.MEMBER, by=contact
    )

    assert Invitation.objects.filter(organization=organization, email="x@example.jp").exists()


def test_invitation_cannot_make_a_second_representative(organization, representative):
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            organization=organization,
            email="x@example.jp",
            role=Membership.Role.REPRESENTATIVE,
            by=representative,
        )

    assert "role" in error.value.message_dict
    assert not Invitation.objects.exists()


def test_second_open_invitation_to_the_same_address_is_refused(
    organization, representative, django_capture_on_commit_callbacks
):
    services.member_invite(
        organization=organization, email="x@example.jp", role="member", by=representative
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        services.member_invite(
            organization=organization, email="x@example.jp", role="member", by=representative
        )

    assert "email" in error.value.message_dict
    assert Invitation.objects.filter(email="x@example.jp").count() == 1
    assert mail.outbox == []


def test_invitation_address_is_compared_without_case(organization, representative):
    services.member_invite(
        organization=organization, email="x@example.jp", role="member", by=representative
    )

    with pytest.raises(ValidationError) as error:
        services.member_invite(
            organization=organization, email=" X@Example.JP ", role="member", by=representative
        )

    assert "email" in error.value.message_dict
    assert list(Invitation.objects.values_list("email", flat=True)) == ["x@example.jp"]


def test_existing_member_cannot_be_invited_again(organization, representative, member):
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            organization=organization, email=member.email.upper(), role="member", by=representative
        )

    assert "email" in error.value.message_dict
    assert not Invitation.objects.exists()


def test_address_can_be_invited_again_after_the_invitation_expired(organization, representative):
    old = Invitation.objects.create(
        organization=organization,
        email="x@example.jp",
        invited_by=representative,
        created_at=timezone.now() - dt.timedelta(days=30),
    )
    assert not old.is_open

    invitation = services.member_invite(
        organization=organization, email="x@example.jp", role="member", by=representative
    )

    assert invitation.is_open
    assert list(Invitation.objects.open().filter(email="x@example.jp")) == [invitation]


def test_address_can_be_invited_again_after_withdrawal(organization, representative):
    first = services.member_invite(
        organization=organization, email="x@example.jp", role="member", by=representative
    )
    services.invitation_revoke(invitation=first, by=representative)

    second = services.member_invite(
        organization=organization, email="x@example.jp", role="member", by=representative
    )

    assert second.pk != first.pk and second.is_open


@pytest.mark.parametrize("who", ["member", "resident", "other_member", "staff"])
def test_plain_members_and_outsiders_cannot_invite(organization, who, request):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.member_invite(
            organization=organization, email="x@example.jp", role="member", by=user
        )

    assert not Invitation.objects.exists()


# --- invitation_accept ------------------------------------------------------------------------


@pytest.fixture
def invitation(organization, representative):
    return services.member_invite(
        organization=organization,
        email="resident@example.jp",
        role=Membership.Role.CONTACT,
        by=representative,
    )


def test_invited_person_accepts_and_joins_with_the_invited_role(invitation, resident, organization):
    membership = services.invitation_accept(invitation=invitation, user=resident)

    assert (membership.organization, membership.user, membership.role) == (
        organization,
        resident,
        Membership.Role.CONTACT,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert not invitation.is_open


def test_address_match_ignores_case(organization, representative, resident):
    invitation = Invitation.objects.create(
        organization=organization, email="Resident@Example.JP", invited_by=representative
    )

    services.invitation_accept(invitation=invitation, user=resident)

    assert Membership.objects.filter(organization=organization, user=resident).exists()


def test_someone_else_cannot_accept_an_invitation(invitation, other_member, organization):
    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=invitation, user=other_member)

    assert not Membership.objects.filter(organization=organization, user=other_member).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_invitation_cannot_be_accepted(organization, representative, resident):
    invitation = Invitation.objects.create(
        organization=organization,
        email=resident.email,
        invited_by=representative,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )

    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=resident)

    assert not Membership.objects.filter(organization=organization, user=resident).exists()


def test_withdrawn_invitation_cannot_be_accepted(
    invitation, representative, resident, organization
):
    services.invitation_revoke(invitation=invitation, by=representative)

    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=resident)

    assert not Membership.objects.filter(organization=organization, user=resident).exists()


def test_invitation_is_used_once(invitation, resident, organization):
    services.invitation_accept(invitation=invitation, user=resident)

    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=resident)

    assert Membership.objects.filter(organization=organization, user=resident).count() == 1


def test_accepting_keeps_an_existing_membership(invitation, resident, organization):
    factories.add_member(organization, resident, Membership.Role.MEMBER)

    membership = services.invitation_accept(invitation=invitation, user=resident)

    assert Membership.objects.filter(organization=organization, user=resident).count() == 1
    assert membership.role == Membership.Role.MEMBER


# --- invitation_revoke ------------------------------------------------------------------------


def test_representative_withdraws_an_invitation(invitation, representative):
    services.invitation_revoke(invitation=invitation, by=representative)

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not Invitation.objects.open().exists()


@pytest.mark.parametrize("who", ["member", "resident", "other_member"])
def test_plain_members_and_outsiders_cannot_withdraw(invitation, who, request):
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=invitation, by=request.getfixturevalue(who))

    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_accepted_invitation_is_not_withdrawn(invitation, representative, resident):
    services.invitation_accept(invitation=invitation, user=resident)

    services.invitation_revoke(invitation=invitation, by=representative)

    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- member_remove ----------------------------------------------------------------------------


def _membership(organization, user):
    return Membership.objects.get(organization=organization, user=user)


def test_representative_removes_a_member(
    organization, representative, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_remove(membership=_membership(organization, member), by=representative)

    assert not Membership.objects.filter(organization=organization, user=member).exists()
    assert _recipients() == [member.email]


def test_contact_person_removes_a_member(organization, contact, member):
    services.member_remove(membership=_membership(organization, member), by=contact)

    assert not Membership.objects.filter(organization=organization, user=member).exists()


def test_member_can_leave(organization, member):
    services.member_remove(membership=_membership(organization, member), by=member)

    assert not Membership.objects.filter(organization=organization, user=member).exists()


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("representative", ValidationError),
        ("contact", ValidationError),
        ("staff", PermissionDenied),
    ],
)
def test_representative_cannot_be_removed(organization, representative, who, refusal, request):
    by = request.getfixturevalue(who)

    with pytest.raises(refusal):
        services.member_remove(membership=_membership(organization, representative), by=by)

    assert _membership(organization, representative).role == Membership.Role.REPRESENTATIVE


@pytest.mark.parametrize("who", ["resident", "other_member"])
def test_outsider_cannot_remove_a_member(organization, member, who, request):
    with pytest.raises(PermissionDenied):
        services.member_remove(
            membership=_membership(organization, member), by=request.getfixturevalue(who)
        )

    assert Membership.objects.filter(organization=organization, user=member).exists()


def test_plain_member_cannot_remove_another_member(organization, member, resident):
    factories.add_member(organization, resident)

    with pytest.raises(PermissionDenied):
        services.member_remove(membership=_membership(organization, resident), by=member)

    assert Membership.objects.filter(organization=organization, user=resident).exists()


def test_history_reason_is_stored_in_japanese_whatever_language_the_user_reads(resident):
    from django.utils import translation

    with translation.override("en"):
        organization = services.organization_register(
            form=_valid_form(factories.organization_form_data()), by=resident
        )
    reason = OrganizationStatusChange.objects.get(organization=organization).reason
    with translation.override("ja"):
        expected = translation.gettext("Registered on the portal")
    assert reason == expected != "Registered on the portal"

"""The staff side in the Django admin: lists load, the workflow actions call the services, CSV
export, and the verification history stays read-only."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from organizations.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = Organization.Status
CHANGELIST = reverse("admin:organizations_organization_changelist")


@pytest.fixture
def admin_client(staff_client, staff):
    """City staff with the registry's model permissions (the fixed cast's `staff` has none)."""
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="organizations"))
    return staff_client


def _history(organization):
    return list(
        OrganizationStatusChange.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("old_status", "new_status", "by", "reason")
    )


def _status(organization):
    return Organization.objects.get(pk=organization.pk).status


def _action(client, action, organizations, reason="", follow=True):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [o.pk for o in organizations],
            "select_across": "0",
            "index": "0",
            "reason": reason,
        },
        follow=follow,
    )


def _message_levels(response):
    return [m.level_tag for m in response.context["messages"]]


# --- lists and forms load ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "organization",
        "collaborationproject",
        "membership",
        "invitation",
        "organizationstatuschange",
        "district",
        "actortype",
        "collaborationform",
        "collaborationlead",
        "activityfield",
        "principle",
        "supportsphere",
        "pillar",
        "policy",
    ],
)
def test_changelist_loads(admin_client, organization, other_organization, model):
    response = admin_client.get(reverse(f"admin:organizations_{model}_changelist"))

    assert response.status_code == 200


def test_organisation_changelist_lists_every_state(admin_client, organization, other_organization):
    response = admin_client.get(CHANGELIST)

    names = {o.name for o in response.context["cl"].result_list}
    assert names == {"輪西まちづくりの会", "白鳥台ふれあいの会"}


def test_organisation_changelist_filters_by_status_and_searches_by_reading(
    admin_client, organization, other_organization
):
    pending = admin_client.get(CHANGELIST, {"status__exact": "pending"})
    found = admin_client.get(CHANGELIST, {"q": "白鳥台"})

    assert [o.name for o in pending.context["cl"].result_list] == ["白鳥台ふれあいの会"]
    assert [o.name for o in found.context["cl"].result_list] == ["白鳥台ふれあいの会"]


def test_project_and_membership_changelists_show_rows(admin_client, organization, member):
    factories.make_project(title="港まつり実行委員会2026", organizations=[organization])

    projects = admin_client.get(
        reverse("admin:organizations_collaborationproject_changelist"), {"q": "港まつり"}
    )
    memberships = admin_client.get(reverse("admin:organizations_membership_changelist"))

    assert "港まつり実行委員会2026" in {p.title for p in projects.context["cl"].result_list}
    assert {m.user for m in memberships.context["cl"].result_list} >= {member}


def test_organisation_change_page_shows_members_and_history(
    admin_client, other_organization, other_member, history_row
):
    response = admin_client.get(
        reverse("admin:organizations_organization_change", args=[other_organization.pk])
    )

    assert response.status_code == 200
    inlines = {f.formset.model: f.formset for f in response.context["inline_admin_formsets"]}
    assert [m.user for m in inlines[Membership].queryset] == [other_member]
    assert list(inlines[OrganizationStatusChange].queryset) == [history_row]


def test_status_cannot_be_set_in_the_change_form(admin_client, other_organization):
    path = reverse("admin:organizations_organization_change", args=[other_organization.pk])
    form = admin_client.get(path).context["adminform"].form

    assert "status" not in form.fields


def test_resident_cannot_open_the_admin(client, resident):
    client.force_login(resident)

    assert client.get(CHANGELIST).status_code == 403


def test_staff_without_registry_permissions_gets_403(staff_client, staff):
    staff.groups.clear()
    assert staff_client.get(CHANGELIST).status_code == 403


def test_clerk_of_the_department_group_opens_the_registry(staff_client):
    assert staff_client.get(CHANGELIST).status_code == 200


# --- workflow actions -------------------------------------------------------------------------


def test_verify_action_verifies_through_the_service(
    admin_client, staff, other_organization, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "verify", [other_organization])

    assert response.status_code == 200
    assert _status(other_organization) == S.VERIFIED
    assert _history(other_organization) == [(S.PENDING, S.VERIFIED, staff.pk, "")]
    assert [m.to for m in mail.outbox] == [[other_member.email]]
    assert _message_levels(response) == ["success"]


def test_return_action_records_the_reason_and_notifies(
    admin_client, staff, other_organization, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            admin_client,
            "return_for_changes",
            [other_organization],
            reason="活動実績を添付してください",
        )

    assert _status(other_organization) == S.RETURNED
    assert _history(other_organization) == [
        (S.PENDING, S.RETURNED, staff.pk, "活動実績を添付してください")
    ]
    assert [m.to for m in mail.outbox] == [[other_member.email]]
    assert "活動実績を添付してください" in mail.outbox[0].body
    assert _message_levels(response) == ["success"]


def test_return_without_reason_changes_nothing_and_warns(
    admin_client, other_organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "return_for_changes", [other_organization], reason="  ")

    assert _status(other_organization) == S.PENDING
    assert _history(other_organization) == []
    assert mail.outbox == []
    assert _message_levels(response) == ["warning"]


def test_verify_action_skips_an_already_verified_organisation_with_a_warning(
    admin_client, organization, other_organization
):
    response = _action(admin_client, "verify", [organization, other_organization])

    assert _status(other_organization) == S.VERIFIED
    assert _history(organization) == []
    assert sorted(_message_levels(response)) == ["success", "warning"]


def test_returned_organisation_cannot_be_verified_directly(admin_client):
    returned = factories.make_organization(status=S.RETURNED)

    response = _action(admin_client, "verify", [returned])

    assert _status(returned) == S.RETURNED
    assert _message_levels(response) == ["warning"]


# --- CSV export -------------------------------------------------------------------------------


def test_csv_export_has_bom_header_and_one_row_per_selected_organisation(
    admin_client, organization, other_organization
):
    organization.public_email = "info@wanishi.example.jp"
    organization.founded_year = 2005
    organization.save()

    response = _action(admin_client, "export_csv", [organization], follow=False)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "name", "name_kana"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["id"] == str(organization.pk)
    assert row["name"] == "輪西まちづくりの会"
    assert row["district"] == "輪西町"
    assert row["public_email"] == "info@wanishi.example.jp"
    assert row["founded_year"] == "2005"


def test_csv_export_of_several_organisations(admin_client, organization, other_organization):
    response = _action(admin_client, "export_csv", [organization, other_organization], follow=False)

    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    assert sorted(r[1] for r in rows[1:]) == ["白鳥台ふれあいの会", "輪西まちづくりの会"]


# --- history is read-only ---------------------------------------------------------------------


@pytest.fixture
def history_row(other_organization, staff):
    from organizations import services

    services.organization_verify(organization=other_organization, by=staff)
    return OrganizationStatusChange.objects.get(organization=other_organization)


def test_history_cannot_be_added(admin_client, history_row):
    assert (
        admin_client.get(reverse("admin:organizations_organizationstatuschange_add")).status_code
        == 403
    )
    changelist = admin_client.get(
        reverse("admin:organizations_organizationstatuschange_changelist")
    )
    assert changelist.status_code == 200
    assert changelist.context["has_add_permission"] is False


def test_history_cannot_be_changed_or_deleted(admin_client, history_row, other_organization):
    change = reverse("admin:organizations_organizationstatuschange_change", args=[history_row.pk])
    delete = reverse("admin:organizations_organizationstatuschange_delete", args=[history_row.pk])

    view = admin_client.get(change)
    posted = admin_client.post(change, {"reason": "書き換え", "new_status": "returned"})
    deleted = admin_client.post(delete, {"post": "yes"})

    assert view.status_code == 200  # view only
    assert posted.status_code == 403
    assert deleted.status_code == 403
    history_row.refresh_from_db()
    assert (history_row.new_status, history_row.reason) == (S.VERIFIED, "")


def test_history_inline_on_the_organisation_offers_no_add(
    admin_client, history_row, other_organization
):
    response = admin_client.get(
        reverse("admin:organizations_organization_change", args=[other_organization.pk])
    )

    inline = next(
        f
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is OrganizationStatusChange
    )
    assert inline.has_add_permission is False
    assert inline.formset.can_delete is False
    assert set(inline.readonly_fields) >= {"old_status", "new_status", "by", "reason", "at"}


# --- keyed-in data ----------------------------------------------------------------------------


def test_membership_admin_refuses_a_second_representative(admin_client, organization, resident):
    response = admin_client.post(
        reverse("admin:organizations_membership_add"),
        {
            "organization": organization.pk,
            "user": resident.pk,
            "role": Membership.Role.REPRESENTATIVE,
            "joined_at_0": "2026-06-01",
            "joined_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=resident).exists()


def test_invitation_admin_lists_open_invitations(admin_client, organization, representative):
    Invitation.objects.create(
        organization=organization, email="x@example.jp", invited_by=representative
    )

    response = admin_client.get(
        reverse("admin:organizations_invitation_changelist"), {"q": "x@example.jp"}
    )

    assert [i.email for i in response.context["cl"].result_list] == ["x@example.jp"]


def test_view_only_staff_cannot_verify(staff_client, staff, other_organization):
    staff.groups.clear()
    staff.user_permissions.set(Permission.objects.filter(codename="view_organization"))

    _action(staff_client, "verify", [other_organization])

    assert _status(other_organization) == S.PENDING
    assert not OrganizationStatusChange.objects.filter(
        organization=other_organization, new_status=S.VERIFIED
    ).exists()


def test_notice_is_in_japanese_when_staff_use_the_admin_in_english(
    admin_client, other_organization, django_capture_on_commit_callbacks
):
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, "verify", [other_organization])

    assert _status(other_organization) == S.VERIFIED
    (notice,) = [m for m in mail.outbox if other_organization.name in m.subject]
    assert "確認済" in notice.subject + notice.body


def test_an_edit_saved_while_a_transition_commits_keeps_both(
    admin_client, staff, other_organization, monkeypatch
):
    """A clerk edits the description while another verifies the group: the edit writes only the
    fields it changed, so the verification is not undone by the row the edit loaded."""
    from organizations import services
    from organizations.admin import OrganizationAdmin
    from tests.forms import form_data

    path = reverse("admin:organizations_organization_change", args=[other_organization.pk])
    data = form_data(admin_client.get(path).content, form_id="organization_form")
    data["description"] = ["冬の見守り活動を始めました。"]
    loaded = OrganizationAdmin.get_object

    def load_then_verify_elsewhere(self, request, object_id, from_field=None):
        obj = loaded(self, request, object_id, from_field)
        if request.method == "POST":
            services.organization_verify(organization=Organization.objects.get(pk=obj.pk), by=staff)
        return obj

    monkeypatch.setattr(OrganizationAdmin, "get_object", load_then_verify_elsewhere)
    response = admin_client.post(path, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Organization.objects.get(pk=other_organization.pk)
    assert saved.status == S.VERIFIED
    assert saved.description == "冬の見守り活動を始めました。"

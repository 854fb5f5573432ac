"""Every registry page runs a fixed number of SQL queries, whatever the data size: each page is
measured with 1 and with 50 rows and must run exactly the same number."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from organizations import services
from organizations.models import ActivityField, District, Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = [1, 50]
FIELDS = ["環境保全・美化", "高齢者支援"]

# Anonymous: no session or user lookup. Signed in: + session + user.
DIRECTORY = 6  # district + field choices, type choices, count, page, fields of the page
DIRECTORY_FILTERED = 9  # + the chosen type, district and field looked up by the filter form
DETAIL = 3  # organisation with type and district, its fields, its published projects with form/lead
DETAIL_SIGNED_IN = 6  # + session, user, the user's membership
PROJECT_LIST = 6  # years, lead and form choices, count, page, partners of the page
PROJECT_DETAIL = (
    4  # project with form and lead, its verified partners; its パブコメ cases and councils
)
MYPAGE = 13  # session, user, memberships with organisation and type, invitations, user's district,
# partner registrations, my groups' subsidy applications, those that ask for something (次にすること),
# my public comment submissions, my groups' enとーく requests and those that ask for something, my
# council sign-ups and my facilitator pool entry; not whether I am a 代表者 without a second factor
# (subsidies): my memberships say I am no group's 代表者.
MANAGE = 7  # session, user, organisation, own membership, members with users, invitations, history
EDIT = 8  # session, user, organisation, own membership, type/district/field choices, chosen fields
# Admin (staff with a second factor given in this session, so no authenticator lookup):
# session, user, permissions ... then the list.
ADMIN_CHANGELISTS = {
    # No date_hierarchy (its min/max and DISTINCT of dates): issue 14. On PostgreSQL the
    # unfiltered list first reads the table's size estimate (muroran_kyodo/lib/admin_lists.py):
    # below ESTIMATE_FROM rows it then counts exactly, one query more than on SQLite.
    "organization": 9 + (connection.vendor == "postgresql"),
    "membership": 7,
    "collaborationproject": 9,
    "organizationstatuschange": 9,
    "invitation": 7,
}
ADMIN_ORGANIZATION_CHANGE = (
    12  # with one member; each further member row costs one query (see below)
)


@pytest.fixture
def count_queries(django_assert_num_queries):
    def check(client, path, expected, data=None):
        # Steady state: process-wide caches (content types for the admin) are warm, as in
        # production, so that the count does not depend on which test ran first.
        client.get(path, data or {})
        with django_assert_num_queries(expected):
            response = client.get(path, data or {})
        assert response.status_code == 200
        return response

    return check


@pytest.mark.parametrize("n", SIZES)
def test_directory(client, count_queries, n):
    for _ in range(n):
        factories.make_organization(fields=FIELDS)

    response = count_queries(client, reverse("organizations:directory"), DIRECTORY)

    assert len(response.context["page"]) == min(n, 20)


@pytest.mark.parametrize("n", SIZES)
def test_directory_with_filters(client, count_queries, n):
    for i in range(n):
        factories.make_organization(name=f"海岸の会{i}", fields=FIELDS, description="海岸清掃")
    query = {
        "q": "海岸 清掃",
        "type": "npo",
        "district": District.objects.get(name="輪西町").pk,
        "field": ActivityField.objects.get(name=FIELDS[0]).pk,
    }

    response = count_queries(client, reverse("organizations:directory"), DIRECTORY_FILTERED, query)

    assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", SIZES)
def test_organisation_detail(client, count_queries, n):
    organization = factories.make_organization(
        fields=list(ActivityField.objects.values_list("name", flat=True)[:n])
    )
    for form_code in ["agreement", "committee", "co-hosting"] * (n // 3 + 1):
        factories.make_project(form_code=form_code, organizations=[organization])

    response = count_queries(
        client, reverse("organizations:detail", args=[organization.pk]), DETAIL
    )

    assert len(response.context["organization"].projects.all()) >= n


@pytest.mark.parametrize("n", SIZES)
def test_organisation_detail_signed_in_member(client, count_queries, member, n):
    organization = factories.make_organization(fields=FIELDS)
    factories.add_member(organization, member)
    for _ in range(n):
        factories.make_project(organizations=[organization])
        factories.add_member(organization, factories.make_user())
    client.force_login(member)

    count_queries(client, reverse("organizations:detail", args=[organization.pk]), DETAIL_SIGNED_IN)


@pytest.mark.parametrize("n", SIZES)
def test_project_catalogue(client, count_queries, n):
    partners = [factories.make_organization() for _ in range(3)]
    for i in range(n):
        factories.make_project(fiscal_year=2010 + i % 20, organizations=partners)

    response = count_queries(client, reverse("organizations:project_list"), PROJECT_LIST)

    assert response.context["page"].paginator.count == n + 14


@pytest.mark.parametrize("n", SIZES)
def test_project_catalogue_with_filters(client, count_queries, n):
    for _ in range(n):
        factories.make_project(
            form_code="committee", fiscal_year=2025, organizations=[factories.make_organization()]
        )

    response = count_queries(
        client,
        reverse("organizations:project_list"),
        PROJECT_LIST + 2,  # + the chosen lead and form
        {"lead": "cooperation", "form": "committee", "year": "2025"},
    )

    assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", SIZES)
def test_project_detail(client, count_queries, n):
    partners = [factories.make_organization() for _ in range(n)]
    project = factories.make_project(organizations=partners, other_partners="室蘭商工会議所")

    response = count_queries(
        client, reverse("organizations:project_detail", args=[project.pk]), PROJECT_DETAIL
    )

    assert len(response.context["project"].public_organizations) == n


@pytest.mark.parametrize("n", SIZES)
def test_mypage_of_a_member(client, count_queries, member, representative, n):
    for _ in range(n):
        organization = factories.make_organization(fields=FIELDS)
        factories.add_member(organization, member, Membership.Role.CONTACT)
        other = factories.make_organization()
        Invitation.objects.create(organization=other, email=member.email, invited_by=representative)
    member.district = District.objects.get(name="輪西町")
    member.save()
    client.force_login(member)

    response = count_queries(client, reverse("mypage"), MYPAGE)

    assert response.content.decode().count("/manage/") >= n


@pytest.mark.parametrize("n", SIZES)
def test_manage_page_of_the_representative(client, count_queries, representative, staff, n):
    organization = factories.make_organization(status="pending", representative=representative)
    for i in range(n):
        factories.add_member(organization, factories.make_user())
        Invitation.objects.create(
            organization=organization, email=f"x{i}@example.jp", invited_by=representative
        )
    for _ in range((n + 2) // 3):  # about n history rows, by staff and by the representative
        services.organization_verify(organization=organization, by=staff)
        services.organization_return(organization=organization, by=staff, reason="理由")
        services.organization_resubmit(organization=organization, by=representative)
    client.force_login(representative)

    response = count_queries(
        client, reverse("organizations:manage", args=[organization.pk]), MANAGE
    )

    assert len(response.context["members"]) == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_edit_page(client, count_queries, representative, n):
    fields = list(ActivityField.objects.values_list("name", flat=True)[: min(n, 12)])
    organization = factories.make_organization(representative=representative, fields=fields)
    for _ in range(n):
        factories.add_member(organization, factories.make_user())
    client.force_login(representative)

    count_queries(client, reverse("organizations:edit", args=[organization.pk]), EDIT)


@pytest.fixture
def admin_client(staff_client, staff):
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="organizations"))
    return staff_client


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("model", list(ADMIN_CHANGELISTS))
def test_admin_changelists(admin_client, count_queries, staff, representative, model, n):
    for i in range(n):
        organization = factories.make_organization(
            status="pending", representative=factories.make_user(), fields=FIELDS
        )
        services.organization_verify(organization=organization, by=staff)
        Invitation.objects.create(
            organization=organization, email=f"x{i}@example.jp", invited_by=representative
        )
        factories.make_project(organizations=[organization])

    count_queries(
        admin_client, reverse(f"admin:organizations_{model}_changelist"), ADMIN_CHANGELISTS[model]
    )


@pytest.mark.parametrize("n", SIZES)
def test_admin_organization_change_page_with_history(
    admin_client, count_queries, staff, other_organization, other_member, n
):
    for _ in range((n + 2) // 3):
        services.organization_verify(organization=other_organization, by=staff)
        services.organization_return(organization=other_organization, by=staff, reason="理由")
        services.organization_resubmit(organization=other_organization, by=other_member)

    count_queries(
        admin_client,
        reverse("admin:organizations_organization_change", args=[other_organization.pk]),
        ADMIN_ORGANIZATION_CHANGE,
    )
    # Not measured with many members: Django's autocomplete widget looks up the selected user of
    # each membership row with its own query (one per member; groups have tens of members).

"""The registry's pages through the client: what each person sees, and every refusal."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations import services
from organizations.models import (
    ActivityField,
    ActorType,
    District,
    Invitation,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = Organization.Status


def url(name, *args):
    return reverse(f"organizations:{name}", args=args)


def login_redirect(path):
    return f"{reverse('account_login')}?next={path}"


def listed(response):
    return [o.name for o in response.context["page"]]


@pytest.fixture
def as_user(client):
    def login(user):
        return factories.sign_in(client, user)

    return login


@pytest.fixture
def contact(organization):
    user = factories.make_user("contact@example.jp")
    factories.add_member(organization, user, Membership.Role.CONTACT)
    return user


# --- directory --------------------------------------------------------------------------------


@pytest.fixture
def directory_orgs(organization, other_organization):
    """The verified 輪西まちづくりの会 (NPO, 輪西町) plus three more, one hidden."""
    return {
        "wanishi": organization,
        "pending": other_organization,
        "school": factories.make_organization(
            name="室蘭工業大学まちづくり研究会",
            name_kana="ムロランコウギョウダイガク",
            type_code="university",
            district_name="水元町",
            fields=["学術・文化・芸術・スポーツ"],
            description="学生が地域の課題を調べます。",
        ),
        "clean": factories.make_organization(
            name="祝津海岸クリーン隊",
            name_kana="シュクツカイガンクリーンタイ",
            type_code="npo",
            district_name="祝津町",
            fields=["環境保全・美化"],
            description="海岸のごみ拾い。",
        ),
        "returned": factories.make_organization(name="差戻し中の会", status=S.RETURNED),
    }


def test_directory_lists_only_verified_organisations(client, directory_orgs):
    response = client.get(url("directory"))

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(
        ["輪西まちづくりの会", "室蘭工業大学まちづくり研究会", "祝津海岸クリーン隊"]
    )
    html = response.content.decode()
    assert "白鳥台ふれあいの会" not in html
    assert "差戻し中の会" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "university"}, ["室蘭工業大学まちづくり研究会"]),
        ({"type": "npo"}, ["祝津海岸クリーン隊", "輪西まちづくりの会"]),
        ({"q": "ごみ"}, ["祝津海岸クリーン隊"]),
        ({"q": "シュクツ"}, ["祝津海岸クリーン隊"]),
        ({"q": "まちづくり 学生"}, ["室蘭工業大学まちづくり研究会"]),
        ({"q": "白鳥台"}, []),  # a pending organisation is not found by name either
        ({"type": "npo", "q": "海岸"}, ["祝津海岸クリーン隊"]),
    ],
)
def test_directory_filters(client, directory_orgs, query, expected):
    response = client.get(url("directory"), query)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(expected)


def test_directory_filters_by_district(client, directory_orgs):
    shukutsu = District.objects.get(name="祝津町")

    response = client.get(url("directory"), {"district": shukutsu.pk})

    assert listed(response) == ["祝津海岸クリーン隊"]


def test_directory_filters_by_field_of_activity(client, directory_orgs):
    environment = ActivityField.objects.get(name="環境保全・美化")

    response = client.get(url("directory"), {"field": environment.pk})

    assert listed(response) == ["祝津海岸クリーン隊"]


def test_directory_refuses_individual_as_a_type_filter(client, directory_orgs):
    response = client.get(url("directory"), {"type": "individual"})

    assert response.status_code == 200
    assert "type" in response.context["form"].errors


def test_directory_is_paginated(client, db):
    for n in range(25):
        factories.make_organization(name=f"団体{n:02d}", name_kana=f"ダンタイ{n:02d}")

    first = client.get(url("directory"))
    second = client.get(url("directory"), {"page": 2})

    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.count == 25
    assert len(second.context["page"]) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    assert 'rel="next"' in first.content.decode()


def test_directory_pagination_keeps_the_filters(client, db):
    for n in range(22):
        factories.make_organization(name=f"大学{n:02d}", type_code="university")
    factories.make_organization(name="企業の会", type_code="business")

    response = client.get(url("directory"), {"type": "university", "page": 2})

    assert len(response.context["page"]) == 2
    assert response.context["query"] == "type=university"
    assert "?type=university&amp;page=1" in response.content.decode()


def test_directory_out_of_range_page_shows_the_last_page(client, organization):
    response = client.get(url("directory"), {"page": 99})

    assert response.status_code == 200
    assert listed(response) == ["輪西まちづくりの会"]


# --- detail -----------------------------------------------------------------------------------


def test_anyone_sees_a_verified_organisations_public_page(client, organization):
    organization.public_email = "info@wanishi.example.jp"
    organization.contact_note = "市民活動センター気付"
    organization.save()

    response = client.get(url("detail", organization.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "輪西まちづくりの会" in html
    assert "info@wanishi.example.jp" in html
    assert "市民活動センター気付" in html


def test_public_page_never_shows_the_representatives_name_or_email(
    client, organization, representative, member
):
    # Distinctive names, so that a hit cannot come from the site's own text (室蘭…).
    representative.family_name, representative.given_name = "代表野", "秘子"
    representative.family_name_kana, representative.given_name_kana = "ダイヒョウノ", "ヒミコ"
    representative.display_name = "ひみこさん"
    representative.save()
    organization.representative_title = "会長"
    organization.save()

    for path in (url("detail", organization.pk), url("directory")):
        html = client.get(path).content.decode()
        for private in (
            representative.email,
            "代表野",
            "秘子",
            "ダイヒョウノ",
            "ひみこさん",
            member.email,
        ):
            assert private not in html, (path, private)
    assert "会長" in client.get(url("detail", organization.pk)).content.decode()


@pytest.mark.parametrize("who", [None, "resident", "member"])
def test_pending_organisation_is_404_to_anonymous_and_outsiders(
    client, other_organization, who, request
):
    if who:
        factories.sign_in(client, request.getfixturevalue(who))

    response = client.get(url("detail", other_organization.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["other_member", "staff"])
def test_pending_organisation_is_visible_to_its_member_and_staff(
    client, other_organization, who, request
):
    factories.sign_in(client, request.getfixturevalue(who))

    response = client.get(url("detail", other_organization.pk))

    assert response.status_code == 200
    assert "白鳥台ふれあいの会" in response.content.decode()


def test_returned_organisation_is_404_to_anonymous(client, db):
    returned = factories.make_organization(status=S.RETURNED)

    assert client.get(url("detail", returned.pk)).status_code == 404


def test_unknown_organisation_is_404(client, db):
    assert client.get(url("detail", 999999)).status_code == 404


def test_detail_lists_only_published_projects(client, organization):
    factories.make_project(title="公開の事業", organizations=[organization])
    factories.make_project(title="準備中の事業", organizations=[organization], is_published=False)

    html = client.get(url("detail", organization.pk)).content.decode()

    assert "公開の事業" in html
    assert "準備中の事業" not in html


def test_manage_link_only_for_members(client, organization, member, resident):
    manage = url("manage", organization.pk)

    assert manage not in client.get(url("detail", organization.pk)).content.decode()
    client.force_login(resident)
    assert manage not in client.get(url("detail", organization.pk)).content.decode()
    client.force_login(member)
    assert manage in client.get(url("detail", organization.pk)).content.decode()


# --- register: 入力 → 確認 → 完了 --------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_before_registering(client, db):
    response = client.get(url("register"))

    assert response.status_code == 302
    assert response["Location"] == login_redirect(url("register"))


def test_anonymous_post_to_register_saves_nothing(client, db):
    response = client.post(url("register"), {**factories.organization_form_data(), "_submit": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Organization.objects.exists()


def test_register_form_offers_organisation_types_only(as_user, resident):
    response = as_user(resident).get(url("register"))

    assert response.status_code == 200
    assert response.context["step"] == "input"
    codes = {a.code for a in response.context["form"].fields["actor_type"].queryset}
    assert "individual" not in codes
    assert "npo" in codes


@pytest.mark.parametrize(
    ("overrides", "error_field"),
    [
        ({"name_kana": "室蘭港を愛する会"}, "name_kana"),  # kanji in the reading
        ({"name_kana": "Muroran"}, "name_kana"),
        ({"actor_type": ""}, "actor_type"),
        # Next year, read inside the frozen clock of the test (not when tests are collected:
        # a run that crosses midnight on 31 December made this year valid).
        ({"founded_year": lambda: str(timezone.localdate().year + 1)}, "founded_year"),
        ({"founded_year": "1800"}, "founded_year"),
        ({"member_count": "0"}, "member_count"),
        ({"name": ""}, "name"),
        ({"description": ""}, "description"),
        ({"public_phone": "12345"}, "public_phone"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_bad_input_is_shown_again_with_errors_and_nothing_saved(
    as_user, resident, overrides, error_field
):
    with time_machine.travel(timezone.now(), tick=False):
        data = factories.organization_form_data(
            **{k: v() if callable(v) else v for k, v in overrides.items()}
        )
        response = as_user(resident).post(url("register"), data)

    assert response.status_code == 200
    assert response.context["step"] == "input"
    form = response.context["form"]
    assert error_field in form.errors
    assert form["name"].value() == data["name"]
    assert form["description"].value() == data["description"]
    if data["name"]:
        assert f'value="{data["name"]}"' in response.content.decode()
    assert not Organization.objects.exists()
    assert not OrganizationStatusChange.objects.exists()


def test_individual_resident_type_cannot_be_chosen(as_user, resident):
    individual = ActorType.objects.get(code="individual")

    response = as_user(resident).post(
        url("register"), factories.organization_form_data(actor_type=individual.pk, _submit="1")
    )

    assert response.status_code == 200
    assert "actor_type" in response.context["form"].errors
    assert not Organization.objects.exists()


def test_valid_input_shows_the_confirmation_and_saves_nothing(as_user, resident):
    response = as_user(resident).post(url("register"), factories.organization_form_data())

    assert response.status_code == 200
    assert response.context["step"] == "confirm"
    assert "organizations/organization_confirm.html" in [t.name for t in response.templates]
    rows = dict(response.context["rows"])
    assert "室蘭港を愛する会" in rows.values()
    assert "輪西町" in rows.values()
    html = response.content.decode()
    assert 'type="hidden" name="name" value="室蘭港を愛する会"' in html
    assert 'name="_submit"' in html and 'name="_back"' in html
    assert not Organization.objects.exists()
    assert not Membership.objects.filter(user=resident).exists()


def test_full_width_numbers_and_hiragana_reading_are_accepted(as_user, resident):
    client = as_user(resident)
    data = factories.organization_form_data(
        founded_year="２００５", member_count="１２", name_kana="むろらんこうをあいするかい"
    )

    confirm = client.post(url("register"), data)
    assert confirm.context["step"] == "confirm"
    client.post(url("register"), {**data, "_submit": "1"})

    organization = Organization.objects.get()
    assert (organization.founded_year, organization.member_count) == (2005, 12)
    assert organization.name_kana == "ムロランコウヲアイスルカイ"


def test_back_returns_to_the_form_with_the_values(as_user, resident):
    response = as_user(resident).post(
        url("register"), {**factories.organization_form_data(), "_back": "1"}
    )

    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert "organizations/organization_form.html" in [t.name for t in response.templates]
    form = response.context["form"]
    assert form["name"].value() == "室蘭港を愛する会"
    assert form["founded_year"].value() == "2005"
    assert 'value="室蘭港を愛する会"' in response.content.decode()
    assert not Organization.objects.exists()


def test_submit_saves_and_redirects_to_the_registered_page(
    as_user, resident, django_capture_on_commit_callbacks
):
    client = as_user(resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("register"), {**factories.organization_form_data(), "_submit": "1"}
        )

    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("registered", organization.pk)
    assert organization.status == S.PENDING
    assert organization.memberships.get().user == resident
    assert organization.memberships.get().role == Membership.Role.REPRESENTATIVE
    assert [m.to for m in mail.outbox] == [[resident.email]]
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "室蘭港を愛する会" in done.content.decode()


def test_tampered_confirmation_is_validated_again(as_user, resident):
    response = as_user(resident).post(
        url("register"), {**factories.organization_form_data(name_kana="漢字"), "_submit": "1"}
    )

    assert response.status_code == 200
    assert "name_kana" in response.context["form"].errors
    assert not Organization.objects.exists()


def test_registered_page_is_404_for_someone_else(as_user, other_organization, resident):
    assert as_user(resident).get(url("registered", other_organization.pk)).status_code == 404


# --- manage -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_for_manage(client, organization):
    path = url("manage", organization.pk)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


def test_representative_manages_members_and_invitations(
    as_user, organization, representative, member
):
    response = as_user(representative).get(url("manage", organization.pk))

    assert response.status_code == 200
    assert response.context["can_manage"] is True
    assert response.context["invite_form"] is not None
    assert {m.user for m in response.context["members"]} == {representative, member}
    html = response.content.decode()
    assert member.email in html
    assert url("invite", organization.pk) in html


def test_plain_member_sees_the_page_without_management(
    as_user, organization, member, representative
):
    response = as_user(member).get(url("manage", organization.pk))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert response.context["invite_form"] is None
    html = response.content.decode()
    assert representative.email not in html  # addresses are for managers only
    assert url("invite", organization.pk) not in html
    assert url("edit", organization.pk) not in html


def test_manage_page_shows_why_the_city_returned_the_registration(
    as_user, organization, representative, staff
):
    services.organization_return(
        organization=organization, by=staff, reason="規約の写しを添付してください"
    )

    html = as_user(representative).get(url("manage", organization.pk)).content.decode()

    assert "message--error" in html
    assert "規約の写しを添付してください" in html


def test_pending_organisation_is_managed_by_its_representative(
    as_user, other_organization, other_member
):
    response = as_user(other_member).get(url("manage", other_organization.pk))

    assert response.status_code == 200


def test_staff_can_open_any_manage_page(as_user, other_organization, staff):
    assert as_user(staff).get(url("manage", other_organization.pk)).status_code == 200


@pytest.mark.parametrize("name", ["manage", "edit", "registered"])
def test_member_of_other_org_gets_404_on_its_pages(
    as_user, organization, other_organization, other_member, name
):
    client = as_user(other_member)

    assert client.get(url(name, other_organization.pk)).status_code == 200
    assert client.get(url(name, organization.pk)).status_code == 404


@pytest.mark.parametrize("name", ["manage", "edit"])
def test_resident_gets_404_on_an_organisations_private_pages(as_user, organization, resident, name):
    assert as_user(resident).get(url(name, organization.pk)).status_code == 404


# --- edit -------------------------------------------------------------------------------------


def test_representative_opens_the_edit_form_with_current_values(
    as_user, organization, representative
):
    response = as_user(representative).get(url("edit", organization.pk))

    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "輪西まちづくりの会"


def test_representative_edits_the_description(as_user, organization, representative):
    response = as_user(representative).post(
        url("edit", organization.pk),
        factories.organization_edit_data(
            organization, description="新しい説明", public_phone="０１４３－２２－１１１１"
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url("manage", organization.pk)
    organization.refresh_from_db()
    assert organization.description == "新しい説明"
    assert organization.public_phone == "0143-22-1111"
    assert organization.status == S.VERIFIED


def test_renaming_through_the_form_sends_the_organisation_back_for_a_check(
    as_user, organization, contact
):
    as_user(contact).post(
        url("edit", organization.pk),
        factories.organization_edit_data(organization, name="輪西の新しい会"),
    )

    organization.refresh_from_db()
    assert organization.name == "輪西の新しい会"
    assert organization.status == S.PENDING
    assert organization.status_changes.get().by == contact
    assert Client().get(url("detail", organization.pk)).status_code == 404  # unlisted until checked


def test_invalid_edit_is_shown_again_and_nothing_saved(as_user, organization, representative):
    response = as_user(representative).post(
        url("edit", organization.pk),
        factories.organization_edit_data(organization, name_kana="漢字", description="変更"),
    )

    assert response.status_code == 200
    assert "name_kana" in response.context["form"].errors
    organization.refresh_from_db()
    assert organization.description != "変更"


def test_plain_member_cannot_edit(as_user, organization, member):
    client = as_user(member)

    assert client.get(url("edit", organization.pk)).status_code == 404
    assert (
        client.post(
            url("edit", organization.pk),
            factories.organization_edit_data(organization, name="乗っ取り"),
        ).status_code
        == 404
    )
    assert Organization.objects.get(pk=organization.pk).name == "輪西まちづくりの会"


def test_other_orgs_representative_cannot_edit_by_changing_the_id(
    as_user, organization, other_member
):
    response = as_user(other_member).post(
        url("edit", organization.pk),
        factories.organization_edit_data(organization, name="乗っ取り"),
    )

    assert response.status_code == 404
    assert Organization.objects.get(pk=organization.pk).name == "輪西まちづくりの会"


def test_anonymous_edit_is_sent_to_sign_in(client, organization):
    response = client.post(
        url("edit", organization.pk),
        factories.organization_edit_data(organization, name="乗っ取り"),
    )

    assert response.status_code == 302
    assert Organization.objects.get(pk=organization.pk).name == "輪西まちづくりの会"


# --- invite -----------------------------------------------------------------------------------


def test_invite_is_post_only(as_user, organization, representative):
    assert as_user(representative).get(url("invite", organization.pk)).status_code == 405


def test_representative_invites_by_email(
    as_user, organization, representative, django_capture_on_commit_callbacks
):
    client = as_user(representative)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("invite", organization.pk), {"email": "ＮＥＷ@example.jp", "role": "contact"}
        )

    assert response.status_code == 302
    assert response["Location"] == url("manage", organization.pk)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@example.jp",
        "contact",
        representative,
    )
    assert [m.to for m in mail.outbox] == [["new@example.jp"]]
    assert "new@example.jp" in client.get(url("manage", organization.pk)).content.decode()


@pytest.mark.parametrize(
    ("data", "error_field"),
    [
        ({"email": "not-an-address", "role": "member"}, "email"),
        ({"email": "x@example.jp", "role": "representative"}, "role"),
        ({"email": "member@example.jp", "role": "member"}, "email"),  # already a member
    ],
)
def test_bad_invitation_is_shown_on_the_manage_page(
    as_user, organization, representative, member, data, error_field
):
    response = as_user(representative).post(url("invite", organization.pk), data)

    assert response.status_code == 200
    assert error_field in response.context["invite_form"].errors
    assert not Invitation.objects.exists()


def test_duplicate_invitation_is_shown_as_a_field_error(as_user, organization, representative):
    client = as_user(representative)
    client.post(url("invite", organization.pk), {"email": "x@example.jp", "role": "member"})

    response = client.post(
        url("invite", organization.pk), {"email": "x@example.jp", "role": "member"}
    )

    assert response.status_code == 200
    assert "email" in response.context["invite_form"].errors
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "other_member", "resident"])
def test_only_managers_may_invite(as_user, organization, who, request):
    response = as_user(request.getfixturevalue(who)).post(
        url("invite", organization.pk), {"email": "x@example.jp", "role": "member"}
    )

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_anonymous_invite_is_sent_to_sign_in(client, organization):
    response = client.post(
        url("invite", organization.pk), {"email": "x@example.jp", "role": "member"}
    )

    assert response.status_code == 302
    assert not Invitation.objects.exists()


# --- revoke -----------------------------------------------------------------------------------


@pytest.fixture
def open_invitation(organization, representative):
    return Invitation.objects.create(
        organization=organization, email="x@example.jp", invited_by=representative
    )


def test_revoke_is_post_only(as_user, organization, representative, open_invitation):
    response = as_user(representative).get(
        url("invitation_revoke", organization.pk, open_invitation.pk)
    )

    assert response.status_code == 405


def test_representative_withdraws_an_invitation(
    as_user, organization, representative, open_invitation
):
    response = as_user(representative).post(
        url("invitation_revoke", organization.pk, open_invitation.pk)
    )

    assert response.status_code == 302
    open_invitation.refresh_from_db()
    assert open_invitation.revoked_at is not None


def test_plain_member_cannot_withdraw(as_user, organization, member, open_invitation):
    response = as_user(member).post(url("invitation_revoke", organization.pk, open_invitation.pk))

    assert response.status_code == 404
    open_invitation.refresh_from_db()
    assert open_invitation.revoked_at is None


def test_invitation_of_another_organisation_cannot_be_withdrawn_through_own(
    as_user, other_organization, other_member, open_invitation
):
    response = as_user(other_member).post(
        url("invitation_revoke", other_organization.pk, open_invitation.pk)
    )

    assert response.status_code == 404
    open_invitation.refresh_from_db()
    assert open_invitation.revoked_at is None


# --- remove / leave ---------------------------------------------------------------------------


def _membership(organization, user):
    return Membership.objects.get(organization=organization, user=user)


def test_remove_is_post_only(as_user, organization, representative, member):
    response = as_user(representative).get(
        url("member_remove", organization.pk, _membership(organization, member).pk)
    )

    assert response.status_code == 405
    assert Membership.objects.filter(user=member).exists()


def test_representative_removes_a_member(as_user, organization, representative, member):
    response = as_user(representative).post(
        url("member_remove", organization.pk, _membership(organization, member).pk)
    )

    assert response.status_code == 302
    assert response["Location"] == url("manage", organization.pk)
    assert not Membership.objects.filter(organization=organization, user=member).exists()


def test_member_leaves_and_lands_on_mypage(as_user, organization, member):
    response = as_user(member).post(
        url("member_remove", organization.pk, _membership(organization, member).pk)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mypage")
    assert not Membership.objects.filter(organization=organization, user=member).exists()


def test_representative_cannot_remove_themselves(as_user, organization, representative):
    membership = _membership(organization, representative)

    response = as_user(representative).post(
        url("member_remove", organization.pk, membership.pk), follow=True
    )

    assert response.redirect_chain[-1][0] == url("manage", organization.pk)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_plain_member_cannot_remove_another_member(as_user, organization, member, resident):
    other = factories.add_member(organization, resident)

    response = as_user(member).post(url("member_remove", organization.pk, other.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_other_orgs_representative_cannot_remove_by_changing_ids(
    as_user, organization, other_organization, other_member, member
):
    membership = _membership(organization, member)
    client = as_user(other_member)

    assert client.post(url("member_remove", organization.pk, membership.pk)).status_code == 404
    assert (
        client.post(url("member_remove", other_organization.pk, membership.pk)).status_code == 404
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- invitation page --------------------------------------------------------------------------


@pytest.fixture
def invitation_for_resident(organization, representative, resident):
    return Invitation.objects.create(
        organization=organization,
        email=resident.email,
        role=Membership.Role.CONTACT,
        invited_by=representative,
    )


def test_anonymous_is_sent_to_sign_in_to_answer_an_invitation(client, invitation_for_resident):
    path = url("invitation", invitation_for_resident.token)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


def test_invited_person_accepts_on_the_invitation_page(
    as_user, organization, resident, invitation_for_resident
):
    client = as_user(resident)
    path = url("invitation", invitation_for_resident.token)

    page = client.get(path)
    assert page.status_code == 200
    assert page.context["addressed_to_user"] is True
    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == url("manage", organization.pk)
    assert _membership(organization, resident).role == Membership.Role.CONTACT


def test_invitation_for_another_address_warns_and_post_does_nothing(
    as_user, organization, other_member, invitation_for_resident
):
    client = as_user(other_member)
    path = url("invitation", invitation_for_resident.token)

    page = client.get(path)
    response = client.post(path)

    assert page.status_code == 200
    assert page.context["addressed_to_user"] is False
    assert "message--warning" in page.content.decode()
    main = page.content.decode().split("<main", 1)[1]
    # The only form offered is "sign out and sign in with another address", not "accept".
    assert main.count("<form") == 1
    assert 'action="/accounts/logout/"' in main
    assert response.status_code == 200
    assert not Membership.objects.filter(organization=organization, user=other_member).exists()
    invitation_for_resident.refresh_from_db()
    assert invitation_for_resident.accepted_at is None


def test_expired_invitation_cannot_be_accepted_on_the_page(
    as_user, organization, resident, invitation_for_resident
):
    Invitation.objects.filter(pk=invitation_for_resident.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    response = as_user(resident).post(url("invitation", invitation_for_resident.token))

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Membership.objects.filter(organization=organization, user=resident).exists()


def test_unknown_invitation_token_is_404(as_user, resident):
    assert as_user(resident).get(url("invitation", "no-such-token")).status_code == 404


# --- collaboration projects -------------------------------------------------------------------


def test_project_catalogue_lists_published_projects_with_verified_partners(
    client, organization, other_organization
):
    factories.make_project(title="輪西の協働事業", organizations=[organization, other_organization])
    factories.make_project(title="準備中の事業", is_published=False)

    response = client.get(url("project_list"))

    assert response.status_code == 200
    titles = [p.title for p in response.context["page"]]
    assert "輪西の協働事業" in titles
    assert "準備中の事業" not in titles
    html = response.content.decode()
    assert "輪西まちづくりの会" in html
    assert "白鳥台ふれあいの会" not in html  # pending partner not named publicly


@pytest.mark.parametrize(
    ("query", "expected_codes"),
    [
        ({"lead": "citizen-led"}, {"subsidy", "patronage"}),
        ({"form": "committee"}, {"committee"}),
    ],
)
def test_project_catalogue_filters_by_lead_and_form(client, db, query, expected_codes):
    response = client.get(url("project_list"), query)

    codes = {p.form.code for p in response.context["page"]}
    assert codes == expected_codes


def test_project_catalogue_filters_by_fiscal_year(client, db):
    factories.make_project(title="昨年度の事業", fiscal_year=2025)

    response = client.get(url("project_list"), {"year": 2025})

    assert [p.title for p in response.context["page"]] == ["昨年度の事業"]


def test_project_catalogue_is_paginated(client, db):
    for n in range(30):
        factories.make_project(title=f"事業{n:02d}", fiscal_year=2030)

    first = client.get(url("project_list"))
    last = client.get(url("project_list"), {"page": first.context["page"].paginator.num_pages})

    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.count == 30 + 14  # plus the guideline's examples
    assert len(last.context["page"]) == 4


def test_project_detail_is_public_and_names_verified_partners_only(
    client, organization, other_organization
):
    project = factories.make_project(
        title="港まつり",
        organizations=[organization, other_organization],
        other_partners="室蘭商工会議所",
    )

    response = client.get(url("project_detail", project.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "輪西まちづくりの会" in html
    assert "室蘭商工会議所" in html
    assert "白鳥台ふれあいの会" not in html


def test_unpublished_project_is_404(client, db):
    project = factories.make_project(is_published=False)

    assert client.get(url("project_detail", project.pk)).status_code == 404


def test_page_title_says_there_are_errors_after_a_bad_submit(as_user, resident):
    response = as_user(resident).post(
        url("register"), factories.organization_form_data(name_kana="漢字")
    )
    title = response.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]
    from django.utils import translation

    with translation.override("ja"):
        expected = translation.gettext("Please correct the errors")
    assert response.context["form"].errors
    assert expected != "Please correct the errors"  # translated
    assert title.startswith(expected)


# --- a form posted without an optional field ------------------------------------------------


def test_registering_without_the_public_email_field_saves_it_empty(as_user, resident):
    # Posted by hand without the optional field: once a 500 (the e-mail field gave None to a
    # NOT NULL column).
    data = {**factories.organization_form_data(), "_submit": "1"}
    del data["public_email"]

    response = as_user(resident).post(url("register"), data)

    organization = Organization.objects.get()
    assert response.status_code == 302
    assert organization.public_email == ""
    assert organization.memberships.get().user == resident


def test_editing_without_the_public_email_field_clears_it(as_user, organization, representative):
    organization.public_email = "info@example.jp"
    organization.save()
    data = factories.organization_edit_data(organization, description="新しい説明")
    del data["public_email"]

    response = as_user(representative).post(url("edit", organization.pk), data)

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.description, organization.public_email) == ("新しい説明", "")


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "室蘭\u202e会の港"])
def test_a_name_of_invisible_or_direction_characters_is_refused_next_to_it(as_user, resident, name):
    client = as_user(resident)
    client.cookies["django_language"] = "ja"
    response = client.post(
        url("register"), {**factories.organization_form_data(name=name), "_submit": "1"}
    )

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert "見える文字" in response.content.decode() or "向き" in response.content.decode()
    assert not Organization.objects.exists()

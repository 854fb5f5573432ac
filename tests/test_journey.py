"""The whole journey of a group, through the test client as a browser would take it:
sign up → confirm the address → register the organisation (入力 → 確認 → 完了) → the city
verifies it in the admin → it is listed publicly, without anyone's private details."""

import re
from html.parser import HTMLParser

from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils.translation import gettext, ngettext, override

from accounts.models import User
from organizations.models import Membership, Organization, OrganizationStatusChange
from tests import factories

CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


class _FormFields(HTMLParser):
    """The hidden (name, value) pairs of the page's main form (class="form"), as a browser
    would send them back."""

    def __init__(self):
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._in_post_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_post_form = "form" in (attrs.get("class") or "").split()
        elif tag == "input" and self._in_post_form and attrs.get("type") == "hidden":
            self.pairs.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post_form = False


def _hidden_fields(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_a_group_signs_up_registers_and_is_listed_after_the_city_verifies_it(
    staff_client, django_capture_on_commit_callbacks
):
    browser = Client()  # the resident's own browser; staff_client is the city's

    # 1. Sign up, typing the address in full width and the reading in hiragana (the mail goes
    #    once the request's writes commit).
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/accounts/signup/",
            {
                "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
                "password1": "kyodo-journey-2026",
                "password2": "kyodo-journey-2026",
                "family_name": "輪西",
                "given_name": "花子",
                "family_name_kana": "わにし",
                "given_name_kana": "はなこ",
                "display_name": "はなこ",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="hanako@example.jp")
    assert (user.family_name_kana, user.given_name_kana) == ("ワニシ", "ハナコ")
    assert SESSION_KEY not in browser.session

    # 2. The verification e-mail arrives; opening the link asks, confirming signs in.
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    assert browser.get(path).status_code == 200
    response = browser.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/mypage/"
    assert browser.session[SESSION_KEY] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    mail.outbox.clear()

    # 3. Register the organisation: the form, then the confirmation page, then 登録.
    assert browser.get("/organizations/new/").status_code == 200
    form_data = {
        "name": "イタンキ浜ビオトープの会",
        "name_kana": "いたんきはまびおとーぷのかい",
        "actor_type": str(factories.actor_type("npo").pk),
        "district": str(factories.district("東町").pk),
        "description": "イタンキ浜周辺のビオトープを市と協定を結んで管理しています。",
        "founded_year": "２００８",
        "member_count": "15",
        "representative_title": "会長",
        "public_email": "",
        "public_phone": "",
        "website": "",
        "contact_note": "市民活動センター気付",
    }
    response = browser.post("/organizations/new/", form_data)
    assert response.status_code == 200
    assert response.context["step"] == "confirm"
    assert not Organization.objects.exists()  # nothing saved at the confirmation step
    confirm_html = response.content.decode()
    assert "イタンキ浜ビオトープの会" in confirm_html
    assert "イタンキハマビオトープノカイ" in confirm_html
    hidden = _hidden_fields(confirm_html)
    assert hidden["name"] == ["イタンキ浜ビオトープの会"]

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/organizations/new/", {**hidden, "_submit": "1"})
    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{organization.pk}/registered/"
    assert browser.get(response["Location"]).status_code == 200

    # 4. Saved as pending, with the resident as its representative, and a receipt e-mailed.
    assert organization.status == Organization.Status.PENDING
    assert organization.name_kana == "イタンキハマビオトープノカイ"
    assert organization.founded_year == 2008
    assert Membership.objects.get(organization=organization).user == user
    assert Membership.objects.get(organization=organization).role == Membership.Role.REPRESENTATIVE
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert "イタンキ浜ビオトープの会" in mail.outbox[0].subject
    assert f"/organizations/{organization.pk}/manage/" in mail.outbox[0].body
    mail.outbox.clear()

    # 5. Not public yet: absent from the directory and closed to anyone else.
    anonymous = Client()
    assert "イタンキ浜ビオトープの会" not in anonymous.get("/organizations/").content.decode()
    assert anonymous.get(f"/organizations/{organization.pk}/").status_code == 404
    assert "イタンキ浜ビオトープの会" not in anonymous.get("/").content.decode()
    # Its representative can see it, marked as not yet published.
    assert browser.get(f"/organizations/{organization.pk}/").status_code == 200

    # 6. The city verifies it through the admin action. City staff work with the
    # organisation permissions (the cast's staff member has none by default).
    staff = staff_client_user()
    staff.user_permissions.add(Permission.objects.get(codename="change_organization"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/organizations/organization/",
            {
                "action": "verify",
                "_selected_action": [str(organization.pk)],
                "reason": "",
                "index": "0",
            },
            follow=True,
        )
    assert response.status_code == 200
    with override("ja"):
        done = ngettext("%(n)d organisation changed.", "%(n)d organisations changed.", 1) % {"n": 1}
    assert [str(m) for m in response.context["messages"]] == [done]
    organization.refresh_from_db()
    assert organization.status == Organization.Status.VERIFIED
    change = OrganizationStatusChange.objects.filter(organization=organization).first()
    assert (change.old_status, change.new_status, change.by) == ("pending", "verified", staff)

    # 7. The representative is told.
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    with override("ja"):
        verified_label = str(Organization.Status.VERIFIED.label)
    assert "イタンキ浜ビオトープの会" in mail.outbox[0].subject
    assert verified_label in mail.outbox[0].subject

    # 8. Now listed publicly, with what the group chose to publish and nothing private.
    directory = anonymous.get("/organizations/").content.decode()
    assert f'<a href="/organizations/{organization.pk}/">イタンキ浜ビオトープの会</a>' in directory
    response = anonymous.get(f"/organizations/{organization.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "イタンキ浜ビオトープの会" in page
    assert "市民活動センター気付" in page
    assert "会長" in page
    for private in ("hanako@example.jp", "hanako", "輪西", "花子", "ワニシ", "ハナコ"):
        assert private not in page, private
    with override("ja"):
        not_published = gettext(
            "Not published yet: only your organisation's members and the city can see this page."
        )
    assert not_published not in page
    assert "イタンキ浜ビオトープの会" in anonymous.get("/").content.decode()


def staff_client_user():
    return User.objects.get(email="staff@city.muroran.example.jp")

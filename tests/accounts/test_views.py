"""Account pages through the client: profile editing, sign-up with e-mail verification,
sign-in, password reset and change, sign-out."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils.html import escape
from django.utils.translation import gettext, override

from accounts.models import User
from muroran_kyodo.lib import jp
from tests import factories
from tests.mailing import committed

PROFILE = {
    "family_name": "輪西",
    "given_name": "花子",
    "family_name_kana": "ワニシ",
    "given_name_kana": "ハナコ",
    "display_name": "はなこ",
    "phone": "0143-22-1111",
    "postal_code": "051-8511",
    "address": "室蘭市輪西町1-1",
    "district": "",
}

SIGNUP = factories.SIGNUP_DATA

CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"https?://testserver(/accounts/password/reset/key/[^/\s]+/)")


def _message(text) -> str:
    """A message as the Japanese page shows it (translated or not yet), HTML-escaped."""
    with override("ja"):
        return escape(str(text))


def _signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- Profile ---------------------------------------------------------------------------------


def test_profile_page_requires_sign_in(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_profile_page_shows_current_details(client, resident):
    client.force_login(resident)
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="family_name" value="輪西"' in html
    assert 'name="family_name_kana" value="ワニシ"' in html
    assert 'name="display_name" value="はなこ"' in html


def test_profile_is_saved_and_the_person_goes_back_to_my_page(client, resident):
    client.force_login(resident)
    district = factories.district("白鳥台")
    response = client.post(
        "/accounts/profile/",
        {
            **PROFILE,
            "given_name_kana": "はなこ",
            "phone": "０９０１２３４５６７８",
            "district": district.pk,
        },
        follow=True,
    )
    assert response.redirect_chain == [("/mypage/", 302)]
    resident.refresh_from_db()
    assert resident.given_name_kana == "ハナコ"
    assert resident.phone == "09012345678"
    assert resident.postal_code == "051-8511"
    assert resident.district == district
    with override("ja"):
        expected = gettext("Your profile has been saved.")
    assert [str(m) for m in response.context["messages"]] == [expected]
    # My page shows what was saved.
    html = response.content.decode()
    assert "09012345678" in html
    assert "〒051-8511" in html


def test_profile_with_bad_input_keeps_what_was_typed_and_saves_nothing(client, resident):
    client.force_login(resident)
    response = client.post(
        "/accounts/profile/",
        {
            **PROFILE,
            "family_name_kana": "輪西",
            "postal_code": "051-851",
            "phone": "12345",
            "address": "幸町1-2",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("family_name_kana", code="not_kana")
    assert form.has_error("postal_code", code="invalid_postal_code")
    assert form.has_error("phone", code="invalid_phone")
    html = response.content.decode()
    # What the person typed is still in the fields, to be corrected rather than retyped.
    assert 'name="family_name_kana" value="輪西"' in html
    assert 'name="postal_code" value="051-851"' in html
    assert 'name="phone" value="12345"' in html
    assert 'name="address" value="幸町1-2"' in html
    # Each error is next to its field and summarised on top, linking to the field.
    assert 'class="error-summary"' in html
    assert 'href="#id_postal_code"' in html
    assert _message(jp.KanaField.default_error_messages["not_kana"]) in html
    assert html.count('class="field field--error"') == 3
    resident.refresh_from_db()
    assert resident.family_name_kana == "ワニシ"
    assert resident.phone == ""
    assert resident.address == ""


def test_profile_page_is_never_cached(client, resident):
    client.force_login(resident)
    response = client.get("/accounts/profile/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_profile_cannot_be_used_to_become_staff(client, resident):
    client.force_login(resident)
    client.post("/accounts/profile/", {**PROFILE, "is_staff": "on", "email": "evil@example.jp"})
    resident.refresh_from_db()
    assert not resident.is_staff
    assert resident.email == "resident@example.jp"


# --- Sign-up ---------------------------------------------------------------------------------


def test_signup_page_asks_for_email_names_readings_and_password(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in SIGNUP:
        assert f'name="{name}"' in html, name
    assert 'name="username"' not in html
    # allauth's own labels come from its Japanese catalogue.
    assert "メールアドレス" in html
    assert "パスワード (再入力)" in html


def test_signup_with_a_full_width_address_creates_an_unverified_account_and_sends_the_link(
    client, db
):
    with committed():  # the mail goes once the request's writes commit (the outbox)
        response = client.post(
            "/accounts/signup/",
            {
                **SIGNUP,
                "email": "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ",
                "family_name_kana": "わにし",
                "given_name_kana": "ﾊﾅｺ",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "hanako@example.jp"
    assert (user.family_name, user.given_name) == ("輪西", "花子")
    assert (user.family_name_kana, user.given_name_kana) == ("ワニシ", "ハナコ")
    assert user.display_name == "はなこ"
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("hanako@example.jp", False, True)
    assert _signed_in_user_id(client) is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "【室蘭市 協働ポータル】メールアドレスを確認してください"
    assert CONFIRM_LINK.search(message.body)


def test_signup_sent_page_tells_the_person_to_check_their_mail(client, db):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    html = response.content.decode()
    assert "確認メールを hanako@example.jp へ送信しました。" in html
    assert "メールアドレスを確認してください" in html


def test_signup_with_kanji_in_the_reading_is_refused_and_keeps_the_input(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "family_name_kana": "輪西"})
    assert response.status_code == 200
    assert response.context["form"].has_error("family_name_kana", code="not_kana")
    html = response.content.decode()
    assert 'name="email" value="hanako@example.jp"' in html
    assert 'name="family_name_kana" value="輪西"' in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signup_with_a_taken_address_looks_the_same_and_warns_the_owner(client, resident):
    with committed():
        response = client.post(
            "/accounts/signup/", {**SIGNUP, "email": "ＲＥＳＩＤＥＮＴ＠example.jp"}
        )
    # Same answer as for a new address, so the form does not reveal who is registered.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resident@example.jp"]
    assert mail.outbox[0].subject == "【室蘭市 協働ポータル】アカウントが既に存在"
    assert not CONFIRM_LINK.search(mail.outbox[0].body)


# --- Verification and sign-in ----------------------------------------------------------------


def test_sign_in_is_refused_until_the_address_is_verified(client, db):
    user = factories.make_user("hanako@example.jp", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with committed():
        response = client.post(
            "/accounts/login/", {"login": "hanako@example.jp", "password": factories.PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _signed_in_user_id(client) is None
    assert client.get("/mypage/").status_code == 302
    # The link is sent (again), since the person may have lost the first one.
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert CONFIRM_LINK.search(mail.outbox[0].body)


def test_confirmation_mails_are_resent_at_most_every_three_minutes(client, db):
    start = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    credentials = {"login": "hanako@example.jp", "password": SIGNUP["password1"]}
    with time_machine.travel(start, tick=False) as clock:
        with committed():
            client.post("/accounts/signup/", SIGNUP)
        client.logout()
        clock.shift(dt.timedelta(minutes=1))
        with committed():
            response = client.post("/accounts/login/", credentials)
        assert response["Location"] == "/accounts/confirm-email/"
        assert len(mail.outbox) == 1  # only the sign-up mail
        clock.shift(dt.timedelta(minutes=3))
        with committed():
            client.post("/accounts/login/", credentials)
        assert len(mail.outbox) == 2
    assert _signed_in_user_id(client) is None


def test_opening_the_confirmation_link_asks_before_confirming(client, db):
    # allauth signs the key afresh when it renders the page: with the clock
    # held, the form posts to the very link in the mail (a second boundary
    # between the two made this test fail on CI).
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        with committed():
            client.post("/accounts/signup/", SIGNUP)
        path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
        response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "メールアドレスの確認" in html
    assert f'action="{path}"' in html
    # A mail scanner that follows links must not verify the address.
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified


def test_confirming_the_link_verifies_the_address_and_signs_in(client, db):
    with committed():
        client.post("/accounts/signup/", SIGNUP)
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/mypage/"
    user = User.objects.get(email="hanako@example.jp")
    assert EmailAddress.objects.get(user=user).verified
    assert _signed_in_user_id(client) == str(user.pk)
    assert client.get("/mypage/").status_code == 200


def test_confirming_in_another_browser_verifies_but_does_not_sign_in(client, db):
    with committed():
        client.post("/accounts/signup/", SIGNUP)
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    other = Client()
    response = other.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert EmailAddress.objects.get(email="hanako@example.jp").verified
    assert _signed_in_user_id(other) is None


def test_a_made_up_confirmation_key_verifies_nothing(client, db):
    client.post("/accounts/signup/", SIGNUP)
    response = client.get("/accounts/confirm-email/MQ:forged:key/")
    assert response.status_code == 200
    assert "メールアドレス確認用のリンクが不正か、期限が切れています。" in response.content.decode()
    response = client.post("/accounts/confirm-email/MQ:forged:key/")
    assert response.status_code == 404
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified
    assert _signed_in_user_id(client) is None


def test_verified_user_signs_in_with_a_full_width_address(client, resident):
    response = client.post(
        "/accounts/login/",
        {"login": "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/mypage/"
    assert _signed_in_user_id(client) == str(resident.pk)


def test_wrong_password_gives_allauths_japanese_error(client, resident):
    response = client.post(
        "/accounts/login/", {"login": "resident@example.jp", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert (
        "入力されたメールアドレスもしくはパスワードが正しくありません。"
        in response.content.decode()
    )
    assert _signed_in_user_id(client) is None


# --- Password reset --------------------------------------------------------------------------


def test_password_reset_for_a_known_address_sends_a_link(client, resident):
    with committed():
        response = client.post("/accounts/password/reset/", {"email": "resident@example.jp"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resident@example.jp"]
    assert mail.outbox[0].subject == "【室蘭市 協働ポータル】パスワード再設定メール"
    assert RESET_LINK.search(mail.outbox[0].body)


def test_password_reset_for_an_unknown_address_shows_the_same_page(client, resident):
    with committed():
        known = client.post("/accounts/password/reset/", {"email": "resident@example.jp"})
    mail.outbox.clear()
    with committed():
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    # The unknown address is told there is no account; it gets no reset link.
    assert [m.to for m in mail.outbox] == [["nobody@example.jp"]]
    assert not RESET_LINK.search(mail.outbox[0].body)


def test_password_reset_link_sets_a_new_password(client, resident):
    with committed():
        client.post(
            "/accounts/password/reset/", {"email": "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ"}
        )
    path = RESET_LINK.search(mail.outbox[0].body).group(1)
    response = client.get(path)
    assert response.status_code == 302  # the key moves into the session, out of the URL
    response = client.post(
        response["Location"], {"password1": "brand-new-pass-77", "password2": "brand-new-pass-77"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    resident.refresh_from_db()
    assert resident.check_password("brand-new-pass-77")
    assert not resident.check_password(factories.PASSWORD)


# --- Password change and sign-out ------------------------------------------------------------


def test_password_change_requires_sign_in(client, db):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change_keeps_the_person_signed_in(client, resident):
    client.force_login(resident)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": factories.PASSWORD,
            "password1": "brand-new-pass-77",
            "password2": "brand-new-pass-77",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("brand-new-pass-77")
    assert client.get("/mypage/").status_code == 200


def test_password_change_with_the_wrong_current_password_is_refused(client, resident):
    client.force_login(resident)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not-my-password",
            "password1": "brand-new-pass-77",
            "password2": "brand-new-pass-77",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("oldpassword")
    assert "現在のパスワードを入力してください。" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(factories.PASSWORD)


def test_sign_out_by_get_only_asks(client, resident):
    client.force_login(resident)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert _signed_in_user_id(client) == str(resident.pk)


def test_sign_out_by_post_ends_the_session(client, resident):
    client.force_login(resident)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signed-out/"
    assert _signed_in_user_id(client) is None
    assert client.get("/mypage/").status_code == 302


@pytest.mark.parametrize(
    "path", ["/accounts/profile/", "/accounts/password/change/", "/accounts/email/"]
)
def test_account_pages_send_anonymous_visitors_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")

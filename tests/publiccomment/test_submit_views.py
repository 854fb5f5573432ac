"""The opinion form through the client: 入力 → 確認 → 完了, the receipt, prefill, the honeypot,
the rate limit, a case that is not open, and text kept exactly and shown escaped."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from muroran_kyodo.lib import ratelimit
from publiccomment.forms import HONEYPOT_REFUSED, OPINION_ROWS
from publiccomment.models import (
    MAX_OPINIONS_PER_SUBMISSION,
    Case,
    Eligibility,
    Opinion,
    Submission,
)
from publiccomment.views.submit import SESSION_KEY
from tests import factories
from tests.forms import form_data
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def ja(message, **values):
    with override("ja"):
        text = gettext(message)
    return text % values if values else text


def _url(case):
    return reverse("publiccomment:submit", args=[case.pk])


def _filled(client, case, **changes):
    """The form as shown (with its key), filled in as a resident would."""
    data = form_data(client.get(_url(case)).content)
    sections = list(case.sections.all())
    data.update(
        {
            "kind": "individual",
            "name": "輪西 花子",
            "address": "室蘭市輪西町1丁目1番1号",
            "phone": "0143-00-0000",
            "email": "hanako@example.jp",
            "eligibility": Eligibility.RESIDENT,
            "opinion1_section": str(sections[1].pk),
            "opinion1_text": "公園の樹木を増やしてください。\n理由：夏の日陰が足りないため。",
            "opinion2_section": "",
            "opinion2_text": "計画全体に賛成です。",
        }
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _confirm(client, case, **changes):
    response = client.post(_url(case), _filled(client, case, **changes))
    return response


def _send(client, case, **changes):
    """Through the confirmation page, as a browser posts it back."""
    confirm = _confirm(client, case, **changes)
    assert confirm.status_code == 200
    assert "_submit" in confirm.content.decode(), "not on the confirmation page"
    data = form_data(confirm.content)
    data["_submit"] = "1"
    return client.post(_url(case), data), data


# --- 入力 → 確認 → 完了 ---------------------------------------------------------------------


def test_it_shows_the_form_to_anyone_while_the_case_is_open(client, case):
    response = client.get(_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert case.title in html
    assert "意見の内容確認のため" in html  # the purpose, beside the form
    assert html.count('name="opinion') >= OPINION_ROWS * 2
    assert 'data-show-for="kind:organization"' in html
    # Only the case's categories of who may submit.
    for value in Eligibility.values:
        assert f'value="{value}"' in html


def test_only_the_cases_categories_are_offered(client):
    case = pf.make_case(may_submit=[Eligibility.RESIDENT, Eligibility.COMMUTER])
    html = client.get(_url(case)).content.decode()
    assert 'value="resident"' in html and 'value="commuter"' in html
    assert 'value="business"' not in html and 'value="interested"' not in html
    response = _confirm(client, case, eligibility=Eligibility.BUSINESS)
    assert "_submit" not in response.content.decode()
    assert escape(ja("Choose who you are among those who may send opinions on this case.")) in (
        response.content.decode()
    )


def test_a_resident_sends_two_opinions_through_the_confirmation(client, case):
    confirm = _confirm(client, case)
    html = confirm.content.decode()
    assert ja("Check what you wrote. Nothing has been sent yet.") in html
    assert "輪西 花子" in html and "公園の樹木を増やしてください。<br>理由" in html
    assert not Submission.objects.exists()

    response, _data = _send(client, case)

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("publiccomment:submission_receipt", args=[submission.pk])
    assert submission.number == f"PC-{case.code}-0001"
    assert (submission.name, submission.email, submission.user) == (
        "輪西 花子",
        "hanako@example.jp",
        None,
    )
    opinions = list(submission.opinions.order_by("position"))
    assert [(o.section and o.section.number, o.text) for o in opinions] == [
        (2, "公園の樹木を増やしてください。\n理由：夏の日陰が足りないため。"),
        (None, "計画全体に賛成です。"),
    ]
    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert receipt.status_code == 200
    assert submission.number in text
    assert "令和8年6月15日" in text
    assert "計画全体に賛成です。" in text
    assert ja("What happens next") in text
    assert (
        ja(
            "Your opinion has been sent. Your receipt number is %(number)s.",
            number=submission.number,
        )
        in text
    )


def test_back_and_change_keeps_everything(client, case):
    data = form_data(_confirm(client, case).content)
    data["_back"] = "1"
    html = client.post(_url(case), data).content.decode()
    assert "_submit" not in html
    assert "公園の樹木を増やしてください。" in html and 'value="輪西 花子"' in html
    assert "error-summary" not in html


def test_empty_rows_are_ignored_and_one_opinion_is_required(client, case):
    response = _confirm(client, case, opinion1_text="", opinion2_text="   ")
    html = response.content.decode()
    assert "_submit" not in html
    assert ja("Write at least one opinion.") in html
    assert 'name="name" value="輪西 花子"' in html or 'value="輪西 花子"' in html

    response, _data = _send(client, case, opinion1_text="", opinion3_text="三つ目だけ")
    assert [o.text for o in Opinion.objects.all()] == ["計画全体に賛成です。", "三つ目だけ"]


def test_a_text_over_the_limit_is_refused_next_to_it(client, case):
    response = _confirm(client, case, opinion2_text="あ" * 4001)
    html = response.content.decode()
    assert "_submit" not in html
    assert 'href="#id_opinion2_text"' in html
    assert "4001" in html
    assert not Submission.objects.exists()


def test_an_organisation_gives_its_name_and_may_agree_to_publish_it(client, case):
    response = _confirm(client, case, kind="organization")
    assert escape(ja("Enter the organisation's name.")) in response.content.decode()

    _send(
        client,
        case,
        kind="organization",
        organization_name="輪西まちづくりの会",
        organization_name_public="on",
    )
    submission = Submission.objects.get()
    assert (submission.kind, submission.organization_name, submission.public_name) == (
        "organization",
        "輪西まちづくりの会",
        "輪西まちづくりの会",
    )


def test_an_individual_never_carries_an_organisation_name(client, case):
    _send(client, case, organization_name="どこかの会", organization_name_public="on")
    submission = Submission.objects.get()
    assert (submission.organization_name, submission.organization_name_public) == ("", False)


def test_add_another_opinion_keeps_everything_and_adds_a_row(client, case):
    data = _filled(client, case)
    data["_add"] = "1"
    html = client.post(_url(case), data).content.decode()
    assert f'name="opinion{OPINION_ROWS + 1}_text"' in html
    assert f'name="opinion{OPINION_ROWS + 2}_text"' not in html
    assert "autofocus" in html
    assert "公園の樹木を増やしてください。" in html and 'value="輪西 花子"' in html
    assert f'value="{data["token"][0]}"' in html  # the same form key
    assert "error-summary" not in html  # nothing checked yet
    assert not Submission.objects.exists()


def test_rows_stop_at_the_maximum(client, case):
    data = _filled(client, case, opinion_rows=str(MAX_OPINIONS_PER_SUBMISSION + 50))
    data["_add"] = "1"
    html = client.post(_url(case), data).content.decode()
    assert f'name="opinion{MAX_OPINIONS_PER_SUBMISSION}_text"' in html
    assert f'name="opinion{MAX_OPINIONS_PER_SUBMISSION + 1}_text"' not in html
    assert 'name="_add"' not in html


def test_a_section_of_another_case_is_refused(client, case):
    other = pf.make_case()
    response = _confirm(client, case, opinion1_section=str(other.sections.first().pk))
    assert escape(ja("Choose a section of this draft.")) in response.content.decode()


def test_text_with_markup_is_stored_exactly_and_shown_escaped(client, case):
    text = '<script>alert("x")</script> & <b>太字</b>\n  二行目  '
    confirm = _confirm(client, case, opinion1_text=text, opinion2_text="")
    assert "<script>alert" not in confirm.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in confirm.content.decode()
    response, _data = _send(client, case, opinion1_text=text, opinion2_text="")
    assert Opinion.objects.get().text == text
    receipt = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in receipt
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;太字" in receipt


# --- signed in -------------------------------------------------------------------------------


def test_a_signed_in_resident_gets_their_details_filled_in(client, case):
    user = factories.make_user(
        "hanako@example.jp",
        family_name="輪西",
        given_name="花子",
        phone="0143-11-2222",
        postal_code="051-0001",
        address="室蘭市輪西町1丁目",
    )
    client.force_login(user)
    html = client.get(_url(case)).content.decode()
    assert 'value="輪西 花子"' in html
    assert 'value="hanako@example.jp"' in html
    assert 'value="0143-11-2222"' in html
    assert "〒051-0001 室蘭市輪西町1丁目" in html

    _send(client, case)
    submission = Submission.objects.get()
    assert submission.user == user
    # The receipt is theirs from any browser they sign in on.
    other_browser = factories.sign_in(type(client)(), user)
    assert other_browser.get(submission.get_absolute_url()).status_code == 200


# --- double submit, honeypot, rate limit ----------------------------------------------------


def test_sending_the_same_form_twice_gives_the_first_receipt(client, case):
    first, data = _send(client, case)
    again = client.post(_url(case), data)
    assert Submission.objects.count() == 1
    assert again.status_code == 302
    assert again["Location"] == first["Location"]


def test_the_same_form_sent_again_after_a_change_says_the_change_was_not_sent(client, case):
    first, data = _send(client, case)
    data["opinion1_text"] = "あとから書き直した意見"
    again = client.post(_url(case), data, follow=True)
    assert Submission.objects.count() == 1
    assert again.redirect_chain[0][0] == first["Location"]
    html = again.content.decode()
    number = Submission.objects.get().number
    assert f"この用紙は既に送信されています（受付番号 {number}）" in html
    assert "あとから書き直した意見" not in html
    # A plain double click says nothing of the kind.
    html = client.post(
        _url(case), {**data, "opinion1_text": _filled(client, case)["opinion1_text"]}, follow=True
    ).content.decode()
    assert "既に送信されています" not in html


def test_a_form_key_from_someone_else_does_not_open_their_receipt(client, case):
    _first, data = _send(client, case)
    stranger = type(client)()
    data.update({"name": "知らない 人", "email": "x@example.jp"})
    response = stranger.post(_url(case), data)
    assert response.status_code == 200
    assert ja("This form was already used. Reload the page to write a new one.") in (
        response.content.decode()
    )
    assert Submission.objects.count() == 1


def test_a_filled_honeypot_saves_nothing_and_says_so_generically(client, case):
    response = _confirm(client, case, website="http://spam.example")
    html = response.content.decode()
    assert "_submit" not in html
    assert escape(str(HONEYPOT_REFUSED)) in html or escape(ja(str(HONEYPOT_REFUSED))) in html
    # Everything else is kept; the hidden field comes back empty, so a person can send.
    assert "公園の樹木を増やしてください。" in html
    assert 'name="website" id="id_website" value=""' in html
    # A bot posting the final step directly gets the same.
    data = _filled(client, case, website="http://spam.example")
    data["_submit"] = "1"
    assert client.post(_url(case), data).status_code == 200
    assert not Submission.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, case):
    html = client.get(_url(case)).content.decode()
    wrapper = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert wrapper is not None
    assert 'name="website"' in wrapper.group(1)
    assert 'tabindex="-1"' in wrapper.group(1)
    assert 'autocomplete="off"' in wrapper.group(1)


def test_over_the_rate_limit_the_form_comes_back_with_everything(client, case, settings):
    settings.RATE_LIMITS = {"publiccomment.submission": {"email": "1/h"}}
    _send(client, case)
    response, _data = _send(client, case, opinion1_text="二通目の意見")
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(ja(str(ratelimit.LIMITED))) in html
    assert "二通目の意見" in html
    assert Submission.objects.count() == 1


def test_a_mistyped_form_does_not_count_against_the_limit(client, case, settings):
    settings.RATE_LIMITS = {"publiccomment.submission": {"email": "1/h"}}
    for _attempt in range(3):
        data = _filled(client, case, name="")
        data["_submit"] = "1"
        response = client.post(_url(case), data)
        assert escape(ja("Enter your name.")) in response.content.decode()
    _send(client, case)
    assert Submission.objects.count() == 1


def test_e_mail_copy_with_the_receipt_number(client, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, case)
    submission = Submission.objects.get()
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert submission.number in message.subject
    assert submission.number in message.body
    assert "計画全体に賛成です。" in message.body


def test_no_e_mail_without_an_address(client, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, case, email="")
    assert Submission.objects.count() == 1
    assert mail.outbox == []


# --- a case that is not open ---------------------------------------------------------------


def test_a_draft_or_unknown_case_is_404(client):
    draft = pf.make_case(status=Case.Status.DRAFT)
    assert client.get(_url(draft)).status_code == 404
    assert client.post(_url(draft), {"name": "x"}).status_code == 404
    assert client.get(reverse("publiccomment:submit", args=[draft.pk + 999])).status_code == 404


@pytest.mark.parametrize(
    ("opens", "closes", "status", "says"),
    [
        (dt.timedelta(days=1), dt.timedelta(days=31), "announced", "Opinions are not taken yet."),
        (
            -dt.timedelta(days=40),
            -dt.timedelta(days=1),
            "announced",
            "The window for opinions has closed.",
        ),
        (
            -dt.timedelta(days=40),
            -dt.timedelta(days=1),
            "result",
            "The window for opinions has closed.",
        ),
        (
            -dt.timedelta(days=40),
            dt.timedelta(days=1),
            "abandoned",
            "The city has abandoned this plan: opinions are no longer taken.",
        ),
    ],
)
def test_a_case_not_open_says_when_it_takes_opinions(client, opens, closes, status, says):
    case = pf.make_case(opens_at=NOW + opens, closes_at=NOW + closes, status=status)
    response = client.get(_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert ja(says) in html
    assert 'name="opinion1_text"' not in html
    assert "令和" in html  # the dates, in 和暦


def test_closed_while_typing_keeps_what_was_typed(client, case, frozen):
    data = _filled(client, case)
    confirm = client.post(_url(case), data)
    frozen.move_to(case.closes_at)  # 17:00:00 JST exactly: closed
    back = form_data(confirm.content)
    back["_submit"] = "1"
    response = client.post(_url(case), back)
    html = response.content.decode()
    assert response.status_code == 200
    assert "公園の樹木を増やしてください。" in html
    assert (
        ja(
            "The window closed at %(closes)s: opinions can no longer be sent.",
            closes="2026-07-01 17:00",
        )
        in html
    )
    assert not Submission.objects.exists()


# --- the receipt ---------------------------------------------------------------------------


def test_another_persons_receipt_is_404(client, case, resident):
    response, _data = _send(client, case)
    url = response["Location"]
    assert client.get(url).status_code == 200  # this browser sent it
    assert type(client)().get(url).status_code == 404  # anonymous elsewhere
    other = type(client)()
    other.force_login(resident)
    assert other.get(url).status_code == 404


def test_staff_who_may_view_submissions_see_the_receipt(comment_staff_client, case):
    submission = pf.submit(case, "紙で届いた意見", channel="fax", received_at=case.opens_at)
    response = comment_staff_client.get(submission.get_absolute_url())
    assert response.status_code == 200
    assert submission.number in response.content.decode()


def test_staff_of_another_department_do_not(client, case):
    submission = pf.submit(case, "意見")
    clerk = factories.make_user("other-staff@city.muroran.example.jp", staff=True)
    factories.with_second_factor(client, clerk)
    assert client.get(submission.get_absolute_url()).status_code == 404


def test_the_session_remembers_the_submissions_made_here(client, case):
    _send(client, case)
    _send(client, case, email="")  # a new form, a new key
    pks = list(Submission.objects.order_by("pk").values_list("pk", flat=True))
    assert list(client.session[SESSION_KEY]) == [str(pk) for pk in pks]


def test_the_session_opens_its_receipts_for_an_hour_only(client, case, frozen):
    response, _data = _send(client, case)
    receipt = response["Location"]
    assert client.get(receipt).status_code == 200
    frozen.shift(dt.timedelta(minutes=59))
    assert client.get(receipt).status_code == 200
    frozen.shift(dt.timedelta(minutes=2))
    assert client.get(receipt).status_code == 404


def test_the_receipt_page_takes_no_post(client, case):
    response, _data = _send(client, case)
    assert client.post(response["Location"]).status_code == 405


def test_the_receipt_lists_the_opinions_with_constant_queries(client, case):
    small = pf.submit(case, "一つ")
    large = pf.submit(case, *[f"意見{n}" for n in range(15)], email="")
    session = client.session
    now = int(timezone.now().timestamp())
    session[SESSION_KEY] = {str(small.pk): now, str(large.pk): now}
    session.save()
    with CaptureQueriesContext(connection) as few:
        client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        html = client.get(large.get_absolute_url()).content.decode()
    assert len(few) == len(many)
    assert "意見14" in html


def test_the_form_key_is_a_uuid_and_a_forged_one_is_replaced(client, case):
    data = _filled(client, case, token="not-a-uuid")
    confirm = client.post(_url(case), data).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', confirm).group(1)
    assert uuid.UUID(token)


def test_a_form_posted_without_the_e_mail_field_is_saved_with_no_address(client, case):
    # Posted by hand without the optional field: once a 500 (the field gave None to a NOT
    # NULL column), on the confirmation step and on sending.
    confirm = client.post(_url(case), _filled(client, case, email=None))
    assert confirm.status_code == 200
    data = form_data(confirm.content)
    data.pop("email", None)
    data["_submit"] = "1"

    response = client.post(_url(case), data)

    assert response.status_code == 302
    assert Submission.objects.get().email == ""

"""No personal data of a submitter on any public response of パブリックコメント: unique strings
seeded as names, addresses, phone numbers, e-mail addresses and a non-public organisation's
name are searched for in every public page, export and form of the app, and the home page and
the figures. An organisation that agreed is named on the opinions page, and only there."""

import pytest
from django.urls import reverse

from publiccomment.models import Channel
from tests.publiccomment import factories as pf
from tests.publiccomment.results import add_document, group_all, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PERSONAL = {
    "name": "秘密野ＸＱ太郎",
    "address": "室蘭市秘密町９丁目ＸＱ番地",
    "phone": "0143-98-7654",
    "email": "secret-xq-person@example.jp",
}
ORGANISATION = {"name": "秘密野ＸＱ代表", "organisation": "非公開ＸＱ研究会"}
PUBLIC_ORGANISATION = "公表可ＸＱ町内会"


def _seed(case, *, channel=Channel.WEB):
    extra = {} if channel == Channel.WEB else {"received_at": pf.NOW}
    pf.submit(
        case,
        "公園を増やしてほしい。",
        name=PERSONAL["name"],
        address=PERSONAL["address"],
        phone=PERSONAL["phone"],
        email=PERSONAL["email"],
        channel=channel,
        **extra,
    )
    pf.submit(
        case,
        "団体として意見を述べます。",
        kind="organization",
        name=ORGANISATION["name"],
        organization_name=ORGANISATION["organisation"],
        organization_name_public=False,
        email="secret-xq-org@example.jp",
        channel=channel,
        **extra,
    )
    pf.submit(
        case,
        "町内会として賛成します。",
        kind="organization",
        name="公表可ＸＱ会長",
        organization_name=PUBLIC_ORGANISATION,
        organization_name_public=True,
        channel=channel,
        **extra,
    )


@pytest.fixture
def cases():
    open_case = pf.make_case(title="受付中の計画（案）")
    _seed(open_case)
    add_document(open_case)
    result = pf.make_case(title="結果公表の計画（案）")
    _seed(result)
    _seed(result, channel=Channel.FAX)
    group_all(result)
    publish(result)
    return open_case, result


def _public_urls(open_case, result):
    urls = ["/", "/figures/?year=2026", "/figures.csv?year=2026", "/figures.json?year=2026"]
    urls.append(reverse("publiccomment:case_list"))
    for case in (open_case, result):
        urls += [
            reverse("publiccomment:case_detail", args=[case.pk]),
            reverse("publiccomment:blank_form", args=[case.pk]),
        ]
    urls += [
        reverse(f"publiccomment:{name}", args=[result.pk])
        for name in ("case_result", "case_opinions", "result_csv")
    ]
    return urls


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8-sig")


def test_no_personal_data_on_any_public_response(client, cases):
    open_case, result = cases
    bodies = {}
    for url in _public_urls(open_case, result):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = _body(response)
    # The seeds are really there to find: the opinions and the counts are published.
    opinions = bodies[reverse("publiccomment:case_opinions", args=[result.pk])]
    assert "公園を増やしてほしい。" in opinions and "団体として意見を述べます。" in opinions
    assert "受付中の計画（案）" in bodies["/"]
    for url, body in bodies.items():
        for what, value in {**PERSONAL, **ORGANISATION}.items():
            assert value not in body, f"{what} ({value}) on {url}"
        assert "secret-xq-org@example.jp" not in body, url
        assert "公表可ＸＱ会長" not in body, url  # the representative of a public organisation
    # An organisation that agreed is named with its opinions, and nowhere else.
    assert PUBLIC_ORGANISATION in opinions
    for url, body in bodies.items():
        if url != reverse("publiccomment:case_opinions", args=[result.pk]):
            assert PUBLIC_ORGANISATION not in body, url


def test_the_submit_form_shows_no_one_elses_data(client, cases):
    open_case, _result = cases
    url = reverse("publiccomment:submit", args=[open_case.pk])
    body = client.get(url).content.decode()
    for value in (*PERSONAL.values(), *ORGANISATION.values(), PUBLIC_ORGANISATION):
        assert value not in body


def test_the_case_pages_of_a_signed_in_resident_show_no_one_elses_data(client, cases):
    from tests import factories

    client.force_login(factories.make_user("someone-else@example.jp"))
    open_case, result = cases
    for url in _public_urls(open_case, result):
        body = _body(client.get(url))
        for value in (*PERSONAL.values(), *ORGANISATION.values()):
            assert value not in body, url

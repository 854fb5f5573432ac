"""The public pages of パブリックコメント: the list, a case's page, the result, every opinion,
the CSV, documents and the blank form; what a visitor sees, what stays hidden (cases in
preparation, a result before it is published) and fixed query counts."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from publiccomment import services
from publiccomment.models import Case, Channel, Document, Facility, Issue
from tests.publiccomment import factories as pf
from tests.publiccomment.results import add_document, group_all, publish, result_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Case.Status


def _html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_open_upcoming_and_past_cases_never_drafts(client):
    open_case = pf.make_case(title="みどりの基本計画（案）")
    upcoming = pf.make_case(
        title="公共施設再編計画（案）",
        opens_at=pf.NOW + dt.timedelta(days=10),
        closes_at=pf.NOW + dt.timedelta(days=45),
    )
    considering = pf.make_case(
        title="観光振興計画（案）",
        opens_at=pf.NOW - dt.timedelta(days=60),
        closes_at=pf.NOW - dt.timedelta(days=20),
    )
    result = publish(pf.make_case(title="環境基本計画（案）"))
    abandoned = pf.make_case(title="駐車場条例の改正（案）", status=S.ABANDONED)
    pf.make_case(title="まだ準備中の計画", status=S.DRAFT)

    html = _html(client, reverse("publiccomment:case_list"))

    assert "まだ準備中の計画" not in html
    opens, past = html.index('id="open-cases"'), html.index('id="past-cases"')
    upcoming_at = html.index('id="upcoming-cases"')
    assert opens < html.index("みどりの基本計画（案）") < upcoming_at
    # Open: days left to 1 July (16) and the closing date in 和暦.
    assert "あと16日" in html and "令和8年7月1日" in html
    assert upcoming_at < html.index("公共施設再編計画（案）") < past
    assert "令和8年6月25日" in html  # opens in ten days
    for case in (considering, result, abandoned):
        assert html.index(case.title) > past
        assert reverse("publiccomment:case_detail", args=[case.pk]) in html
    assert "令和8年度" in html
    assert reverse("publiccomment:case_result", args=[result.pk]) in html
    assert "状態：締切後・検討中" not in html  # a <td> under 状態 has the bare label
    assert "締切後・検討中" in html and "結果公表" in html and "中止" in html
    assert 'class="status status--considering"' in html
    assert reverse("publiccomment:case_detail", args=[open_case.pk]) in html
    assert reverse("publiccomment:case_detail", args=[upcoming.pk]) in html


def test_list_with_nothing_says_so(client):
    html = _html(client, reverse("publiccomment:case_list"))
    assert "現在、意見を募集している案件はありません。" in html


def _past_case(year: int, title: str, **extra):
    """A case of 年度 `year` whose result is published."""
    opens = dt.datetime(year, 6, 1, 9, 0, tzinfo=pf.JST)
    return pf.make_case(
        title=title,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=30),
        status=S.RESULT_PUBLISHED,
        **extra,
    )


def test_past_cases_are_shown_one_fiscal_year_at_a_time(client):
    _past_case(2025, "前年度の計画")
    _past_case(2024, "二年前の計画")
    _past_case(2024, "二年前のもう一つの計画")
    url = reverse("publiccomment:case_list")

    html = _html(client, url)  # the latest year with past cases
    assert "前年度の計画" in html and "二年前の計画" not in html
    assert '<span aria-current="page">2025年度（令和7年度）</span>' in html
    assert 'href="?year=2024#past-cases">2024年度（令和6年度）</a>' in html

    html = _html(client, url + "?year=2024")
    assert "前年度の計画" not in html
    assert "二年前の計画" in html and "二年前のもう一つの計画" in html
    assert '<span aria-current="page">2024年度（令和6年度）</span>' in html

    # A year without past cases, or anything else typed, shows the latest year: never a 500.
    for junk in ("2019", "abc", "99999999999999999999", ""):
        assert "前年度の計画" in _html(client, f"{url}?year={junk}")


@pytest.mark.parametrize("n", [1, 6])
def test_list_runs_three_queries(client, django_assert_num_queries, n):
    # Open and opening soon; the years with past cases; the past cases of the year shown.
    for i in range(n):
        case = pf.make_case()
        pf.submit(case, "意見です。")
        if i % 2:
            publish(case)
        _past_case(2025 - i, f"過去の計画{i}")
    with django_assert_num_queries(3):
        client.get(reverse("publiccomment:case_list"))


# --- A case's page ----------------------------------------------------------------------------


def test_case_page_shows_the_draft_window_and_every_way_to_submit(client, case, settings):
    Case.objects.filter(pk=case.pk).update(
        legal_basis="都市緑地法第4条", submit_fax="0143-25-0000", submit_email="kikaku@example.jp"
    )
    facility = Facility.objects.filter(is_active=True).first()
    case.facilities.add(facility)
    document = add_document(case)

    html = _html(client, case.get_absolute_url())

    assert case.title in html
    assert "みどりの保全と創出に関する計画の案です。" in html  # summary
    assert "今後10年間のみどりのまちづくりの方針を定めるため。" in html  # purpose
    assert "都市緑地法第4条" in html
    # The draft by section, with anchors.
    assert 'id="section-2"' in html and 'href="#section-2"' in html
    assert "施策の方向の本文です。" in html
    # The window in Japan time with 和暦 and 西暦, and the days left.
    assert "令和8年6月1日（2026年6月1日） 09:00" in html
    assert "令和8年7月1日（2026年7月1日） 17:00" in html
    assert "あと16日" in html
    assert "状態：募集中" in html and 'status--open"' in html
    # Who may submit, and every way to submit.
    assert "市内に住所を有する方" in html
    assert facility.name in html and facility.address in html
    assert settings.PUBLICCOMMENT_ADDRESS in html
    assert "0143-25-0000" in html and "mailto:kikaku@example.jp" in html
    assert reverse("publiccomment:blank_form", args=[case.pk]) in html
    assert document.get_absolute_url() in html and document.original_name in html
    # No reason block for a 30-day window.
    assert "30日未満とする理由" not in html


def test_case_page_offers_the_online_form_at_the_top_and_the_end_while_open(client, case):
    submit_url = reverse("publiccomment:submit", args=[case.pk])
    html = _html(client, case.get_absolute_url())
    assert html.count(f'href="{submit_url}"') >= 2
    assert "call-to-action--top" in html and "call-to-action--end" in html
    Case.objects.filter(pk=case.pk).update(closes_at=pf.NOW - dt.timedelta(minutes=1))
    assert f'href="{submit_url}"' not in _html(client, case.get_absolute_url())


def test_case_page_uses_the_cases_own_postal_address(client, case, settings):
    Case.objects.filter(pk=case.pk).update(submit_address="〒050-0000 室蘭市東町1丁目 企画課")
    html = _html(client, case.get_absolute_url())
    assert "〒050-0000 室蘭市東町1丁目 企画課" in html
    assert settings.PUBLICCOMMENT_ADDRESS not in html


def test_a_window_under_30_days_shows_its_reason(client):
    case = pf.make_case(
        closes_at=pf.OPENS + dt.timedelta(days=14),
        short_window_reason="国の制度改正の施行日に間に合わせるため。",
    )
    html = _html(client, case.get_absolute_url())
    assert "意見募集期間を30日未満とする理由" in html
    assert "国の制度改正の施行日に間に合わせるため。" in html
    assert "15日間" in html


def test_upcoming_case_says_when_it_opens(client):
    case = pf.make_case(
        opens_at=pf.NOW + dt.timedelta(days=3), closes_at=pf.NOW + dt.timedelta(days=40)
    )
    html = _html(client, case.get_absolute_url())
    assert "状態：募集開始前" in html
    assert "2026-06-18" in html and "あと3日" in html


def test_considering_case_takes_no_more_opinions(client):
    case = pf.make_case(
        opens_at=pf.NOW - dt.timedelta(days=40), closes_at=pf.NOW - dt.timedelta(days=5)
    )
    html = _html(client, case.get_absolute_url())
    assert "状態：締切後・検討中" in html
    assert "この案件の意見募集は終了しました。" in html
    assert reverse("publiccomment:case_result", args=[case.pk]) not in html


def test_abandoned_case_says_so_with_the_reason(client, case):
    Case.objects.filter(pk=case.pk).update(
        status=S.ABANDONED,
        abandoned_at=pf.NOW,
        abandon_reason="国の方針が変わり、計画の前提がなくなったため。",
    )
    html = _html(client, case.get_absolute_url())
    assert "状態：中止" in html
    assert "この計画は中止しました" in html
    assert "国の方針が変わり、計画の前提がなくなったため。" in html
    assert "43条4項" in html
    assert "あと16日" not in html  # its window no longer counts


def test_result_case_links_to_its_result(client):
    case = result_case()
    html = _html(client, case.get_absolute_url())
    assert "状態：結果公表" in html
    assert reverse("publiccomment:case_result", args=[case.pk]) in html


@pytest.mark.parametrize("n", [2, 200])
def test_case_page_runs_four_queries_whatever_the_number_of_opinions(
    client, django_assert_num_queries, n
):
    case = result_case(opinions=n)
    case.facilities.add(*Facility.objects.all()[:3])
    add_document(case)
    with django_assert_num_queries(4):
        client.get(case.get_absolute_url())


# --- Not public -------------------------------------------------------------------------------


def _urls(case, document):
    return [
        reverse("publiccomment:case_detail", args=[case.pk]),
        reverse("publiccomment:case_result", args=[case.pk]),
        reverse("publiccomment:case_opinions", args=[case.pk]),
        reverse("publiccomment:result_csv", args=[case.pk]),
        reverse("publiccomment:blank_form", args=[case.pk]),
        document.get_absolute_url(),
    ]


def test_a_case_in_preparation_is_not_found_anywhere(client):
    case = pf.make_case(status=S.DRAFT, title="準備中の秘密の計画")
    for url in _urls(case, add_document(case)):
        assert client.get(url).status_code == 404, url
    assert "準備中の秘密の計画" not in _html(client, "/")


@pytest.mark.parametrize("phase", ["open", "considering", "abandoned"])
def test_no_result_or_opinions_before_the_result_is_published(client, phase):
    case = pf.make_case()
    pf.submit(case, "まだ公表されない意見です。")
    if phase == "considering":
        Case.objects.filter(pk=case.pk).update(closes_at=pf.NOW - dt.timedelta(minutes=1))
    if phase == "abandoned":
        Case.objects.filter(pk=case.pk).update(status=S.ABANDONED, abandon_reason="理由")
    for name in ("case_result", "case_opinions", "result_csv"):
        assert client.get(reverse(f"publiccomment:{name}", args=[case.pk])).status_code == 404
    assert "まだ公表されない意見です。" not in _html(client, case.get_absolute_url())


def test_unknown_case_is_not_found(client):
    assert client.get(reverse("publiccomment:case_detail", args=[999999])).status_code == 404


# --- The result -------------------------------------------------------------------------------


def test_result_page_meets_43_1(client):
    case = result_case(
        opinions=5,
        channels=(Channel.WEB, Channel.FAX, Channel.WEB, Channel.BOX, Channel.WEB),
        summaries=("計画の目的に賛成する意見", "推進体制に市民を加えるべきとの意見"),
    )
    add_document(case, kind=Document.Kind.RESULT, title="みどりの基本計画")
    html = _html(client, reverse("publiccomment:case_result", args=[case.pk]))

    assert case.title in html and case.code in html
    assert "令和8年6月1日（2026年6月1日）" in html  # the draft was published
    assert "令和8年8月20日（2026年8月20日）" in html  # the result
    # Submitters and opinions by channel, and the totals.
    assert "5人（団体）から5件の意見がありました。" in html
    table = html[html.index('id="received"') : html.index('id="issues"')]
    assert "電子申請（Webフォーム）" in table and "ファクス" in table and "意見箱" in table
    assert "郵送" not in table  # a channel nobody used is left out
    # Each 論点 with its section, the city's view and the disposition.
    assert "計画の目的に賛成する意見" in html and "市の考え方その1です。" in html
    assert "推進体制に市民を加えるべきとの意見" in html and "市の考え方その2です。" in html
    assert "参考" in html and "反映" in html
    assert "1. 計画の目的" in html and "2. 施策の方向" in html
    # The final plan and what changed.
    assert "室蘭市みどりの基本計画を策定しました。" in html
    assert "第2章に公園の管理方針を加えました。" in html
    assert "みどりの基本計画" in html
    # Printable, with links to every opinion and the CSV.
    assert "css/print.css" in html and "data-print" in html
    assert reverse("publiccomment:case_opinions", args=[case.pk]) in html
    assert reverse("publiccomment:result_csv", args=[case.pk]) in html
    assert "提出者1" not in html


def test_result_with_no_opinions_says_so(client):
    case = result_case(opinions=0)
    html = _html(client, reverse("publiccomment:case_result", args=[case.pk]))
    assert "意見はありませんでした。" in html
    assert reverse("publiccomment:case_opinions", args=[case.pk]) not in html


def test_result_of_a_draft_kept_as_drafted(client):
    case = publish(
        pf.make_case(), draft_changed=False, changes_summary="", final_plan="原案のとおり決定"
    )
    html = _html(client, reverse("publiccomment:case_result", args=[case.pk]))
    assert "案のとおり決定しました。" in html


@pytest.mark.parametrize("n", [2, 200])
def test_result_page_runs_four_queries_whatever_the_number_of_opinions(
    client, django_assert_num_queries, n
):
    case = result_case(
        opinions=n, channels=tuple(Channel.values), summaries=("意見A", "意見B", "意見C")
    )
    add_document(case, kind=Document.Kind.RESULT)
    with django_assert_num_queries(4):
        response = client.get(reverse("publiccomment:case_result", args=[case.pk]))
    assert f"{n}件の意見" in response.content.decode()


def test_result_csv_has_one_row_per_point_in_the_citys_layout(client):
    case = result_case(opinions=4, summaries=("=SUM(A1) 賛成の意見", "推進体制への意見"))
    response = client.get(reverse("publiccomment:result_csv", args=[case.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["番号", "該当箇所", "意見の概要", "市の考え方", "対応"]
    assert rows[1] == [
        "1",
        "1. 計画の目的",
        "'=SUM(A1) 賛成の意見",
        "市の考え方その1です。",
        "参考",
    ]
    assert rows[2] == ["2", "2. 施策の方向", "推進体制への意見", "市の考え方その2です。", "反映"]
    assert len(rows) == 3


@pytest.mark.parametrize("n", [2, 50])
def test_result_csv_runs_two_queries(client, django_assert_num_queries, n):
    case = result_case(opinions=n, summaries=tuple(f"論点{i}" for i in range(3)))
    with django_assert_num_queries(2):
        client.get(reverse("publiccomment:result_csv", args=[case.pk]))


# --- Every opinion ----------------------------------------------------------------------------


def test_opinions_page_lists_every_opinion_as_published(client):
    case = pf.make_case()
    plain = pf.submit(case, "公園を増やしてほしい。", section_numbers=[2])
    redacted = pf.submit(case, "隣の山田さんの家の前の木を切ってほしい。")
    withheld = pf.submit(case, "特定の個人を中傷する内容")
    org = pf.submit(
        case,
        "団体として賛成します。",
        kind="organization",
        organization_name="輪西緑化推進協議会",
        organization_name_public=True,
    )
    services.opinion_redact(
        opinion=redacted.opinions.get(),
        public_text="近所の家の前の木を切ってほしい。",
        reason="個人が特定される記述を削除",
        by=None,
    )
    services.opinion_redact(
        opinion=withheld.opinions.get(), withheld=True, reason="誹謗中傷のため", by=None
    )
    group_all(case)
    publish(case)

    html = _html(client, reverse("publiccomment:case_opinions", args=[case.pk]))

    assert "公園を増やしてほしい。" in html and "2. 施策の方向" in html
    assert f"{plain.sequence}-1" in html
    assert "近所の家の前の木を切ってほしい。" in html
    assert "山田さん" not in html
    assert "一部を削除しました：個人が特定される記述を削除" in html
    assert "特定の個人を中傷する内容" not in html
    assert "公表しません（誹謗中傷のため）" in html
    assert "輪西緑化推進協議会" in html and "団体として賛成します。" in html
    assert org.name not in html and "輪西 花子" not in html


@pytest.mark.parametrize("n", [2, 200])
def test_opinions_page_runs_two_queries(client, django_assert_num_queries, n):
    case = result_case(opinions=n)
    with django_assert_num_queries(2):
        client.get(reverse("publiccomment:case_opinions", args=[case.pk]))


# --- Documents and the blank form ---------------------------------------------------------------


def test_document_downloads_under_its_original_name(client, case):
    document = add_document(case)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test document"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "%E3%81%BF%E3%81%A9%E3%82%8A" in disposition  # みどり…, RFC 5987


def test_a_result_document_waits_for_the_result(client, case):
    document = add_document(case, kind=Document.Kind.RESULT)
    assert client.get(document.get_absolute_url()).status_code == 404
    publish(case)
    assert client.get(document.get_absolute_url()).status_code == 200


def test_a_document_of_another_case_is_not_found(client, case):
    other = add_document(pf.make_case())
    url = reverse("publiccomment:document", args=[case.pk, other.pk])
    assert client.get(url).status_code == 404


def test_a_document_whose_file_is_gone_is_not_found(client, case):
    document = add_document(case)
    document.file.storage.delete(document.file.name)
    assert client.get(document.get_absolute_url()).status_code == 404


def test_blank_form_has_everything_to_fill_in_and_where_to_send_it(client, case):
    facility = Facility.objects.filter(is_active=True).first()
    case.facilities.add(facility)
    Case.objects.filter(pk=case.pk).update(submit_fax="0143-25-0000")
    html = _html(client, reverse("publiccomment:blank_form", args=[case.pk]))
    assert "意見記入用紙" in html
    assert case.title in html and case.code in html
    for heading in ("計画の目的", "施策の方向", "推進体制"):
        assert heading in html
    for field in ("氏名", "住所", "電話番号またはメールアドレス", "該当箇所", "意見とその理由"):
        assert field in html, field
    assert "☐ 市内に住所を有する方" in html
    assert facility.name in html and "0143-25-0000" in html
    assert "令和8年7月1日（2026年7月1日） 17:00" in html  # the deadline
    assert "css/print.css" in html and "都市政策課" in html


@pytest.mark.parametrize("n", [1, 3])
def test_blank_form_runs_three_queries(client, django_assert_num_queries, n):
    case = pf.make_case(sections=[f"第{i}章" for i in range(1, n + 1)])
    case.facilities.add(*Facility.objects.all()[:n])
    with django_assert_num_queries(3):
        client.get(reverse("publiccomment:blank_form", args=[case.pk]))


def test_pages_refuse_a_post(client, case):
    for url in (case.get_absolute_url(), reverse("publiccomment:case_list")):
        assert client.post(url).status_code == 405


def test_issue_model_is_answered():
    issue = Issue(summary="x", city_view=" ", disposition="noted")
    assert not issue.is_answered


def test_result_page_gives_the_announcement_as_the_date_the_draft_was_published(client):
    case = result_case(opinions=1)
    Case.objects.filter(pk=case.pk).update(
        announced_at=dt.datetime(2026, 5, 25, 9, 0, tzinfo=pf.JST)
    )
    html = _html(client, reverse("publiccomment:case_result", args=[case.pk]))
    published = html[html.index("案の公表日") :][:200]
    assert "令和8年5月25日（2026年5月25日）" in published

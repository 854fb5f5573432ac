"""The case's window rules (30 days counted in Japan time, a shorter one only with a reason),
its transitions (公示, 中止, 結果公表) with their refusals and history, and the e-mails that
tell submitters the outcome once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from muroran_kyodo.lib.workflow import TransitionError
from publiccomment import emails, services
from publiccomment.models import Case, CaseStatusChange, Channel, Issue, Opinion, OpinionItem
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import CLOSES, JST, NOW

pytestmark = pytest.mark.django_db

AFTER_CLOSING = CLOSES + dt.timedelta(days=3)


def _draft(opens_at, closes_at, **extra):
    return pf.make_case(status=Case.Status.DRAFT, opens_at=opens_at, closes_at=closes_at, **extra)


def _jst(*args):
    return dt.datetime(*args, tzinfo=JST)


# --- the window (行政手続法 39条3項, 40条) -----------------------------------------------------


def test_a_window_of_exactly_30_days_may_be_announced(frozen, comment_staff):
    # 39条3項: counted from the day of the announcement (opening), that day included.
    case = _draft(_jst(2026, 6, 20, 9, 0), _jst(2026, 7, 19, 17, 0))
    assert case.window_days == 30
    assert services.window_problems(case, now=NOW) == {}
    services.case_announce(case=case, by=comment_staff)
    case.refresh_from_db()
    assert case.status == Case.Status.ANNOUNCED
    assert case.announced_at == NOW


def test_29_days_are_refused_without_a_reason_and_allowed_with_one(frozen, comment_staff):
    case = _draft(_jst(2026, 6, 20, 9, 0), _jst(2026, 7, 18, 23, 59))
    assert case.window_days == 29
    with pytest.raises(ValidationError) as refused:
        services.case_announce(case=case, by=comment_staff)
    assert "short_window_reason" in refused.value.error_dict
    assert "29" in refused.value.error_dict["short_window_reason"][0].messages[0]
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    case.short_window_reason = "国の制度改正の施行日に間に合わせる必要があるため。"
    case.save()
    services.case_announce(case=case, by=comment_staff)
    assert Case.objects.get(pk=case.pk).status == Case.Status.ANNOUNCED


def test_the_days_are_counted_in_japan_time(frozen):
    # 00:10 JST on 19 July is still 18 July in UTC: counted by the UTC dates this would be 29.
    case = _draft(_jst(2026, 6, 20, 0, 30), _jst(2026, 7, 19, 0, 10))
    assert case.window_days == 30
    assert not case.window_is_short
    # 23:50 JST on the opening day to 23:59 JST on the 29th day: 29 days whatever the hours.
    short = _draft(_jst(2026, 6, 20, 23, 50), _jst(2026, 7, 18, 23, 59))
    assert short.window_days == 29
    assert services.window_problems(short, now=NOW).keys() == {"short_window_reason"}


def test_opinions_are_taken_up_to_the_closing_moment_in_japan_time(comment_staff):
    case = pf.make_case()
    with time_machine.travel(CLOSES + dt.timedelta(hours=1), tick=False):
        just_before = CLOSES - dt.timedelta(seconds=1)
        submission = pf.submit(
            case, "締切直前の意見", channel=Channel.POST, received_at=just_before
        )
        assert submission.received_at == just_before
        with pytest.raises(ValidationError) as refused:
            pf.submit(case, "締切時刻の意見", channel=Channel.POST, received_at=CLOSES)
        assert "received_at" in refused.value.error_dict
    with time_machine.travel(CLOSES - dt.timedelta(seconds=1), tick=False):
        pf.submit(case, "ウェブから締切直前に")
    with time_machine.travel(CLOSES, tick=False), pytest.raises(ValidationError):
        pf.submit(case, "ウェブから締切時刻に")
    assert case.submissions.count() == 2


# --- announcing ---------------------------------------------------------------------------


def test_announcing_is_refused_without_sections(frozen, comment_staff):
    case = _draft(_jst(2026, 6, 20, 9), _jst(2026, 7, 25, 17), sections=())
    with pytest.raises(ValidationError) as refused:
        services.case_announce(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"sections"}


def test_announcing_is_refused_without_who_may_submit(frozen, comment_staff):
    # A value that is none of the categories (an old one, a typo) counts as none.
    case = _draft(_jst(2026, 6, 20, 9), _jst(2026, 7, 25, 17), may_submit=("anyone",))
    with pytest.raises(ValidationError) as refused:
        services.case_announce(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"may_submit"}
    case.may_submit = ["resident", "anyone"]
    case.save()
    services.case_announce(case=case, by=comment_staff)


def test_announcing_is_refused_once_the_window_has_closed(frozen, comment_staff):
    case = _draft(_jst(2026, 5, 1, 9), _jst(2026, 6, 10, 17))
    with pytest.raises(ValidationError) as refused:
        services.case_announce(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"closes_at"}
    assert not CaseStatusChange.objects.filter(case=case, new_status="announced").exists()


def test_only_comment_staff_may_announce(frozen):
    from tests import factories

    case = _draft(_jst(2026, 6, 20, 9), _jst(2026, 7, 25, 17))
    stranger = factories.make_user("doboku@city.muroran.example.jp", staff=True)
    with pytest.raises((TransitionError, PermissionDenied)):
        services.case_announce(case=case, by=stranger)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


# --- abandoning ---------------------------------------------------------------------------


def test_abandoning_needs_a_reason(frozen, case, comment_staff):
    with pytest.raises((TransitionError, ValidationError)):
        services.case_abandon(case=case, by=comment_staff, reason="  ")
    assert Case.objects.get(pk=case.pk).status == Case.Status.ANNOUNCED
    services.case_abandon(case=case, by=comment_staff, reason="前提となる制度が廃止されたため。")
    case.refresh_from_db()
    assert case.status == Case.Status.ABANDONED
    assert case.abandon_reason == "前提となる制度が廃止されたため。"
    assert case.abandoned_at == NOW


# --- publishing the result (43条1項) --------------------------------------------------------


def _considered(case):
    """Every item grouped under one answered 論点, every opinion checked for publishing, the
    final plan written."""
    issue = Issue.objects.create(
        case=case,
        number=1,
        summary="要旨",
        city_view="市の考え方です。",
        disposition=Issue.Disposition.NOTED,
    )
    OpinionItem.objects.filter(case=case).update(issue=issue)
    pf.review_all(case)
    Case.objects.filter(pk=case.pk).update(final_plan="最終案は市ホームページで公開しています。")
    case.refresh_from_db()
    return issue


@pytest.fixture
def with_opinions(frozen, case):
    pf.submit(case, "意見1", email="one@example.jp")
    pf.submit(case, "意見2", "意見3", email="two@example.jp")
    pf.submit(case, "意見4")  # no address: not told
    return case


def test_the_result_is_refused_before_the_window_closes(with_opinions, comment_staff):
    case = with_opinions
    _considered(case)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"closes_at"}


def test_the_result_is_refused_with_ungrouped_items(with_opinions, comment_staff, frozen):
    case = with_opinions
    _considered(case)
    first = OpinionItem.objects.filter(case=case).order_by("pk").first()
    OpinionItem.objects.filter(pk=first.pk).update(issue=None)
    frozen.move_to(AFTER_CLOSING)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"issues"}
    assert "1" in refused.value.messages[0]


def test_the_result_is_refused_with_an_unanswered_issue(with_opinions, comment_staff, frozen):
    case = with_opinions
    _considered(case)
    Issue.objects.create(case=case, number=2, summary="答えのない論点")
    frozen.move_to(AFTER_CLOSING)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"issues"}
    assert "2" in refused.value.messages[0]


def test_the_result_is_refused_without_the_final_plan(with_opinions, comment_staff, frozen):
    case = with_opinions
    _considered(case)
    Case.objects.filter(pk=case.pk).update(final_plan=" ")
    case.refresh_from_db()
    frozen.move_to(AFTER_CLOSING)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"final_plan"}


def test_a_changed_draft_needs_what_changed(with_opinions, comment_staff, frozen):
    case = with_opinions
    _considered(case)
    Case.objects.filter(pk=case.pk).update(draft_changed=True)
    case.refresh_from_db()
    frozen.move_to(AFTER_CLOSING)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"changes_summary"}
    assert Case.objects.get(pk=case.pk).status == Case.Status.ANNOUNCED


def test_the_result_is_refused_until_every_opinion_is_checked(with_opinions, comment_staff, frozen):
    case = with_opinions
    _considered(case)
    unread = list(Opinion.objects.filter(case=case).order_by("pk")[:2])
    Opinion.objects.filter(pk__in=[o.pk for o in unread]).update(reviewed_at=None, reviewed_by=None)
    frozen.move_to(AFTER_CLOSING)
    with pytest.raises(ValidationError) as refused:
        services.case_publish_result(case=case, by=comment_staff)
    assert refused.value.error_dict.keys() == {"opinions"}
    assert refused.value.messages == [
        "公表前に確認していない意見が2件あります。意見の一覧で個人情報などがないか確認し、"
        "「公表してよいことを確認した」にしてください。"
    ]
    assert Case.objects.get(pk=case.pk).status == Case.Status.ANNOUNCED

    assert services.opinions_mark_reviewed(opinions=unread, by=comment_staff) == 2
    for opinion in unread:
        opinion.refresh_from_db()
        assert (opinion.reviewed_at, opinion.reviewed_by) == (AFTER_CLOSING, comment_staff)
    services.case_publish_result(case=case, by=comment_staff)
    assert Case.objects.get(pk=case.pk).status == Case.Status.RESULT_PUBLISHED


def test_checking_opinions_is_refused_once_the_case_is_decided(frozen, comment_staff):
    published, abandoned = pf.make_case(), pf.make_case()
    opinions = [pf.submit(c, "意見").opinions.get() for c in (published, abandoned)]
    Case.objects.filter(pk=published.pk).update(status=Case.Status.RESULT_PUBLISHED)
    Case.objects.filter(pk=abandoned.pk).update(status=Case.Status.ABANDONED)
    for opinion in opinions:
        with pytest.raises(TransitionError):
            services.opinions_mark_reviewed(opinions=[opinion], by=comment_staff)
    # One opinion of a decided case among others: nothing is marked.
    still_open = pf.make_case()
    fresh = pf.submit(still_open, "意見").opinions.get()
    with pytest.raises(TransitionError):
        services.opinions_mark_reviewed(opinions=[fresh, opinions[0]], by=comment_staff)
    assert not Opinion.objects.filter(reviewed_at__isnull=False).exists()
    assert services.opinions_mark_reviewed(opinions=[], by=comment_staff) == 0


def test_redacting_or_withholding_checks_the_opinion(frozen, case, comment_staff):
    first, second = pf.submit(
        case, "私、輪西花子（0143-11-2222）は賛成です。", "反対です。"
    ).opinions.all()
    services.opinion_redact(
        opinion=first, public_text="私は賛成です。", reason="個人の氏名と電話番号", by=comment_staff
    )
    services.opinion_redact(opinion=second, withheld=True, reason="誹謗中傷", by=comment_staff)
    for opinion in (first, second):
        opinion.refresh_from_db()
        assert (opinion.reviewed_at, opinion.reviewed_by) == (NOW, comment_staff)
    # Publishing it as submitted again is a check too, by whoever decided so.
    other = pf.make_case()
    Opinion.objects.filter(pk=first.pk).update(reviewed_at=None, reviewed_by=None)
    first.refresh_from_db()
    services.opinion_unredact(opinion=first, by=comment_staff)
    first.refresh_from_db()
    assert (first.published_text, first.reviewed_by) == (first.text, comment_staff)
    assert first.reviewed_at == NOW
    # A refused redaction checks nothing.
    unread = pf.submit(other, "意見").opinions.get()
    with pytest.raises(ValidationError):
        services.opinion_redact(opinion=unread, withheld=True, reason=" ", by=comment_staff)
    unread.refresh_from_db()
    assert unread.reviewed_at is None


def test_publishing_tells_each_submitter_with_an_address_once(
    with_opinions, comment_staff, frozen, django_capture_on_commit_callbacks
):
    case = with_opinions
    _considered(case)
    frozen.move_to(AFTER_CLOSING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_publish_result(case=case, by=comment_staff)
    case.refresh_from_db()
    assert case.status == Case.Status.RESULT_PUBLISHED
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "one@example.jp",
        "two@example.jp",
    ]
    assert all(f"/publiccomment/{case.pk}/result/" in m.body for m in mail.outbox)
    assert case.submissions.filter(result_notified_at__isnull=False).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        emails.case_status_changed(case, old=Case.Status.ANNOUNCED, reason="")
    assert len(mail.outbox) == 2
    # And a transition cannot run twice.
    with pytest.raises(TransitionError):
        services.case_publish_result(case=case, by=comment_staff)


def test_every_transition_writes_its_history(frozen, comment_staff):
    draft = _draft(_jst(2026, 6, 20, 9), _jst(2026, 7, 25, 17))
    services.case_announce(case=draft, by=comment_staff, reason="公示")
    services.case_abandon(case=draft, by=comment_staff, reason="中止の理由")
    history = list(
        CaseStatusChange.objects.filter(case=draft)
        .order_by("at", "pk")
        .values_list("old_status", "new_status", "by", "reason")
    )
    assert history == [
        ("", "draft", None, ""),
        ("draft", "announced", comment_staff.pk, "公示"),
        ("announced", "abandoned", comment_staff.pk, "中止の理由"),
    ]
    published = pf.make_case()
    pf.submit(published, "意見")
    _considered(published)
    frozen.move_to(AFTER_CLOSING)
    services.case_publish_result(case=published, by=comment_staff)
    assert CaseStatusChange.objects.filter(
        case=published, old_status="announced", new_status="result", by=comment_staff
    ).exists()


def test_a_case_announced_after_its_opening_date_opens_then_and_counts_from_then(
    frozen, comment_staff
):
    # Opening on 1 June, closing on 16 July: 46 days on paper, but announced on 15 June the
    # public has 32 days from the announcement (15 June included).
    case = _draft(_jst(2026, 6, 1, 9, 0), _jst(2026, 7, 16, 17, 0))
    assert services.window_problems(case, now=NOW) == {}
    services.case_announce(case=case, by=comment_staff)
    case.refresh_from_db()
    assert case.opens_at == NOW and case.announced_at == NOW
    assert case.window_days == 32

    # Closing on 10 July, announced on 15 June: 26 days, so a reason is required.
    late = _draft(_jst(2026, 6, 1, 9, 0), _jst(2026, 7, 10, 17, 0))
    assert late.window_days == 40  # as drafted
    problems = services.window_problems(late, now=NOW)
    assert problems.keys() == {"short_window_reason"}
    assert "26" in problems["short_window_reason"][0]
    with pytest.raises(ValidationError):
        services.case_announce(case=late, by=comment_staff)
    assert Case.objects.get(pk=late.pk).status == Case.Status.DRAFT


def test_the_outcome_e_mail_subject_keeps_the_title_as_written(
    frozen, comment_staff, mailoutbox, django_capture_on_commit_callbacks
):
    case = pf.make_case(title='駅前広場 & 公園の計画（"案"）')
    pf.submit(case, "意見です。", email="kotae@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_abandon(case=case, by=comment_staff, reason="計画を見直すため。")
    assert len(mailoutbox) == 1
    assert '駅前広場 & 公園の計画（"案"）' in mailoutbox[0].subject

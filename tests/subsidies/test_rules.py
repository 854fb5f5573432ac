"""The city's rules the application now holds: categories with caps and rates as staff records
driving the maximum subsidy, the 事前相談 recorded on the application, the declarations ticked
on the confirmation page, a project subsidised before, another subsidy, and the collaboration
form always 補助."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from subsidies import money, services
from subsidies.eligibility import submission_errors
from subsidies.models import DECLARATIONS, Application, Category, Consultation, IncomeLine
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
DECLARED = {name: "on" for name, _statement in DECLARATIONS}
SUBMIT = {"_submit": "1", **DECLARED}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _confirm(application):
    return reverse("subsidies:application_confirm", args=[application.pk])


def _fresh(application):
    return Application.objects.get(pk=application.pk)


# --- categories as staff records -------------------------------------------------------------


def test_the_category_record_drives_the_maximum_subsidy(programme, application, member):
    category = application.category
    # ¥200,000 eligible at 1/2, cap ¥300,000: at most ¥100,000.
    assert money.category_eligible_amount(category, 200_000) == 100_000
    # Staff change the category in the admin: 10/10 up to ¥100,000 (the youth track's terms).
    Category.objects.filter(pk=category.pk).update(
        cap=100_000, rate_numerator=10, rate_denominator=10
    )
    category.refresh_from_db()
    assert money.category_eligible_amount(category, 200_000) == 100_000
    assert money.category_eligible_amount(category, 85_500) == 85_000
    Category.objects.filter(pk=category.pk).update(cap=50_000)
    application = _fresh(application)
    errors = submission_errors(application, by=member)
    assert list(errors) == ["requested_amount"]
    assert "50,000" in errors["requested_amount"][0]


def test_staff_edit_a_category_in_the_programme_admin(staff_client, programme):
    category = programme.categories.get()
    page = staff_client.get(reverse("admin:subsidies_programme_change", args=[programme.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{category.cap}"' in html
    assert "categories-0-rate_numerator" in html


def test_the_demo_follows_the_citys_published_categories():
    from subsidies.demo.data import PROGRAMMES, T

    citizen = [c[0] for c in PROGRAMMES[T.CITIZEN]["categories"]]
    youth = PROGRAMMES[T.YOUTH]
    assert citizen == ["スタートアップ事業", "地域enづくり事業"]
    assert [(c[0], c[2], c[3], c[4]) for c in youth["categories"]] == [
        ("若者チャレンジ応援事業", 100_000, 10, 10)
    ]
    assert all(spec["consultation_required"] for spec in PROGRAMMES.values())


# --- 事前相談 -------------------------------------------------------------------------------------


def test_a_submission_without_a_prior_consultation_is_refused(
    as_user, member, programme, application
):
    programme.consultation_required = True
    programme.save()
    client = as_user(member)
    response = client.post(_confirm(application), SUBMIT)
    assert response.status_code == 200
    rows = response.context["errors"]
    assert [row["label"] for row in rows] == ["事前相談"]
    assert "地域生活課との事前相談の記録がありません" in rows[0]["message"]
    assert rows[0]["url"] == reverse("subsidies:consultation_book", args=[programme.pk])
    application = _fresh(application)
    assert (application.status, application.number, application.consultation) == (
        S.DRAFT,
        "",
        None,
    )


def test_the_submission_records_the_consultation_it_rests_on(
    as_user, member, programme, application
):
    programme.consultation_required = True
    programme.save()
    consultation = services.consultation_record(
        organization=application.organization,
        programme=programme,
        held_on=dt.date(2026, 5, 1),
        topic="予算の相談",
        consulted_with="地域生活課 佐藤",
        by=_staff(),
    )
    client = as_user(member)
    page = client.get(_confirm(application)).content.decode()
    assert "2026-05-01 に地域生活課へ事前相談：予算の相談" in page
    assert "地域生活課 佐藤" in page
    assert client.post(_confirm(application), SUBMIT).status_code == 302
    application = _fresh(application)
    assert (application.status, application.consultation) == (S.SUBMITTED, consultation)


def _staff():
    from django.contrib.auth.models import Group

    from tests import factories

    user = factories.make_user("clerk2@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name="地域生活課"))
    return user


def test_consultation_record_is_for_staff_and_needs_with_whom(programme, organization, member):
    kwargs = {
        "organization": organization,
        "programme": programme,
        "held_on": dt.date(2026, 5, 1),
        "topic": "相談",
    }
    with pytest.raises(PermissionDenied):
        services.consultation_record(**kwargs, consulted_with="佐藤", by=member)
    staff = _staff()
    with pytest.raises(ValidationError) as refused:
        services.consultation_record(**kwargs, consulted_with=" ", by=staff)
    assert "consulted_with" in refused.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.consultation_record(
            **{**kwargs, "held_on": dt.date(2026, 5, 16)}, consulted_with="佐藤", by=staff
        )
    assert "held_on" in future.value.message_dict
    assert Consultation.objects.count() == 0
    consultation = services.consultation_record(**kwargs, consulted_with="佐藤", by=staff)
    assert (consultation.held, consultation.consulted_with, consultation.recorded_by) == (
        True,
        "佐藤",
        staff,
    )


def test_staff_key_in_a_consultation_held_with_whom_in_the_admin(
    staff_client, programme, organization
):
    add = reverse("admin:subsidies_consultation_add")
    data = {
        "organization": organization.pk,
        "programme": programme.pk,
        "held_on": "2026-05-01",
        "topic": "計画の相談",
        "held": "on",
        "consulted_with": "",
        "staff_note": "",
    }
    refused = staff_client.post(add, data)
    assert refused.status_code == 200
    assert "consulted_with" in refused.context["adminform"].form.errors
    assert Consultation.objects.count() == 0
    staff_client.post(add, {**data, "consulted_with": "地域生活課 佐藤"})
    consultation = Consultation.objects.get()
    assert (consultation.held, consultation.consulted_with) == (True, "地域生活課 佐藤")


# --- declarations ---------------------------------------------------------------------------


@pytest.fixture
def undeclared(programme, organization, member):
    """A complete draft whose declarations the group has not ticked yet."""
    return sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        **dict.fromkeys(DECLARED, False),
    )


def test_the_confirmation_page_asks_for_every_declaration(as_user, member, undeclared):
    response = as_user(member).get(_confirm(undeclared))
    html = response.content.decode()
    assert response.context["errors"] == []
    for name, _statement in DECLARATIONS:
        assert f'name="{name}"' in html
    assert "この事業は、政治活動または宗教活動ではありません。" in html
    assert "この事業は、他の補助金等の交付を受けていません。" in html


def test_a_declaration_not_ticked_is_refused_next_to_it_and_nothing_is_saved(
    as_user, member, undeclared, django_capture_on_commit_callbacks
):
    data = {**SUBMIT}
    del data["declares_not_for_profit"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(member).post(_confirm(undeclared), data)
    assert response.status_code == 200
    form = response.context["declarations"]
    assert list(form.errors) == ["declares_not_for_profit"]
    assert form.errors["declares_not_for_profit"] == [
        "この申告事項を確認してチェックを入れてください。チェックがないと申請を提出できません。"
    ]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    application = _fresh(undeclared)
    assert (application.status, application.number, application.declared_at) == (
        S.DRAFT,
        "",
        None,
    )
    assert not application.declares_not_subsidised_before  # nothing saved half-way
    assert mail.outbox == []


def test_the_declarations_are_recorded_with_the_time_of_submission(
    as_user, member, undeclared, frozen
):
    assert as_user(member).post(_confirm(undeclared), SUBMIT).status_code == 302
    application = _fresh(undeclared)
    assert application.status == S.SUBMITTED
    assert all(ticked for _name, _text, ticked in application.declarations)
    assert application.declared_at == application.submitted_at is not None
    page = (
        as_user(member)
        .get(reverse("subsidies:application_detail", args=[application.pk]))
        .content.decode()
    )
    assert "申告事項" in page and "営利を目的とするものではありません" in page


def test_a_paper_application_needs_the_declarations_keyed_in(undeclared, staff):
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=undeclared, by=staff)
    assert set(refused.value.message_dict) == set(DECLARED)
    assert _fresh(undeclared).status == S.DRAFT


def test_the_admin_shows_the_declarations(staff_client, application):
    page = staff_client.get(reverse("admin:subsidies_application_change", args=[application.pk]))
    html = page.content.decode()
    for name in DECLARED:
        assert f'name="{name}"' in html


# --- eligibility checked where the data allows ---------------------------------------------------


def test_a_project_subsidised_in_an_earlier_year_is_refused(
    programme, organization, member, application
):
    earlier = sf.make_programme(fiscal_year=2025)
    sf.make_application(
        programme=earlier,
        organization=organization,
        applicant=member,
        status=S.CLOSED,
        decided_amount=80_000,
        title=" 港のまち　花いっぱい運動 ",
    )
    Application.objects.filter(pk=application.pk).update(title="港のまち花いっぱい運動")
    errors = submission_errors(_fresh(application), by=member)
    assert list(errors) == ["title"]
    assert "2025年度に本補助金の交付を受けています" in errors["title"][0]


def test_an_earlier_application_not_adopted_or_of_another_group_does_not_count(
    programme, organization, member, application, other_organization, other_member
):
    earlier = sf.make_programme(fiscal_year=2025)
    title = application.title
    sf.make_application(
        programme=earlier,
        organization=organization,
        applicant=member,
        status=S.REJECTED,
        title=title,
    )
    sf.make_application(
        programme=earlier,
        organization=other_organization,
        applicant=other_member,
        status=S.CLOSED,
        decided_amount=50_000,
        title=title,
    )
    assert submission_errors(_fresh(application), by=member) == {}


def test_a_project_funded_by_another_subsidy_is_refused(application, member):
    IncomeLine.objects.filter(application=application, kind="own_funds").update(
        kind=IncomeLine.Kind.OTHER_SUBSIDY
    )
    errors = submission_errors(_fresh(application), by=member)
    assert list(errors) == ["income_lines"]
    assert "他の補助金を受ける事業は対象になりません" in errors["income_lines"][0]


# --- collaboration form ----------------------------------------------------------------------


def test_the_collaboration_form_is_always_subsidy(as_user, member, programme, organization):
    draft = services.application_create(
        application=Application(
            programme=programme, organization=organization, applicant=member, title="花壇"
        ),
        by=member,
    )
    assert draft.collaboration_form.code == "subsidy"
    assert _fresh(draft).collaboration_form.name == "補助"
    # The plan page offers no choice of it.
    edit = as_user(member).get(reverse("subsidies:application_edit", args=[draft.pk]))
    assert 'name="collaboration_form"' not in edit.content.decode()
    assert "collaboration_form" not in edit.context["form"].fields


def test_a_consultation_staff_record_as_held_tells_the_groups_managers_after_the_commit(
    programme, organization, representative, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_record(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 5, 1),
            topic="予算の相談",
            consulted_with="地域生活課 佐藤",
            by=_staff(),
        )

    (message,) = mail.outbox
    assert representative.email in message.to
    assert member.email not in message.to  # a plain member is not a manager


def test_a_refused_consultation_record_mails_nobody(
    programme, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.consultation_record(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 5, 1),
            topic="予算の相談",
            consulted_with=" ",
            by=_staff(),
        )
    assert mail.outbox == []
    assert not Consultation.objects.exists()

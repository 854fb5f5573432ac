"""Printable documents in the browser (templates/print/base.html): a 受付票 and the
変更承認通知書 on a phone (375 px, axe clean, no sideways scrolling), the print button shown by
JavaScript and the hint without it, and printed (print media) only the sheet: no header,
menu, footer or print tools."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership
from partners.services import signup_create
from subsidies import services as subsidy_services
from subsidies.models import Application, ChangeRequest
from tests import factories
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll, switch_language
from tests.partners.test_opportunities import make_opportunity
from tests.subsidies import factories as subsidy_factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def documents(db):
    resident = factories.make_user("print@example.jp")
    place = factories.make_place(description="輪西町 みなと公園とその周辺の歩道")
    registration = factories.make_registration(
        programme="pika", user=resident, places=[place], status="registered"
    )
    representative = factories.make_user("print-rep@example.jp")
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    assert organization.memberships.filter(role=Membership.Role.REPRESENTATIVE).exists()
    programme = subsidy_factories.make_programme(title="市民提案型協働事業")
    application = subsidy_factories.make_application(
        programme=programme,
        organization=organization,
        applicant=representative,
        status=Application.Status.GRANTED,
    )
    Application.objects.filter(pk=application.pk).update(
        decided_amount=100_000, conditions="報告会で成果を発表すること"
    )
    change = ChangeRequest.objects.create(
        application=application,
        description="会場を市民会館に変更し、講師謝礼を減らします。",
        new_amount=80_000,
        requested_by=representative,
        status=ChangeRequest.Status.APPROVED,
        decided_at=timezone.now(),
        response="領収書を保管すること",
    )
    consultation = subsidy_services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=timezone.localdate(),
        topic="花壇づくりの計画について",
        by=representative,
    )
    magokoro = factories.make_registration(programme="magokoro", user=resident, status="registered")
    shift = make_opportunity(slots=2).shifts.get()
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    return {
        "resident": resident,
        "signup_receipt": reverse("partners:signup_receipt", args=[signup.pk]),
        "representative": representative,
        "receipt": reverse("partners:registration_receipt", args=[registration.pk]),
        "notice": reverse("subsidies:change_notice", args=[change.pk]),
        "consultation_receipt": reverse("subsidies:consultation_receipt", args=[consultation.pk]),
        "organization_receipt": reverse("organizations:receipt", args=[organization.pk]),
    }


def _visible(page, selector) -> bool:
    return page.locator(selector).first.is_visible()


def _check_document(page, assert_accessible, url, what):
    page.goto(url)
    assert_no_horizontal_scroll(page)
    assert_accessible(page, f"{what} at 375px")
    # With JavaScript the print button shows; the hint is there either way.
    assert page.get_by_role("button", name="印刷する").is_visible()
    assert page.get_by_text("ブラウザの印刷機能で印刷できます").is_visible()
    assert _visible(page, ".site-nav")
    page.emulate_media(media="print")
    assert not _visible(page, ".site-nav")
    assert not _visible(page, ".site-header")
    assert not _visible(page, ".site-footer")
    assert not _visible(page, ".print-tools")
    assert _visible(page, ".print-sheet")
    page.emulate_media(media="screen")


def test_a_receipt_slip_on_a_phone_and_printed(new_context, login_as, assert_accessible, documents):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, documents["resident"])
    page = context.new_page()
    switch_language(page, "ja")
    _check_document(page, assert_accessible, documents["receipt"], "受付票")
    assert "令和" in page.locator(".print-sheet").inner_text()
    assert page.get_by_role("heading", level=1, name="受付票").is_visible()


def test_the_change_approval_notice_on_a_phone_and_printed(
    new_context, login_as, assert_accessible, documents
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, documents["representative"])
    page = context.new_page()
    switch_language(page, "ja")
    _check_document(page, assert_accessible, documents["notice"], "変更承認通知書")
    sheet = page.locator(".print-sheet").inner_text()
    assert "変更承認通知書" in sheet and "80,000" in sheet and "令和" in sheet


def test_without_javascript_the_page_says_how_to_print(new_context, login_as, documents):
    context = new_context(viewport=PHONE, java_script_enabled=False)
    login_as(context, documents["resident"])
    page = context.new_page()
    page.goto(documents["receipt"])
    assert page.get_by_text("ブラウザの印刷機能で印刷できます").is_visible()
    assert not _visible(page, "[data-print]")


def test_a_shift_sign_up_receipt_on_a_phone(new_context, login_as, assert_accessible, documents):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, documents["resident"])
    page = context.new_page()
    switch_language(page, "ja")
    _check_document(
        page, assert_accessible, documents["signup_receipt"], "活動日への申込みの受付票"
    )
    sheet = page.locator(".print-sheet").inner_text()
    assert "SG-" in sheet and "みなと祭り 会場案内" in sheet and "令和" in sheet


def test_a_prior_consultation_receipt_on_a_phone(
    new_context, login_as, assert_accessible, documents
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, documents["representative"])
    page = context.new_page()
    switch_language(page, "ja")
    _check_document(page, assert_accessible, documents["consultation_receipt"], "事前相談の受付票")
    sheet = page.locator(".print-sheet").inner_text()
    assert "CN-" in sheet and "花壇づくりの計画について" in sheet and "令和" in sheet


def test_an_organisation_registration_receipt_on_a_phone(
    new_context, login_as, assert_accessible, documents
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, documents["representative"])
    page = context.new_page()
    switch_language(page, "ja")
    _check_document(page, assert_accessible, documents["organization_receipt"], "団体登録の受付票")
    sheet = page.locator(".print-sheet").inner_text()
    assert "OR-" in sheet and "輪西まちづくりの会" in sheet and "令和" in sheet

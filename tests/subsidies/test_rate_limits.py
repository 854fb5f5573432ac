"""Rate limits of the subsidies (settings.RATE_LIMITS, muroran_kyodo/lib/ratelimit.py): over the
limit the form comes back with `LIMITED` and everything typed, nothing is saved and nobody is
e-mailed; another account is not affected."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from muroran_kyodo.lib import ratelimit
from subsidies.models import Application, Attachment, AttachmentType, ChangeRequest, Consultation
from tests.subsidies.test_followup_report import _report_data
from tests.subsidies.test_followup_views import _granted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def url(name, *args):
    return reverse(f"subsidies:{name}", args=args)


def limited() -> str:
    with override("ja"):
        return escape(str(ratelimit.LIMITED))


def _limits(settings, action, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: rates}


def _use_up(user, action):
    """Count one attempt of `action` for `user`, as an earlier one on another page would."""
    request = RequestFactory().post("/")
    request.user = user
    ratelimit.hit(request, action)


def test_drafts_over_the_limit_come_back_with_what_was_typed(
    client, member, representative, organization, programme, settings
):
    _limits(settings, "subsidies.application", user="1/h")
    category = programme.categories.first()

    def start(title):
        data = {"organization": organization.pk, "category": category.pk, "title": title}
        return client.post(url("apply", programme.pk), data)

    client.force_login(member)
    assert start("花いっぱい運動").status_code == 302

    response = start("二つ目の企画")

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert 'value="二つ目の企画"' in html
    assert Application.objects.count() == 1
    client.force_login(representative)
    assert start("二つ目の企画").status_code == 302
    assert Application.objects.count() == 2


def test_documents_over_the_limit_are_refused_on_the_form(
    client, member, representative, application, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _limits(settings, "subsidies.attachment", user="1/h")
    before = Attachment.objects.count()
    documents = url("application_documents", application.pk)
    plan = AttachmentType.objects.get(code="plan").pk

    def attach(name):
        return client.post(documents, {"type": plan, "file": SimpleUploadedFile(name, PDF)})

    client.force_login(member)
    assert attach("企画書.pdf").status_code == 302

    response = attach("企画書2.pdf")

    assert response.status_code == 200
    assert limited() in response.content.decode()
    assert Attachment.objects.count() == before + 1
    assert not list(tmp_path.rglob("企画書2*"))
    client.force_login(representative)
    assert attach("企画書2.pdf").status_code == 302


def test_report_documents_over_the_limit_are_refused_with_the_report_kept(
    client, member, representative, application, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _limits(settings, "subsidies.attachment", user="1/h")
    _use_up(member, "subsidies.attachment")
    granted = _granted(application)
    before = Attachment.objects.count()
    data = {
        **_report_data(summary="報告の下書きです。"),
        "document_type": AttachmentType.objects.get(code="receipts").pk,
        "_upload": "1",
    }
    report = url("report", granted.pk)

    client.force_login(member)
    response = client.post(report, {**data, "document": SimpleUploadedFile("r.pdf", PDF)})

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert "報告の下書きです。" in html
    assert Attachment.objects.count() == before
    client.force_login(representative)
    client.post(report, {**data, "document": SimpleUploadedFile("r.pdf", PDF)})
    assert Attachment.objects.count() == before + 1


def test_consultations_over_the_limit_come_back_with_what_was_typed(
    client,
    member,
    representative,
    organization,
    programme,
    settings,
    django_capture_on_commit_callbacks,
):
    _limits(settings, "subsidies.consultation", user="1/h")

    def book(topic):
        data = {"organization": organization.pk, "held_on": "2026/5/20", "topic": topic}
        return client.post(url("consultation_book", programme.pk), {**data, "_submit": "1"})

    client.force_login(member)
    assert book("計画の相談").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = book("予算の相談")

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert "予算の相談" in html
    assert Consultation.objects.count() == 1
    assert mail.outbox == []
    client.force_login(representative)
    assert book("予算の相談").status_code == 302
    assert Consultation.objects.count() == 2


def test_change_requests_over_the_limit_come_back_with_what_was_typed(
    client, member, representative, application, settings
):
    # One open change request at a time: the member's allowance is used up elsewhere.
    _limits(settings, "subsidies.change_request", user="1/h")
    _use_up(member, "subsidies.change_request")
    granted = _granted(application)
    data = {"description": "会場を市民会館に変更します。", "new_amount": "", "_submit": "1"}
    page = url("change_request", granted.pk)

    client.force_login(member)
    response = client.post(page, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert "会場を市民会館に変更します。" in html
    assert not ChangeRequest.objects.exists()
    client.force_login(representative)
    assert client.post(page, data).status_code == 302
    assert ChangeRequest.objects.count() == 1

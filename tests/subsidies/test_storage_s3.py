"""Uploads in an S3-compatible object store (UPLOAD_STORAGE=s3, `lib.storage_s3`), tried
against moto's S3 server on a loopback port: a subsidy document goes through the group's real
upload form into the bucket (nothing in MEDIA_ROOT), virus-checked as on the file system, and
comes back only through the permission-checked download; a file waiting for the check is not
served, and one the cron finds infected leaves the bucket for the quarantine."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer

from muroran_kyodo.lib.models import FileScan
from muroran_kyodo.lib.storage_s3 import ScannedS3Storage
from subsidies.models import Attachment, AttachmentType
from tests import clamav
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

State = FileScan.State
BUCKET = "kyodo-uploads"
CLEAN_PDF = clamav.pdf(b"BT /F1 12 Tf (plan) Tj ET")
KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "ap-northeast-1"}


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 API on a free loopback port (port 0: the system picks one)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, fake_clamd):
    """An empty private bucket, and the default storage pointing at it as UPLOAD_STORAGE=s3
    configures it."""
    settings.CLAMD_ADDRESS = fake_clamd.address
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": KEYS["region_name"]}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "muroran_kyodo.lib.storage_s3.ScannedS3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_server, **KEYS},
        },
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.fixture
def draft(programme, organization, member):
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, attachments=False
    )


def _upload(client, application, content):
    return client.post(
        reverse("subsidies:application_documents", args=[application.pk]),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile("企画書.pdf", content),
        },
    )


def _download(client, attachment):
    return client.get(reverse("subsidies:attachment", args=[attachment.pk]))


def test_a_document_is_stored_in_the_bucket_scanned_and_served_to_the_group_only(
    client, bucket, draft, member, other_member, settings, fake_clamd
):
    client.force_login(member)
    assert _upload(client, draft, CLEAN_PDF).status_code == 302

    attachment = Attachment.objects.get(application=draft)
    assert isinstance(attachment.file.storage, ScannedS3Storage)
    name = attachment.file.name
    assert _keys(bucket) == [name]  # in the bucket, under its random name
    assert bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read() == CLEAN_PDF
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))
    assert FileScan.objects.get(name=name).state == State.CLEAN
    assert fake_clamd.scanned == [CLEAN_PDF]  # scanned once, by the form
    # Private: no ACL grants anyone else, and the storage gives no URL at all.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    with pytest.raises(ValueError, match="no public URL"):
        attachment.file.storage.url(attachment.file.name)

    download = _download(client, attachment)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CLEAN_PDF
    assert download["Cache-Control"].startswith("private, no-store")

    client.force_login(other_member)  # of no organisation of the application
    assert _download(client, attachment).status_code == 404
    client.logout()
    assert _download(client, attachment).status_code == 302  # to sign in


def test_a_document_waits_for_the_check_and_an_infected_one_leaves_the_bucket(
    client, bucket, draft, member, settings, fake_clamd
):
    client.force_login(member)
    settings.CLAMD_ADDRESS = clamav.closed_address()
    assert _upload(client, draft, CLEAN_PDF).status_code == 302
    assert _upload(client, draft, clamav.eicar_pdf()).status_code == 302
    clean, infected = Attachment.objects.filter(application=draft).order_by("pk")
    assert sorted(_keys(bucket)) == sorted([clean.file.name, infected.file.name])
    assert _download(client, clean).status_code == 503  # waiting: not served

    settings.CLAMD_ADDRESS = fake_clamd.address
    out = io.StringIO()
    call_command("scan_uploads", stdout=out)
    assert "1 file(s) clean, 1 infected" in out.getvalue()

    assert _keys(bucket) == [clean.file.name]  # the virus is out of the bucket
    quarantined = list((settings.MEDIA_ROOT.parent / "media-quarantine").iterdir())
    assert [path.read_bytes() for path in quarantined] == [clamav.eicar_pdf()]
    assert _download(client, infected).status_code == 404
    download = _download(client, clean)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CLEAN_PDF


def test_deleting_a_document_removes_the_object_and_its_scan(client, bucket, draft, member):
    client.force_login(member)
    assert _upload(client, draft, CLEAN_PDF).status_code == 302
    attachment = Attachment.objects.get(application=draft)
    name = attachment.file.name
    attachment.file.storage.delete(name)
    assert _keys(bucket) == []
    assert not FileScan.objects.filter(name=name).exists()

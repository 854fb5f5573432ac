"""The 受付票 of a request: what was received, printable, for the group and the enとーく staff
only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entalk import receipts
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_receipt_lists_what_was_received(entalk_request):
    receipt = receipts.request_receipt(entalk_request)
    values = {str(line.label): str(line.value) for line in receipt.lines}
    assert receipt.number == entalk_request.number
    assert receipt.received_at == entalk_request.received_at
    assert receipt.addressee == "輪西町子育てサークル"
    joined = " ".join(values.values())
    for expected in (
        "輪西 花子",
        "hanako@example.jp",
        "子育て・教育",
        "2026/07/20 14:00",
        "2026/07/22 18:30",
        "2026/07/25 10:00",
        "輪西町会館",
        "050-0081",
        "20",
    ):
        assert expected in joined


def test_group_prints_its_receipt(client, representative, entalk_request):
    client.force_login(representative)
    response = client.get(reverse("entalk:request_receipt", args=[entalk_request.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert entalk_request.number in content
    assert "秘書広報課" in content
    assert "2026/07/20 14:00" in content


def test_staff_may_print_the_receipt(staff_client, entalk_request):
    url = reverse("entalk:request_receipt", args=[entalk_request.pk])
    assert staff_client.get(url).status_code == 200


def test_receipt_needs_sign_in_and_is_404_for_others(client, entalk_request):
    url = reverse("entalk:request_receipt", args=[entalk_request.pk])
    assert client.get(url).status_code == 302
    client.force_login(factories.make_user("outsider@example.jp"))
    assert client.get(url).status_code == 404

"""Exports stream: 100,000 rows downloaded with the process growing by less than 50 MB (issue
14), in one query. Measured as the process's peak resident memory (Linux: VmHWM, reset through
/proc/self/clear_refs) from before the request to the last byte read, around
the two ways an export is written: an admin CSV action over 100,000 activity reports
(`csv_export_action`, like every admin export) and the open data JSON of a year's 100,000
adopted projects (`streaming.json_response`, like figures.json). A response that held the whole
file would grow by more than the file, which is larger than the bound below."""

import ctypes
import ctypes.util
import datetime as dt
import gc
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import ActivityReport
from subsidies.models import Application
from tests import factories
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

ROWS = 100_000
LIMIT = 50 * 1024 * 1024


def _read(response, row: bytes) -> tuple[int, int, bytes, bytes]:
    """The bytes of a streamed body and how often `row` (what starts a row) occurs in it, read
    chunk by chunk as a client would; its first and last chunks (nothing else is kept)."""
    assert response.streaming, "the export was built whole, not streamed"
    size = rows = 0
    first = last = b""
    for chunk in response.streaming_content:
        # The end of the chunk before, so that a row split between two chunks is counted.
        rows += (last[-(len(row) - 1) :] + chunk).count(row) if last else chunk.count(row)
        first = first or chunk
        last = chunk
        size += len(chunk)
    return size, rows, first, last


STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _kilobytes(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    assert match, field
    return int(match.group(1))


def _measured(fetch, row: bytes):
    """(growth in bytes of the process's resident memory from before the request to its peak
    while the body was read, what _read saw, queries run)."""
    if not CLEAR_REFS.exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak resident memory")
    # What the setup freed goes back to the system first, so that the request cannot hide its
    # growth in memory the process still holds (glibc keeps freed blocks for reuse).
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc and hasattr(ctypes.CDLL(libc), "malloc_trim"):
        ctypes.CDLL(libc).malloc_trim(0)
    with CaptureQueriesContext(connection) as queries:
        CLEAR_REFS.write_text("5")  # the peak (VmHWM) starts again from the current size
        base = _kilobytes("VmRSS")
        seen = _read(fetch(), row)
        peak = _kilobytes("VmHWM")
    return (peak - base) * 1024, seen, queries


def _report(capsys, what: str, size: int, growth: int) -> None:
    with capsys.disabled():  # the figure the README quotes, whatever pytest captures
        print(f"\n{what}: {ROWS} rows, {size / 1e6:.1f} MB sent, grew {growth / 1e6:.1f} MB")


def test_admin_csv_export_of_100000_reports_streams(client, capsys):
    staff = factories.make_user("boss@city.muroran.example.jp", superuser=True)
    registration = factories.make_registration(status="registered")
    day = dt.date(2026, 5, 1)
    ActivityReport.objects.bulk_create(
        (
            ActivityReport(
                registration=registration,
                activity_date=day - dt.timedelta(days=n % 700),
                participants=n % 20 + 1,
                burnable_bags=n % 8,
                non_burnable_bags=n % 3,
                notes="＝SUM(A1) 清掃しました" if n == 0 else "",
            )
            for n in range(ROWS)
        ),
        batch_size=5_000,
    )
    factories.with_second_factor(client, staff)
    url = reverse("admin:partners_activityreport_changelist")
    post = {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": "1"}
    growth, (size, lines, first, last), queries = _measured(lambda: client.post(url, post), b"\r\n")

    assert lines == ROWS + 1  # the header and every report
    assert first.startswith("\ufeffnumber,partner,".encode())
    assert "'＝SUM(A1) 清掃しました".encode() in first + last  # still formula-safe
    assert size > LIMIT / 10
    _report(capsys, "admin CSV of activity reports", size, growth)
    assert growth < LIMIT
    assert growth < size  # never the whole file at once
    # The admin's own (session, user, the changelist's count) and one SELECT of the rows, read in
    # chunks: no query per row or per chunk.
    assert len(queries.captured_queries) < 20
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if '"partners_activityreport"."notes"' in q["sql"] and "LIMIT" not in q["sql"]
    ]
    assert len(reads) == 1, reads


def test_open_data_json_of_100000_adopted_projects_streams(client, capsys, organization, member):
    programme = sf.make_programme(fiscal_year=2026)
    window = programme.windows.first()
    category = programme.categories.first()
    Application.objects.bulk_create(
        (
            Application(
                programme=programme,
                window=window,
                category=category,
                organization=organization,
                applicant=member,
                number=f"HS-2026-{n:06d}",
                status=Application.Status.GRANTED,
                title=f"港のまち花いっぱい運動 {n}",
                purpose="まちの景観",
                content="花壇づくり",
                starts_on=dt.date(2026, 6, 1),
                ends_on=dt.date(2027, 2, 28),
                requested_amount=100_000,
                decided_amount=100_000,
            )
            for n in range(ROWS)
        ),
        batch_size=5_000,
    )
    growth, (size, projects, first, last), queries = _measured(
        lambda: client.get("/subsidies/adopted/2026.json"), b'"number": "HS-2026-'
    )

    assert projects == ROWS
    assert first.startswith(b'{\n  "fiscal_year": 2026,')
    assert last.endswith(b"\n  ]\n}")
    assert size > LIMIT / 10
    _report(capsys, "open data JSON of adopted projects", size, growth)
    assert growth < LIMIT
    assert growth < size
    assert len(queries.captured_queries) == 1

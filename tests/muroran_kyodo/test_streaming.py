"""Streamed JSON and iCal: the same bytes as the whole documents they replace, read from their
rows only while they are written."""

import datetime as dt
import decimal

from django.http import JsonResponse
from icalendar import Calendar, Event

from muroran_kyodo.lib.streaming import Streamed, gathered, ical_chunks, json_response

JST = dt.timezone(dt.timedelta(hours=9))


def _json_bytes(data) -> bytes:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2}).content


def _streamed_bytes(data) -> bytes:
    response = json_response(data)
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    return b"".join(response.streaming_content)


def test_json_is_byte_for_byte_what_json_response_sends():
    rows = [
        {"organization": "輪西まちづくりの会", "amount": 100_000, "rate": decimal.Decimal("0.5")},
        {"organization": '"引用"\n改行', "amount": None, "on": dt.date(2026, 4, 1)},
    ]
    for projects in ([], rows[:1], rows):
        head = {"fiscal_year": 2026, "period": {"start": "2026-04-01"}, "projects": projects}
        expected = _json_bytes(head)
        assert _streamed_bytes({**head, "projects": Streamed(iter(projects))}) == expected
    nested = {"groups": [{"rows": Streamed(iter(rows))}, {"rows": Streamed(iter([]))}]}
    assert _streamed_bytes(nested) == _json_bytes({"groups": [{"rows": rows}, {"rows": []}]})
    assert "輪西".encode() in _streamed_bytes({"projects": Streamed(iter(rows))})  # not \u-escaped


def test_streamed_rows_are_read_only_while_written():
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield {"n": n}

    response = json_response({"projects": Streamed(rows())})
    assert read == []  # nothing read when the view returns
    assert b'"n": 2' in b"".join(response.streaming_content)
    assert read == [0, 1, 2]


def test_pieces_are_gathered_into_chunks():
    assert list(gathered(["ab", "cd", "e"], size=4)) == ["abcd", "e"]
    assert list(gathered([b"ab", b"cd"], size=4)) == [b"abcd"]
    assert list(gathered([], size=4)) == []


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Muroran City//テスト//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "まちづくり協議会")
    return calendar


def _event(n: int) -> Event:
    event = Event()
    event.add("uid", f"test-{n}@example.jp")
    event.add("dtstart", dt.datetime(2026, 6, 1, 10, tzinfo=JST) + dt.timedelta(days=n))
    event.add("summary", "輪西町 ワークショップ " * 8)  # long enough to be folded
    return event


def test_ical_is_byte_for_byte_the_whole_calendar():
    for count in (0, 1, 3):
        whole = _calendar()
        for n in range(count):
            whole.add_component(_event(n))
        streamed = b"".join(ical_chunks(_calendar(), (_event(n) for n in range(count))))
        assert streamed == whole.to_ical()

"""The reliability drill's own logic (bench/drill_lib.py): the one table and its verdicts, the
comparison of acknowledged submissions with what the database holds, and the SMTP sink's
record of every message (counted per recipient and mail, so that a mail sent twice shows).
No database and no web server: the sink is a socket on 127.0.0.1 spoken to with smtplib."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests.bench_modules import load

lib = load("drill_lib")


def test_table_has_every_row_with_its_verdict_and_the_latencies():
    rows = [
        lib.Row("load", "error rate", "0.05% (3)", lib.PASS),
        lib.Row("pg", "friendly 503 page", "0 of 10", lib.FAIL, "statuses seen: 500"),
        lib.Row("media", "MEDIA_ROOT full", "–", lib.SKIPPED, "mount failed: not root"),
    ]
    latencies = [
        {"name": "GET home", "requests": 10, "failures": 0, "p50": 12, "p95": 40, "p99": 90}
    ]
    text = lib.render(rows, header="Drill on a test machine", latencies=latencies)
    lines = text.splitlines()
    assert lines[0] == "Drill on a test machine"
    assert "| load | error rate | 0.05% (3) | **PASS** |  |" in lines
    assert "| pg | friendly 503 page | 0 of 10 | **FAIL** | statuses seen: 500 |" in lines
    assert "| media | MEDIA_ROOT full | – | **SKIPPED** | mount failed: not root |" in lines
    assert "| GET home | 10 | 0 | 12 | 40 | 90 |" in lines
    assert lines[-1] == "1 passed, 1 failed, 1 skipped."


def test_a_pipe_in_a_value_does_not_break_the_table():
    text = lib.render([lib.Row("x", "a|b", "1\n2", lib.PASS)], header="h")
    assert "| x | a\\|b | 1 2 | **PASS** |  |" in text.splitlines()


def test_only_a_failed_row_fails_the_drill():
    assert not lib.failed([lib.Row("a", "b", "c", lib.PASS), lib.Row("a", "b", "c", lib.SKIPPED)])
    assert lib.failed([lib.Row("a", "b", "c", lib.PASS), lib.Row("a", "b", "c", lib.FAIL)])


def test_every_acknowledged_key_present_once_is_ok():
    result = lib.compare("opinion", ["t1", "t2"], {"t1": 1, "t2": 1}, total=3)
    assert result.ok
    assert (result.acknowledged, result.present_once) == (2, 2)
    # A third row committed whose response the load tool never saw: reported, not a failure.
    assert result.unacknowledged == 1


def test_an_acknowledged_key_missing_from_the_database_fails():
    result = lib.compare("opinion", ["t1", "t2"], {"t1": 1, "t2": 0}, total=1)
    assert not result.ok
    assert result.missing == ["t2"]
    assert result.unacknowledged == 0


def test_an_acknowledged_key_stored_twice_fails():
    result = lib.compare("shift_signup", ["5:7"], {"5:7": 2}, total=2)
    assert not result.ok
    assert result.duplicated == ["5:7"]


def test_the_same_key_acknowledged_twice_is_a_duplicate():
    result = lib.compare("opinion", ["t1", "t1"], {"t1": 1}, total=1)
    assert not result.ok
    assert result.duplicated == ["t1"]


def test_nothing_acknowledged_and_nothing_missing_is_ok():
    assert lib.compare("opinion", [], {}, total=0).ok


def _mail(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "portal@example.jp"
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return message


@pytest.fixture
def sink():
    server = lib.SmtpSink()
    server.start()
    yield server
    server.stop()


def test_sink_records_every_message_with_its_recipients(sink):
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
        smtp.send_message(_mail("a@example.jp", "受付しました", "本文 A\n.\n行頭のドット"))
        smtp.send_message(_mail("b@example.jp", "受付しました", "本文 B"))
    assert [m.recipients for m in sink.messages] == [["a@example.jp"], ["b@example.jp"]]
    first = sink.messages[0].parsed
    assert first["Subject"] == "受付しました"
    # The SMTP dot-stuffing is undone: the body is what was sent.
    assert first.get_body().get_content() == "本文 A\n.\n行頭のドット\n"
    assert len(lib.to(sink.messages, "A@example.jp")) == 1


def test_sink_counts_a_mail_sent_twice_whatever_its_message_id(sink):
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
        for _ in range(2):  # a retry makes a new Message-ID and Date: still the same mail
            smtp.send_message(_mail("a@example.jp", "確認", "同じ本文"))
        smtp.send_message(_mail("a@example.jp", "別の件", "別の本文"))
    counts = lib.deliveries(sink.messages)
    assert sorted(counts.values()) == [1, 2]


def test_a_stopped_sink_refuses_connections_and_keeps_its_messages(sink):
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
        smtp.send_message(_mail("a@example.jp", "一通目", "本文"))
    port = sink.port
    sink.stop()
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", port, timeout=5)
    sink.start()
    assert sink.port == port
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(_mail("a@example.jp", "二通目", "本文"))
    assert [m.parsed["Subject"] for m in sink.messages] == ["一通目", "二通目"]

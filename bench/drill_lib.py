"""The reliability drill's pure parts (bench/drill.py): the result rows and the one table, the
comparison of what the load tool was acknowledged with what the database holds, and the SMTP
sink that records every message (a minimal SMTP server on 127.0.0.1, in a thread).

Nothing here starts a database or a web server: tests/muroran_kyodo/test_drill_harness.py
tests it on its own."""

from __future__ import annotations

import email
import email.policy
import hashlib
import socket
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field

PASS, FAIL, SKIPPED = "PASS", "FAIL", "SKIPPED"


@dataclass
class Row:
    """One figure of the drill: its section (load, concurrency, a fault…), what was measured,
    the value, the verdict and a note (why it failed, or why it was skipped)."""

    section: str
    check: str
    value: str
    verdict: str
    note: str = ""


def verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(rows: list[Row], *, header: str, latencies: list[dict] | None = None) -> str:
    """The drill's one table (markdown), a sub-table of latencies per request kind, and the
    totals of each verdict."""
    lines = [header, "", "| section | check | value | result | note |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {_cell(row.section)} | {_cell(row.check)} | {_cell(row.value)} "
            f"| **{row.verdict}** | {_cell(row.note)} |"
        )
    if latencies:
        lines += [
            "",
            "Latency per request kind (load phase, locust; ms):",
            "",
            "| request kind | requests | errors | p50 | p95 | p99 |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for k in latencies:
            lines.append(
                f"| {_cell(k['name'])} | {k['requests']} | {k['failures']} "
                f"| {k['p50']} | {k['p95']} | {k['p99']} |"
            )
    counts = Counter(row.verdict for row in rows)
    lines += [
        "",
        f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[SKIPPED]} skipped.",
    ]
    return "\n".join(lines) + "\n"


def failed(rows: list[Row]) -> bool:
    return any(row.verdict == FAIL for row in rows)


@dataclass
class Comparison:
    """Acknowledged submissions of one kind against the database."""

    kind: str
    acknowledged: int
    present_once: int
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    in_database: int = 0  # rows of this run of this kind, acknowledged or not

    @property
    def ok(self) -> bool:
        return not self.missing and not self.duplicated and self.present_once == self.acknowledged

    @property
    def unacknowledged(self) -> int:
        """Rows committed whose acknowledgement the load tool never saw (a lost response):
        reported, not a failure."""
        return max(self.in_database - self.present_once, 0)


def compare(kind: str, acknowledged: list[str], found: dict[str, int], total: int) -> Comparison:
    """`found`: how many rows the database holds for each acknowledged key (0, 1, more);
    `total`: the rows of this kind the run made. Each acknowledged key must be there once."""
    keys = list(dict.fromkeys(acknowledged))
    missing = [k for k in keys if found.get(k, 0) == 0]
    duplicated = [k for k in keys if found.get(k, 0) > 1]
    # The same key acknowledged twice is itself a duplicate the server confirmed.
    duplicated += [k for k, n in Counter(acknowledged).items() if n > 1 and k not in duplicated]
    present = sum(1 for k in keys if found.get(k, 0) == 1)
    return Comparison(kind, len(acknowledged), present, missing, duplicated, total)


# --- uploads ---------------------------------------------------------------------------------


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content, mime in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def png_photo() -> bytes:
    """A small real PNG (Pillow is a dependency of the project's image checks)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


# --- SMTP sink ---------------------------------------------------------------------------------


@dataclass
class Message:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def parsed(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def key(self) -> str:
        """What makes two deliveries the same mail: the subject and the body, not the
        Message-ID or Date that every new attempt gets."""
        message = self.parsed
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        return hashlib.sha256(f"{message['Subject']}\n{text}".encode()).hexdigest()[:16]


def deliveries(messages: list[Message]) -> Counter:
    """(recipient, mail key) → how many times it arrived."""
    found: Counter = Counter()
    for message in messages:
        for recipient in message.recipients:
            found[(recipient.lower(), message.key)] += 1
    return found


def to(messages: list[Message], recipient: str) -> list[Message]:
    return [m for m in messages if recipient.lower() in (r.lower() for r in m.recipients)]


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1:`port` that accepts every message and keeps it.
    `stop()` closes the port (connections are refused: "SMTP down"); `start()` opens it again
    on the same port, the messages kept."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(30)
        reader = connection.makefile("rb")

        def reply(text: str) -> None:
            connection.sendall(text.encode() + b"\r\n")

        sender, recipients = "", []
        try:
            reply("220 drill-sink ESMTP")
            for raw in reader:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line[:4].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250 drill-sink")
                elif verb == "MAIL":
                    sender, recipients = _address(line), []
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(_address(line))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    chunks = []
                    for data_line in reader:
                        if data_line in (b".\r\n", b".\n"):
                            break
                        if data_line.startswith(b".."):
                            data_line = data_line[1:]
                        chunks.append(data_line.replace(b"\r\n", b"\n"))  # as a mailbox keeps it
                    with self._lock:
                        self.messages.append(Message(sender, recipients, b"".join(chunks)))
                    reply("250 OK queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                elif verb in ("RSET", "NOOP"):
                    sender, recipients = ("", []) if verb == "RSET" else (sender, recipients)
                    reply("250 OK")
                else:
                    reply("502 not implemented")
        except OSError:
            return
        finally:
            reader.close()
            connection.close()


def _address(line: str) -> str:
    start, end = line.find("<"), line.find(">")
    return line[start + 1 : end] if 0 <= start < end else line.split(":", 1)[-1].strip()

"""Virus scanners for the tests: a fake clamd (a tiny threaded socket server speaking the INSTREAM
protocol) and the real one (Debian's clamd, started with a database of test signatures).

The test signatures are the EICAR test file's: its MD5 and size (`.hdb`, the whole file), and
its text as a body signature (`.ndb`, anywhere in any file). The body signature is what lets a
real form's upload carry it: the content checks accept only a real PDF, JPEG, … so the EICAR
text goes inside a small valid PDF (`eicar_pdf`), which the whole-file MD5 would not match. The
fake clamd answers FOUND for the same thing: the EICAR text anywhere in the stream.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from muroran_kyodo.lib import clamd

# The EICAR anti-virus test file: harmless text that every scanner reports as a virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


def pdf(payload: bytes = b"") -> bytes:
    """A small valid PDF (one empty page, a correct cross-reference table) carrying `payload`
    in a stream of its own."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(payload), payload),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def eicar_pdf() -> bytes:
    return pdf(EICAR)


def write_database(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    md5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - the signature format is MD5
    (directory / "test.hdb").write_text(f"{md5}:{len(EICAR)}:{SIGNATURE}\n")
    (directory / "test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")


# --- the fake --------------------------------------------------------------------------------


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        behaviour = self.server.behaviour
        self.server.connections += 1
        if behaviour == "close":
            return
        command = b""
        while not command.endswith(b"\0"):
            byte = self.request.recv(1)
            if not byte:
                return
            command += byte
        if command == b"zPING\0":
            self.request.sendall(b"PONG\0")
            return
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
            if len(data) > self.server.stream_max:
                self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return
        self.server.scanned.append(data)
        if behaviour == "silent":
            time.sleep(self.server.silence)
            return
        if behaviour == "garbage":
            self.request.sendall(b"stream: Can't allocate memory ERROR\0")
        elif EICAR in data:
            self.request.sendall(f"stream: {SIGNATURE} FOUND\0".encode())
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the client closed the stream")
            data += chunk
        return data


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    behaviour = "scan"
    stream_max = 25 * 1024 * 1024
    silence = 2.0
    connections = 0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scanned: list[bytes] = []


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    behaviour = "scan"
    stream_max = 25 * 1024 * 1024
    silence = 2.0
    connections = 0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scanned: list[bytes] = []


class FakeClamd:
    """A clamd on 127.0.0.1 (or a unix socket): `behaviour` is "scan" (OK, or FOUND for the
    EICAR text), "close" (hangs up at once), "silent" (never answers), "garbage" (an error
    line); a stream longer than `stream_max` gets clamd's size-limit answer."""

    def __init__(self, *, unix_path: str | None = None) -> None:
        if unix_path:
            self.server: _Server | _UnixServer = _UnixServer(unix_path, _Handler)
            self.address = f"unix://{unix_path}"
        else:
            self.server = _Server(("127.0.0.1", 0), _Handler)
            self.address = f"tcp://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeClamd:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def scanned(self) -> list[bytes]:
        return self.server.scanned

    def reset(self) -> None:
        """Back to scanning, with the default limits and nothing seen."""
        self.server.behaviour = "scan"
        self.server.stream_max = type(self.server).stream_max
        self.server.silence = type(self.server).silence
        self.server.scanned.clear()

    def behave(self, behaviour: str, **options) -> None:
        self.server.behaviour = behaviour
        for name, value in options.items():
            setattr(self.server, name, value)


def closed_address() -> str:
    """A TCP address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


# --- the real one ----------------------------------------------------------------------------


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if os.access("/usr/sbin/clamd", os.X_OK) else None
    )


class RealClamd:
    """Debian's clamd on a free port of 127.0.0.1, with the test signatures only, in a
    directory of its own (configuration, database, log); stopped on exit."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="clamd-test-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> RealClamd:
        binary = clamd_binary()
        if binary is None:
            raise RuntimeError("clamd not found: apt-get install clamav-daemon")
        write_database(self.directory / "db")
        config = self.directory / "clamd.conf"
        config.write_text(
            f"DatabaseDirectory {self.directory / 'db'}\n"
            f"TCPSocket {self.port}\nTCPAddr 127.0.0.1\nForeground yes\n"
            f"LogFile {self.directory / 'clamd.log'}\n"
        )
        self.process = subprocess.Popen(
            [binary, "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not clamd.ping(self.address, timeout=1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.directory / "clamd.log").read_text(errors="replace")[-2000:]
                self.__exit__()
                raise RuntimeError(f"clamd did not start: {log}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

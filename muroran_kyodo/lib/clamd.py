"""A small client of clamd, ClamAV's scanning daemon: INSTREAM over TCP or a unix socket.

    verdict = clamd.scan(file, address="tcp://127.0.0.1:3310", timeout=10)
    verdict.infected, verdict.signature

The file is sent in chunks (each a 4-byte big-endian length, then the bytes; a zero length
ends it) and clamd answers one line: `stream: OK`, `stream: <signature> FOUND`, or an error
such as `INSTREAM size limit exceeded. ERROR` when the file is longer than its
StreamMaxLength. Only the first two are verdicts; everything else raises `ClamdError`:
`ClamdUnavailable` (not reachable, timed out, an unexpected answer) or `ClamdSizeLimit`.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

CHUNK_BYTES = 64 * 1024
_ANSWER_MAX = 4096


class ClamdError(Exception):
    """The file was not scanned."""


class ClamdUnavailable(ClamdError):
    """clamd did not answer (down, unreachable, timed out) or answered something unexpected."""


class ClamdSizeLimit(ClamdError):
    """clamd refused the file as longer than its StreamMaxLength: it was not scanned."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def parse_address(address: str) -> tuple[int, str | tuple[str, int]]:
    """`tcp://host:port` or `unix:///path/to/clamd.ctl` as a socket family and address."""
    parts = urlsplit(address)
    if parts.scheme == "unix" and parts.path:
        return socket.AF_UNIX, parts.path
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET, (
            parts.hostname,
            parts.port,
        )
    raise ValueError(f"clamd address {address!r}: use tcp://host:port or unix:///path/to/clamd.ctl")


def _connect(address: str, timeout: float) -> socket.socket:
    family, where = parse_address(address)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(where)
    except OSError as error:
        sock.close()
        raise ClamdUnavailable(f"cannot connect to clamd at {address}: {error}") from error
    return sock


def _answer(sock: socket.socket) -> str:
    """clamd's answer up to its NUL (the z-prefixed commands end answers with NUL)."""
    data = b""
    while b"\0" not in data and len(data) < _ANSWER_MAX:
        chunk = sock.recv(_ANSWER_MAX)
        if not chunk:
            break
        data += chunk
    return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def ping(address: str, *, timeout: float = 5) -> bool:
    """Whether clamd answers PONG."""
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zPING\0")
            return _answer(sock) == "PONG"
    except (ClamdError, OSError):
        return False


def scan(file: IO[bytes], *, address: str, timeout: float) -> Verdict:
    """Scan the whole file (from its start; its position is restored) with INSTREAM."""
    position = file.tell()
    file.seek(0)
    try:
        with _connect(address, timeout) as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while chunk := file.read(CHUNK_BYTES):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError) as error:
                # clamd closes the stream once it passes StreamMaxLength, having said why.
                answer = _read_after_reset(sock)
                if "size limit" in answer.lower():
                    raise ClamdSizeLimit(answer) from error
                raise ClamdUnavailable(f"clamd closed the connection: {error}") from error
            answer = _answer(sock)
    except TimeoutError as error:
        raise ClamdUnavailable(f"clamd at {address} did not answer in {timeout:g} s") from error
    except ClamdError:
        raise
    except OSError as error:
        raise ClamdUnavailable(f"clamd at {address}: {error}") from error
    finally:
        file.seek(position)
    return _verdict(answer)


def _read_after_reset(sock: socket.socket) -> str:
    try:
        return _answer(sock)
    except OSError:
        return ""


def _verdict(answer: str) -> Verdict:
    if "size limit exceeded" in answer:
        raise ClamdSizeLimit(answer)
    if answer == "stream: OK":
        return Verdict(infected=False)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return Verdict(infected=True, signature=answer[len("stream: ") : -len(" FOUND")])
    raise ClamdUnavailable(f"unexpected answer from clamd: {answer!r}")

"""A PDF's active content, found before it is accepted (`uploads.validate_document` calls
`check_pdf`): a PDF that runs something when it is opened is refused, whatever it looks like.

Refused: the names /JavaScript, /JS, /Launch, /EmbeddedFile(s), /RichMedia, /XFA, a non-empty
/AA (additional actions: on opening a page, on a field…) — an /OpenAction is refused through
them when it points to JavaScript or a launch; an /OpenAction that only opens a page stays —,
and /Encrypt (an encrypted PDF's streams cannot be read, so it cannot be checked).

Names are looked for in the PDF's syntax (the bytes outside stream data) and inside its
streams once decoded (FlateDecode, ASCIIHex, ASCII85, RunLength, LZW, in any chain), because
PDF 1.5 object streams hide whole dictionaries in compressed data. Names are compared after
their #xx escapes are undone (/J#61vaScript is /JavaScript). The decoded output of all streams
together is capped (settings.UPLOAD_MAX_PDF_INFLATED_BYTES): more is refused as a
decompression bomb. Image data (DCT, JPX, CCITT, JBIG2) is not decoded: it holds pixels, never
objects.

This is a scanner of the syntax, not a renderer: it refuses what it cannot read rather than
guess (a stream whose filter is unknown, a compressed stream that does not decode).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_INFLATED_BYTES = 50 * 1024 * 1024

# Actions and content that run or carry something when the PDF is opened.
ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "Launch",
    b"EmbeddedFile": "EmbeddedFile",
    b"EmbeddedFiles": "EmbeddedFiles",
    b"RichMedia": "RichMedia",
    b"XFA": "XFA",
}

_DELIMITERS = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
_NAME = re.compile(rb"/([^" + _DELIMITERS + rb"]*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The `stream` keyword (not the end of `endstream`) and its end of line.
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\bobj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_EMPTY_DICT = re.compile(rb"\s*<<\s*>>")
_IMAGE_FILTERS = {
    b"DCTDecode",
    b"DCT",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"CCF",
    b"JBIG2Decode",
}
# Binary streams whose decoded bytes are not PDF syntax (pixels, fonts, the cross-reference
# table): decoded (for the cap) but not read for names, where random bytes could look like one.
_BINARY_STREAM_KEYS = (b"Image", b"XRef", b"Length1", b"Length2", b"Length3", b"FontFile")


class _Refused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _name(raw: bytes) -> bytes:
    return _HEX_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), raw)


def _names(syntax: bytes) -> Iterator[tuple[bytes, int]]:
    """Every name in `syntax`, unescaped, with the offset just after it."""
    for match in _NAME.finditer(syntax):
        yield _name(match.group(1)), match.end()


def _check_syntax(syntax: bytes) -> None:
    for name, end in _names(syntax):
        if name == b"Encrypt":
            raise _Refused("pdf_encrypted")
        if name in ACTIVE_NAMES:
            raise _Refused("pdf_active", ACTIVE_NAMES[name])
        if name == b"AA" and not _EMPTY_DICT.match(syntax, end):
            raise _Refused("pdf_active", "AA")


def _filters(dictionary: bytes) -> list[bytes]:
    """The /Filter of a stream dictionary: one name or an array of names, unescaped."""
    names = list(_names(dictionary))
    for index, (name, end) in enumerate(names):
        if name != b"Filter":
            continue
        rest = dictionary[end:].lstrip()
        if rest.startswith(b"["):
            closing = rest.find(b"]")
            return [found for found, _end in _names(rest[: closing if closing >= 0 else None])]
        if index + 1 < len(names):
            return [names[index + 1][0]]
    return []


class _Budget:
    """What is left of the decoded bytes allowed for the whole file."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _Refused("pdf_bomb")


def _inflate(data: bytes, budget: _Budget) -> bytes:
    """Zlib data decoded in pieces, so a damaged end keeps what came before it; nothing decoded
    at all is refused (a compressed stream that is not compressed data hides something)."""
    decoder = zlib.decompressobj()
    out = bytearray()
    try:
        for start in range(0, len(data), 65536):
            piece = decoder.decompress(data[start : start + 65536], budget.left + 1)
            budget.take(len(piece))
            out += piece
            while decoder.unconsumed_tail:
                piece = decoder.decompress(decoder.unconsumed_tail, budget.left + 1)
                budget.take(len(piece))
                out += piece
            if decoder.eof:
                break
    except zlib.error:
        if not out:
            raise _Refused("pdf_damaged") from None
    return bytes(out)


def _ascii_hex(data: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", data.split(b">", 1)[0])
    if len(digits) % 2:
        digits += b"0"
    try:
        return binascii.unhexlify(digits)
    except binascii.Error:
        raise _Refused("pdf_damaged") from None


def _ascii85(data: bytes) -> bytes:
    text = re.sub(rb"\s", b"", data)
    if text.startswith(b"<~"):
        text = text[2:]
    text = text.split(b"~>", 1)[0]
    try:
        return base64.a85decode(text)
    except ValueError:
        raise _Refused("pdf_damaged") from None


def _run_length(data: bytes, budget: _Budget) -> bytes:
    out = bytearray()
    index = 0
    while index < len(data):
        length = data[index]
        if length == 128:
            break
        if length < 128:
            chunk = data[index + 1 : index + 2 + length]
            index += 2 + length
        else:
            chunk = data[index + 1 : index + 2] * (257 - length)
            index += 2
        budget.take(len(chunk))
        out += chunk
    return bytes(out)


def _lzw(data: bytes, budget: _Budget) -> bytes:
    """LZW as PDF writes it (early change): codes of 9 to 12 bits, 256 clears, 257 ends."""
    out = bytearray()
    table = [bytes([value]) for value in range(256)] + [b"", b""]
    width, buffer, held = 9, 0, 0
    previous = b""
    for byte in data:
        buffer = ((buffer << 8) | byte) & 0xFFFFFF
        held += 8
        while held >= width:
            held -= width
            code = (buffer >> held) & ((1 << width) - 1)
            if code == 256:
                table, width, previous = table[:258], 9, b""
                continue
            if code == 257:
                return bytes(out)
            if code < len(table):
                entry = table[code]
                if previous:
                    table.append(previous + entry[:1])
            elif code == len(table) and previous:
                entry = previous + previous[:1]
                table.append(entry)
            else:
                raise _Refused("pdf_damaged")
            budget.take(len(entry))
            out += entry
            previous = entry
            if len(table) + 1 >= (1 << width) and width < 12:
                width += 1
    return bytes(out)


def _decode(body: bytes, filters: list[bytes], budget: _Budget) -> bytes | None:
    """The stream's data through its filters; None when it ends in image data."""
    for name in filters:
        if name in (b"FlateDecode", b"Fl"):
            body = _inflate(body, budget)
        elif name in (b"ASCIIHexDecode", b"AHx"):
            body = _ascii_hex(body)
        elif name in (b"ASCII85Decode", b"A85"):
            body = _ascii85(body)
        elif name in (b"RunLengthDecode", b"RL"):
            body = _run_length(body, budget)
        elif name in (b"LZWDecode", b"LZW"):
            body = _lzw(body, budget)
        elif name in _IMAGE_FILTERS:
            return None
        elif name == b"Crypt":
            raise _Refused("pdf_encrypted")
        else:
            raise _Refused("pdf_damaged")
    return body


def _sections(data: bytes) -> Iterator[tuple[bytes, bytes | None, bytes]]:
    """(syntax before a stream, the stream's dictionary, the stream's raw data) in order; the
    last piece of syntax comes with no dictionary. A stream ends at its direct /Length when that
    lands on `endstream`, otherwise at the next `endstream`."""
    position = 0
    while True:
        match = _STREAM.search(data, position)
        if match is None:
            yield data[position:], None, b""
            return
        syntax = data[position : match.start()]
        starts = [found.end() for found in _OBJ.finditer(syntax)]
        dictionary = syntax[starts[-1] :] if starts else syntax
        begin = match.end()
        end = -1
        length = _LENGTH.search(dictionary)
        if length:
            candidate = begin + int(length.group(1))
            if data[candidate : candidate + 12].lstrip().startswith(b"endstream"):
                end = candidate
        if end < 0:
            end = data.find(b"endstream", begin)
            if end < 0:
                end = len(data)
        yield syntax, dictionary, data[begin:end]
        position = end + len(b"endstream")


def _inspect(data: bytes, limit: int) -> None:
    budget = _Budget(limit)
    for syntax, dictionary, body in _sections(data):
        _check_syntax(syntax)
        if dictionary is None:
            continue
        decoded = _decode(body, _filters(dictionary), budget)
        if decoded is None:
            continue
        keys = {name for name, _end in _names(dictionary)}
        if not keys.intersection(_BINARY_STREAM_KEYS):
            _check_syntax(decoded)


def check_pdf(file: IO[bytes]) -> None:
    """Refuse a PDF with active content, encryption or a decompression bomb (ValidationError
    with a message that says what to do). The file's position is restored."""
    limit = getattr(settings, "UPLOAD_MAX_PDF_INFLATED_BYTES", DEFAULT_MAX_INFLATED_BYTES)
    position = file.tell()
    file.seek(0)
    data = file.read()
    file.seek(position)
    try:
        _inspect(data, limit)
    except _Refused as refused:
        raise _error(refused, limit) from None


def _error(refused: _Refused, limit: int) -> ValidationError:
    if refused.code == "pdf_active":
        message = _(
            "The PDF contains something that runs when it is opened (%(what)s), which cannot be "
            "accepted. Print it to a new PDF (for example with “Microsoft Print to PDF”) and "
            "attach that."
        ) % {"what": refused.detail}
    elif refused.code == "pdf_encrypted":
        message = _(
            "The PDF is protected (a password or encryption), so its content cannot be checked. "
            "Attach a PDF without protection."
        )
    elif refused.code == "pdf_bomb":
        message = _(
            "The PDF expands to more than %(size)s MB when opened, so it cannot be checked. "
            "Attach a smaller PDF."
        ) % {"size": f"{limit / (1024 * 1024):g}"}
    else:
        message = _(
            "The PDF is damaged or uses a format that cannot be checked. Save it again as PDF "
            "and attach it."
        )
    return ValidationError(message, code=refused.code)

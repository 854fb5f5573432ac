"""Documents for tests, built in the test: clean ones and the hostile ones a probe sent (a PDF
that runs JavaScript when opened, the same hidden in a compressed object stream or behind #xx
escapes, an encrypted PDF, a PDF that inflates without end; a .docx that inflates to 200 MB,
one with a `../` entry, with macros, with an archive inside)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def pdf(*objects: bytes, trailer: bytes = b"<< /Root 1 0 R >>", version: bytes = b"1.7") -> bytes:
    """A PDF from its objects' bodies (numbered from 1), with a cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    stream(zlib.compress(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"), b"/Filter /FlateDecode"),
)


def clean_pdf() -> bytes:
    """A one-page PDF that opens at its first page (an /OpenAction that is no script)."""
    return pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", *PAGES)


def pdf_with_catalog(entries: bytes) -> bytes:
    return pdf(b"<< /Type /Catalog /Pages 2 0 R " + entries + b" >>", *PAGES)


def javascript_pdf() -> bytes:
    return pdf_with_catalog(b"/OpenAction " + JS_ACTION)


def object_stream_pdf(hidden: bytes = JS_ACTION, filters: bytes = b"/FlateDecode") -> bytes:
    """The catalog points to object 6, which lives only inside a compressed object stream
    (PDF 1.5), so that the raw bytes never show its names."""
    header = b"6 0 "
    body = header + hidden
    if filters == b"/FlateDecode":
        data = zlib.compress(body)
    elif filters == b"/LZWDecode":
        data = lzw(body)
    else:  # [/ASCIIHexDecode /FlateDecode]: hex of the compressed data
        data = zlib.compress(body).hex().encode() + b">"
    objstm = stream(data, b"/Type /ObjStm /N 1 /First %d /Filter %s" % (len(header), filters))
    return pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>", *PAGES, objstm, version=b"1.5"
    )


def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate data of `megabytes` MiB of zeros and their CRC-32, made from one compressed
    mebibyte repeated (each piece ends with a full flush, so the pieces are identical)."""
    chunk = b"\x00" * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert piece == again
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return piece * megabytes + compressor.flush(), crc


def inflating_pdf(megabytes: int) -> bytes:
    """A PDF with one FlateDecode stream of `megabytes` MiB of zeros (a kilobyte per MiB)."""
    deflated, _crc = _zeros_deflated(megabytes)
    adler = 1
    chunk = b"\x00" * (1024 * 1024)
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    data = b"\x78\xda" + deflated + adler.to_bytes(4, "big")
    return pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        *PAGES,
        stream(data, b"/Filter /FlateDecode"),
    )


# --- Office archives -----------------------------------------------------------------------


def office(
    entries: dict[str, bytes] | None = None,
    kind: str = "docx",
    content_types: bytes = b'<?xml version="1.0"?><Types/>',
) -> bytes:
    """A minimal .docx (or .xlsx) with extra `entries`."""
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(main, b"<document>Hello</document>")
        for name, data in (entries or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def inflating_docx(megabytes: int = 200) -> bytes:
    """A .docx whose one large entry inflates to `megabytes` MiB of zeros (200: about 200 KB on
    disk, built in a fraction of a second, never inflated in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<document/>")
    small = buffer.getvalue()
    directory_at = small.index(b"PK\x01\x02")
    end_at = small.index(b"PK\x05\x06")
    entries = small[:directory_at]
    directory = small[directory_at:end_at]
    data, crc = _zeros_deflated(megabytes)
    name = b"word/media/padding.xml"
    size = megabytes * 1024 * 1024
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(data), size)
    offset = len(entries)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (
        b"PK\x01\x02"
        + struct.pack("<H", 20)
        + fields
        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset)
        + name
    )
    entries += local + data
    directory += central
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 3, 3, len(directory), len(entries), 0)
    return entries + directory + end


def with_entry_flag(data: bytes, name: bytes, flag: int) -> bytes:
    """The archive with a general-purpose flag set on `name`'s central-directory record (bit 0:
    encrypted)."""
    start = 0
    while True:
        record = data.index(b"PK\x01\x02", start)
        length = int.from_bytes(data[record + 28 : record + 30], "little")
        if data[record + 46 : record + 46 + length] == name:
            flags = int.from_bytes(data[record + 8 : record + 10], "little") | flag
            return data[: record + 8] + flags.to_bytes(2, "little") + data[record + 10 :]
        start = record + 4


def lzw(data: bytes) -> bytes:
    """LZW as PDF's LZWDecode reads it (codes of 9–12 bits, early change, clear first), for
    data short enough never to fill the table (a few kilobytes)."""
    table = {bytes([value]): value for value in range(256)}
    codes = [256]
    current = b""
    for value in data:
        candidate = current + bytes([value])
        if candidate in table:
            current = candidate
            continue
        codes.append(table[current])
        table[candidate] = len(table) + 2  # 256 and 257 are clear and end
        current = bytes([value])
    if current:
        codes.append(table[current])
    codes.append(257)
    out, buffer, held, width, size = bytearray(), 0, 0, 9, 258
    for index, code in enumerate(codes):
        buffer = (buffer << width) | code
        held += width
        while held >= 8:
            held -= 8
            out.append((buffer >> held) & 0xFF)
        if index >= 2:  # the decoder adds an entry from the second code after a clear on
            size += 1
        if size + 1 >= (1 << width) and width < 12:
            width += 1
    if held:
        out.append((buffer << (8 - held)) & 0xFF)
    return bytes(out)

"""Real, tiny images built byte by byte (no imaging library): a 1×1 grey JPEG and a 1×1 grey
PNG that any viewer opens."""

from __future__ import annotations

import struct
import zlib


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def tiny_jpeg() -> bytes:
    """Baseline JPEG: JFIF header, one quantisation table, 1×1 greyscale frame, one DC and one
    AC Huffman table each with a single code, and one block (DC difference 0, end of block)."""
    return b"".join(
        [
            b"\xff\xd8",  # start of image
            _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFFDB, b"\x00" + b"\x01" * 64),
            _segment(0xFFC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
            _segment(0xFFC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
            _segment(0xFFC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
            _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
            b"\x3f",  # bits 0 (DC category 0), 0 (EOB), padded with ones
            b"\xff\xd9",  # end of image
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png() -> bytes:
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)),
            _chunk(b"IDAT", zlib.compress(b"\x00\x80")),
            _chunk(b"IEND", b""),
        ]
    )

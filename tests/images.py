"""Images for tests: real, tiny ones built byte by byte (a 1×1 grey JPEG and a 1×1 grey PNG
that any viewer opens), real ones made with Pillow, and hostile ones: a header declaring
50,000×50,000 pixels, HTML/PNG and HTML/JPEG polyglots, a photo with GPS in its EXIF."""

from __future__ import annotations

import io
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


# --- made with Pillow, and hostile ones --------------------------------------------------------


def pillow_image(
    fmt: str = "JPEG", size: tuple[int, int] = (40, 20), colour: str = "red", **options
) -> bytes:
    """A real image made with Pillow (`options` go to save: exif, comment, pnginfo…)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **options)
    return out.getvalue()


def real_jpeg(size: tuple[int, int] = (40, 20), colour: str = "red") -> bytes:
    return pillow_image("JPEG", size, colour)


def real_png(size: tuple[int, int] = (40, 20), colour: str = "red") -> bytes:
    return pillow_image("PNG", size, colour)


def huge_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG that declares width×height pixels in a few dozen bytes: the header is what a
    cheap check must read (the pixel data is one compressed row, never decoded)."""
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
            _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)),
            _chunk(b"IEND", b""),
        ]
    )


SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def html_png_polyglot() -> bytes:
    """A valid PNG with an HTML page in a text chunk and another after its end."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    return pillow_image("PNG", pnginfo=info) + SCRIPT


def html_jpeg_polyglot() -> bytes:
    """A valid JPEG with an HTML page in its comment segment and another after its end."""
    return pillow_image("JPEG", comment=SCRIPT) + SCRIPT


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF holds a GPS position (Muroran) and an orientation (6: shown turned
    90° clockwise): the left half red, the right half blue."""
    from PIL import ExifTags, Image

    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCamera"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (42.0, 18.0, 55.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (140.0, 58.0, 26.0),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()

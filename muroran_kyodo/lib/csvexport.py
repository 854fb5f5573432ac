"""CSV downloads (open data and admin exports) in one shape: UTF-8 with a BOM so that Excel
reads Japanese, and no cell that a spreadsheet would run as a formula. Streamed: the rows are
written as they are read, so a download of 100,000 rows holds one chunk in memory, not the file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# What a spreadsheet may run as a formula: the ASCII signs, their full-width forms (Excel with
# a Japanese IME reads ＝ as =), and a tab or CR (which LibreOffice skips before a formula).
_FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
# Leading blanks a spreadsheet may skip before reading the rest as a formula.
_LEADING_BLANKS = " \t\r\n\u3000"
# Characters gathered before a chunk is sent: a few thousand rows a query chunk make a few
# dozen writes to the socket, not one per row.
CHUNK_CHARACTERS = 64 * 1024


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run (=1+1, ＝1+1, " =1+1") gets a leading
    apostrophe, so it shows as text; numbers and other text are kept."""
    if isinstance(value, str) and (
        value.startswith(_FORMULA_STARTS)
        or value.lstrip(_LEADING_BLANKS).startswith(_FORMULA_STARTS)
    ):
        return "'" + value
    return value


class _Pending:
    """The file csv.writer writes to: what the rows wrote since the last chunk was sent."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts, self.size = [], 0
        return text


def csv_chunks(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM, the header and the formula-safe rows, in chunks of about CHUNK_CHARACTERS."""
    pending = _Pending()
    pending.write("\ufeff")
    writer = csv.writer(pending)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if pending.size >= CHUNK_CHARACTERS:
            yield pending.take()
    yield pending.take()


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """A CSV download of `rows`, read while the response is sent: pass a generator over a
    queryset's `.iterator(chunk_size=…)` (with the select_related the columns need), never a
    list of every row."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

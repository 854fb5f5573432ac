"""CSV downloads (open data and admin exports) in one shape: UTF-8 with a BOM so that Excel
reads Japanese, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# What a spreadsheet may run as a formula: the ASCII signs, their full-width forms (Excel with
# a Japanese IME reads ＝ as =), and a tab or CR (which LibreOffice skips before a formula).
_FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
# Leading blanks a spreadsheet may skip before reading the rest as a formula.
_LEADING_BLANKS = " \t\r\n\u3000"


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run (=1+1, ＝1+1, " =1+1") gets a leading
    apostrophe, so it shows as text; numbers and other text are kept."""
    if isinstance(value, str) and (
        value.startswith(_FORMULA_STARTS)
        or value.lstrip(_LEADING_BLANKS).startswith(_FORMULA_STARTS)
    ):
        return "'" + value
    return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response

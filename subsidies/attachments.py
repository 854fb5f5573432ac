"""What a document attached to an application may be: checked by content, extension and size
(`services.attachment_add` stores it under a private path).

Allowed: PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) — what groups make 企画書・予算書・名簿
with. The first bytes decide what a file is; the name must agree with them. The checks are the
shared layer's (`muroran_kyodo.lib.uploads`), as for the documents of a パブリックコメント case.
"""

from __future__ import annotations

from muroran_kyodo.lib.uploads import (
    DOCUMENT_EXTENSIONS as EXTENSIONS,
)
from muroran_kyodo.lib.uploads import (
    DOCX,
    PDF,
    XLSX,
    clean_document,
    detect_document_type,
    document_size,
    validate_document,
)

__all__ = [
    "DOCX",
    "EXTENSIONS",
    "PDF",
    "XLSX",
    "clean_document",
    "detect_document_type",
    "document_size",
    "validate_document",
]

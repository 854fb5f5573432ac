"""The upload storage unable to keep a file: full (ENOSPC) or read-only (EROFS)."""

from __future__ import annotations

import errno

import pytest
from django.core.files.storage import FileSystemStorage

FAULTS = {
    "full": OSError(errno.ENOSPC, "No space left on device"),
    "read-only": OSError(errno.EROFS, "Read-only file system"),
}

# The message next to the form (Japanese), and the 503 page's heading.
REFUSAL = "ファイルを保存できませんでした。ただいま市のファイル保存領域がファイルを受け付けていません。何も記録されていません。"
PAGE = "ファイルを保存できませんでした"


@pytest.fixture(params=sorted(FAULTS))
def storage_fails(request, monkeypatch):
    """Every file the default storage saves fails with the disk full, then read-only."""
    error = FAULTS[request.param]

    def refuse(self, name, content):
        raise OSError(error.errno, error.strerror)

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    return error

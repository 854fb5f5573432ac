"""The default storage of uploads (settings.STORAGES["default"]): the file system, or an
S3-compatible object store (`storage_s3.py`, UPLOAD_STORAGE=s3), recording the virus check of
every file it stores (`lib.scanning`), whichever app or form stored it. A file it cannot keep
(the disk full or read-only) is `lib.faults.StorageUnavailable`: a refusal on the form of the
views that call a service, the 503 page elsewhere, and no row left pointing at no file."""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.storage import FileSystemStorage

from . import scanning
from .faults import StorageUnavailable, first_line

logger = logging.getLogger(__name__)


class ScannedStorageMixin:
    """What every upload storage adds to its backend (first among the bases): the virus check
    recorded for each file stored and forgotten when it is deleted, and no URL. The scan state
    lives in the database (`FileScan`, by storage name), so it holds whatever keeps the bytes."""

    def _save(self, name: str, content: Any) -> str:
        finding = scanning.check_before_storing(content)
        try:
            name = super()._save(name, content)  # type: ignore[misc]  # not in django-stubs
        except OSError as error:
            # The disk full (ENOSPC, EDQUOT), read-only (EROFS), refused (EACCES) or failing:
            # no file, so no row may point at one. A refusal the form shows, or the 503 page.
            logger.warning("upload storage could not save a file: %s", first_line(error))
            raise StorageUnavailable(error) from error
        scanning.record_stored(self, name, finding)  # type: ignore[arg-type]
        return name

    def delete(self, name: str) -> None:
        super().delete(name)  # type: ignore[misc]
        scanning.forget(name)

    def url(self, name: str | None) -> str:
        # No MEDIA_URL and no signed object-store link: uploads are private and opened only
        # through the apps' permission-checked views, which check the scan state
        # (`scanning.refusal`).
        raise ValueError("Uploads have no public URL: link to the app's download view.")


class ScannedFileSystemStorage(ScannedStorageMixin, FileSystemStorage):
    pass

"""The default storage of uploads (settings.STORAGES["default"]): the file system, recording
the virus check of every file it stores (`lib.scanning`), whichever app or form stored it."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage

from . import scanning


class ScannedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        finding = scanning.check_before_storing(content)
        name = super()._save(name, content)  # type: ignore[misc]  # not in django-stubs
        scanning.record_stored(self, name, finding)
        return name

    def delete(self, name: str) -> None:
        super().delete(name)
        scanning.forget(name)

    def url(self, name: str | None) -> str:
        # No MEDIA_URL: uploads are private and opened only through the apps' permission-
        # checked views, which check the scan state (`scanning.refusal`).
        raise ValueError("Uploads have no public URL: link to the app's download view.")

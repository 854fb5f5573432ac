"""Uploads in an S3-compatible object store (UPLOAD_STORAGE=s3: Amazon S3, MinIO, Ceph RGW,
…) through django-storages, with the same virus check and no URL as on the file system
(`storage.ScannedStorageMixin`). Imported only when configured: django-storages and boto3
are a production extra (`pip install '.[s3]'`)."""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from .storage import ScannedStorageMixin


class ScannedS3Storage(ScannedStorageMixin, S3Storage):
    # Random names already; never overwrite an object whatever name a caller asks for.
    file_overwrite = False
    # Private objects: no public-read ACL, and no URL (ScannedStorageMixin.url refuses).
    default_acl = "private"

"""Pieces every app's admin shares for the rows around a record: the read-only inlines of what
the services write (a history of state changes, sign-ups, slots) and the form of an uploaded
file checked by its content (a photo, a document).

- `ReadOnlyInline`: listed, never added, changed or deleted here.
- `HistoryInline`: a record's `StatusChange` rows (at, from, to, by, reason); set `model`.
- `CheckedUploadForm`: a ModelForm whose `upload_field` is checked by `check` (lib.uploads'
  `validate_image` or `validate_document`) when a new file is uploaded, the refusal on the
  field (the virus check included); the stored file is shown with its virus check, not linked
  (`widgets.ScannedFileInput`); on save the record keeps the content type found, and, where the model has the
  fields, the name uploaded (`original_name`) and the size (`size`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .uploads import clean_document, clean_image
from .widgets import ScannedFileInput


class ReadOnlyInline(admin.TabularInline):
    """Rows written by the services only: listed, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class HistoryInline(ReadOnlyInline):
    """The record's status changes (the shared StatusChange shape), read-only."""

    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = ["at", "old_status", "new_status", "by", "reason"]
    verbose_name_plural = _("history")

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("by")


def checked_image(upload: IO[bytes]) -> tuple[IO[bytes], str]:
    """`clean_image` in the shape `CheckedUploadForm.check` takes: the re-encoded photo and its
    content type."""
    photo = clean_image(upload)
    return photo, str(photo.content_type)


class CheckedUploadForm(forms.ModelForm):
    upload_field = "file"
    check: Callable[[IO[bytes]], tuple[IO[bytes], str]] = staticmethod(clean_document)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The stored file's name and virus check, never a link that would bypass the app's view.
        field = self.fields[self.upload_field]
        field.widget = ScannedFileInput(attrs=field.widget.attrs)
        field.widget.is_required = field.required

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        upload = cleaned.get(self.upload_field)
        self._checked_type = ""
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            try:
                stored, self._checked_type = type(self).check(upload)
            except ValidationError as error:
                self.add_error(self.upload_field, error)
            else:
                # The model's field is set from cleaned_data after clean(): it stores this.
                cleaned[self.upload_field] = stored
        return cleaned

    def save(self, commit: bool = True) -> Any:
        record = super().save(commit=False)
        if self._checked_type:
            upload = self.cleaned_data[self.upload_field]
            record.content_type = self._checked_type
            names = {field.name for field in record._meta.get_fields()}
            if "original_name" in names:
                record.original_name = (upload.name or "")[:200]
            if "size" in names:
                record.size = upload.size  # the size stored (an image re-encoded)
        if commit:
            record.save()
        return record

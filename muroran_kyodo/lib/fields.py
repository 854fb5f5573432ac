"""Form fields the stock ones lack."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

_ID = re.compile(r"[0-9]{1,19}", re.ASCII)
MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that a value that cannot be an id of the table (not digits, or
    beyond the database's integer range) is refused as an invalid choice: Django passes it to
    the database, where an out-of-range number is an error (a 500) instead of "not found"."""

    def _check_values(self, value: Iterable[Any]) -> models.QuerySet[Any]:
        queryset = self.queryset
        assert queryset is not None  # Django calls this from clean(), with the queryset set
        key = self.to_field_name or "pk"
        field = queryset.model._meta.get_field(key) if key != "pk" else None
        field = field or queryset.model._meta.pk
        if isinstance(field, models.IntegerField):
            for pk in value:
                text = str(pk)
                if not (_ID.fullmatch(text) and int(text) <= MAX_ID):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        # Django's private helper, which django-stubs do not declare.
        return super()._check_values(value)  # type: ignore[misc]

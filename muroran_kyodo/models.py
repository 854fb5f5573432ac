"""The portal's one shared table: counters for human-readable numbers (MP-2026-00123)."""

from django.db import IntegrityError, models, transaction
from django.db.models import F


class Sequence(models.Model):
    key = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sequence"

    def __str__(self):
        return f"{self.key}={self.value}"


def next_value(key: str) -> int:
    """The next number of a named counter, without gaps from races.

    The UPDATE takes the row lock, so two concurrent callers get different numbers on
    PostgreSQL and on SQLite alike. Call it inside the transaction that uses the number.
    """
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).update(value=F("value") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(value=F("value") + 1)
        return Sequence.objects.get(key=key).value

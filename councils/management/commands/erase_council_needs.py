"""`manage.py erase_council_needs`: daily from cron, blank the needs (childcare, mobility,
interpreting) given with sign-ups once the session ended NEEDS_KEEP_DAYS ago, and at once for
cancelled or lapsed sign-ups. Safe to run twice: the second run finds nothing to erase."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from councils.services import needs_erase


class Command(BaseCommand):
    help = (
        "Erase the needs given with council sign-ups that are no longer needed (safe to run twice)."
    )

    def handle(self, *args, **options):
        erased = needs_erase(now=timezone.now())
        self.stdout.write(f"{erased} sign-up(s) had their needs erased.")

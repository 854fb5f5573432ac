"""`manage.py apply_retention [--dry-run]`: once a day from cron, anonymise the personal data
of closed records past their retention period (`registry.RETENTION`: パブリックコメント
submissions, まちづくり協議会 guest sign-ups and their needs, subsidy applications not adopted or
withdrawn; periods in `settings.RETENTION`). Prints one count per kind. Safe to run twice (the
second run changes nothing) and two at once (each row is claimed by one run)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from muroran_kyodo import registry


class Command(BaseCommand):
    help = "Anonymise the personal data of closed records past their retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be anonymised, change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        verb = "would be anonymised" if dry_run else "anonymised"
        total = 0
        for kind, apply in registry.RETENTION:
            changed = apply(now=now, dry_run=dry_run)
            total += changed
            self.stdout.write(f"{kind}: {changed} {verb}")
        self.stdout.write(
            f"total: {total} {verb}" + (" (dry run: nothing changed)" if dry_run else "")
        )

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import SecurityEvent


class Command(BaseCommand):
    help = "Delete security events (the audit log) older than --days days (default 400)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=400)

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"{deleted} security events older than {days} days deleted.")

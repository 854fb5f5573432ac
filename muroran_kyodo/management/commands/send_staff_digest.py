"""`manage.py send_staff_digest`: once a day from cron, each staff member is mailed what waits
for them in the work queue. Running it twice the same day sends nothing more."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from muroran_kyodo.digest import send_digests


class Command(BaseCommand):
    help = "Mail each staff member what waits for them in the work queue (once a day)."

    def handle(self, *args, **options):
        sent = send_digests(now=timezone.now())
        self.stdout.write(f"{sent} digest(s) sent.")

"""`manage.py send_reminders`: once a day from cron, every app's reminders (`registry.REMINDERS`:
a partner before their shift, a group before its completion report is due). Each reminder goes
once, however often the command runs."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from muroran_kyodo import registry


class Command(BaseCommand):
    help = "Send the reminders due now: shifts, completion reports (safe to run twice)."

    def handle(self, *args, **options):
        now = timezone.now()
        sent = sum(send(now=now) for send in registry.REMINDERS)
        self.stdout.write(f"{sent} reminder(s) sent.")

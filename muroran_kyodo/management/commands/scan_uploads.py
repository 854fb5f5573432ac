"""`manage.py scan_uploads`: every 10 minutes from cron, the virus check of every stored upload
still waiting (`lib.scanning.scan_waiting`): files accepted while clamd was down, and files of
any FileField stored before scanning began. A file found infected is moved to the quarantine,
never served again, and the staff are told (audit log line and an e-mail to ADMIN_EMAILS).
Safe to run twice at the same time. Exits non-zero when clamd cannot be reached, or refuses a
file as too long, so that cron mails the message."""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from muroran_kyodo.lib import scanning


class Command(BaseCommand):
    help = "Scan the uploads waiting for the virus check (cron, every 10 minutes)."

    def handle(self, *args, **options):
        try:
            run = scanning.scan_waiting(default_storage)
        except scanning.ScanningNotConfigured as error:
            raise CommandError(
                f"{error} Set CLAMD_ADDRESS (tcp://host:3310 or unix:///run/clamav/clamd.ctl)."
            ) from error
        if not scanning.address():
            self.stdout.write(
                f"Scanning is off (no CLAMD_ADDRESS, DEBUG on): {run.added} file(s) recorded "
                "as unscanned."
            )
            return
        self.stdout.write(
            f"{run.clean} file(s) clean, {len(run.infected)} infected, "
            f"{run.waiting} still waiting ({run.added} found without a record)."
        )
        for name in run.infected:
            self.stdout.write(f"INFECTED, moved to the quarantine: {name}")
        for name in run.missing:
            self.stderr.write(f"Missing from the storage, not scanned: {name}")
        problems = []
        if run.unavailable:
            problems.append(
                f"clamd could not scan ({run.unavailable}); the files wait as pending and are "
                "not served. Check that clamd runs (systemctl status clamav-daemon)."
            )
        if run.too_long:
            problems.append(
                f"clamd refused {len(run.too_long)} file(s) as longer than its StreamMaxLength "
                f"({', '.join(run.too_long)}): raise StreamMaxLength in clamd.conf above "
                "the upload limits."
            )
        if problems:
            raise CommandError(" ".join(problems))

"""`manage.py send_outbox`: every minute from cron, the e-mails of the outbox that are due
(`lib.outbox.send_due`): those whose delivery on commit failed (the mail server down), each
after its backoff. Safe to run twice at the same time (each row is claimed by one run). When the
mail server is down it logs, leaves the rows pending and exits 0 (cron must not mail about every
minute of an outage: `outbox_health()` and the admin show what waits). Also deletes sent rows
older than MAIL_OUTBOX_KEEP_DAYS. `--retry-failed` first puts the failed rows back in the queue."""

import logging

from django.core.management.base import BaseCommand

from muroran_kyodo.lib import outbox

logger = logging.getLogger("muroran_kyodo.lib.outbox")


class Command(BaseCommand):
    help = "Send the e-mails waiting in the outbox (cron, every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Put the e-mails that failed MAIL_OUTBOX_MAX_ATTEMPTS times back in the queue.",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="At most this many e-mails this run (default MAIL_OUTBOX_BATCH).",
        )

    def handle(self, *args, **options):
        if options["retry_failed"]:
            count = outbox.retry_failed()
            self.stdout.write(f"{count} failed e-mail(s) queued again.")
        run = outbox.send_due(limit=options["limit"])
        run.purged = outbox.purge_sent()
        self.stdout.write(
            f"{run.sent} e-mail(s) sent, {run.retried} to be tried again, {run.failed} failed; "
            f"{run.purged} old sent e-mail(s) deleted."
        )
        if run.stopped:
            logger.warning("send_outbox: the mail server is not accepting mail: %s", run.stopped)
            self.stdout.write(f"Stopped: the mail server is not accepting mail ({run.stopped}).")

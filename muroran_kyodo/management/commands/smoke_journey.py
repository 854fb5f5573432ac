"""`manage.py smoke_journey`: the first pages of a visitor, a person and a clerk, against the
configured database and MEDIA_ROOT, rolled back afterwards (`muroran_kyodo.smoke`). Run by
`restore --drill` on the restored copy; also usable after a deploy. Exits 1 on any failure."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from muroran_kyodo import smoke
from muroran_kyodo.lib import backup

# The line `restore --drill` reads the child's results from.
JSON_PREFIX = "SMOKE-JOURNEY-JSON "


class Command(BaseCommand):
    help = "Open the home page, directory, マイページ, an admin list and a download; rolled back."

    def add_arguments(self, parser):
        parser.add_argument(
            "--manifest",
            type=Path,
            help="a backup's manifest.json: a downloaded file must match its SHA-256 there",
        )
        parser.add_argument("--json", action="store_true", help="one JSON line, for restore")

    def handle(self, *args, **options):
        uploads = None
        if options["manifest"]:
            manifest = json.loads(options["manifest"].read_bytes())
            uploads = manifest["uploads"][backup.MEDIA_PREFIX]
        checks = smoke.run(uploads)
        if options["json"]:
            rows = [{"what": c.what, "ok": c.ok, "detail": c.detail} for c in checks]
            self.stdout.write(JSON_PREFIX + json.dumps(rows, ensure_ascii=False))
        else:
            self.stdout.write(backup.table(checks))
        if any(check.ok is False for check in checks):
            raise CommandError("The smoke journey failed.")

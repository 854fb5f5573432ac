"""`manage.py restore --from DIR --database-url URL --media-root PATH [--drill]`: a backup of
`manage.py backup` restored into another database and directory, after every checksum of the
backup was checked, then compared with its manifest (rows per table, migrations, each uploaded
file's SHA-256). `--drill` also runs the smoke journey against the restored copy in a child
process. `--scratch` (what `make restore` runs) restores into the database
muroran_restore_drill on the portal's database server and a temporary directory, and drops both
afterwards. Prints a table of the checks; exits non-zero on any refusal or failure."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from muroran_kyodo.lib import backup
from muroran_kyodo.management.commands.smoke_journey import JSON_PREFIX

REPLACE_FLAG = "--i-know-this-replaces-the-live-data"


class Command(BaseCommand):
    help = "Restore a backup into another database and directory, and check it (--drill)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", type=Path, required=True, help="a backup")
        parser.add_argument(
            "--database-url",
            # From the environment, a password never shows on a command line (`ps`, history).
            default=os.environ.get("RESTORE_DATABASE_URL") or None,
            help="postgres://… of the database to restore into (default: $RESTORE_DATABASE_URL)",
        )
        parser.add_argument("--media-root", type=Path, help="an empty directory for the uploads")
        parser.add_argument(
            "--quarantine-root",
            type=Path,
            help="an empty directory for the quarantined files (default: <media-root>-quarantine)",
        )
        parser.add_argument(
            "--drill", action="store_true", help="also run the smoke journey on the copy"
        )
        parser.add_argument(
            "--scratch",
            action="store_true",
            help=f"restore into {backup.DRILL_DATABASE} and a temporary directory, dropped after",
        )
        parser.add_argument(
            REPLACE_FLAG,
            dest="replaces_live",
            action="store_true",
            help="allow restoring into the portal's own database and upload directories",
        )

    def handle(self, *args, **options):
        scratch_dir = None
        try:
            if options["scratch"]:
                if options["database_url"] or options["media_root"]:
                    raise CommandError("--scratch chooses the database and directory itself.")
                database = backup.Database.live().other(backup.DRILL_DATABASE)
                scratch_dir = Path(tempfile.mkdtemp(prefix="muroran-restore-drill-"))
                media_root = scratch_dir / "media"
                quarantine_root = scratch_dir / "quarantine"
                # The scratch database is dropped before and after: never the portal's own
                # (a portal whose DATABASE_URL names the drill's database), whatever the flag.
                backup.refuse_live(
                    backup.Target(database, media_root, quarantine_root), replaces_live=False
                )
                backup.drop_database(database)
            else:
                if not options["database_url"] or not options["media_root"]:
                    raise CommandError("Give --database-url and --media-root (or --scratch).")
                database = backup.Database.from_url(options["database_url"])
                media_root = options["media_root"].absolute()
                quarantine_root = (
                    options["quarantine_root"]
                    or media_root.with_name(media_root.name + "-quarantine")
                ).absolute()
            target = backup.Target(database, media_root, quarantine_root)
            try:
                _manifest, checks = backup.restore(
                    options["source"], target, replaces_live=options["replaces_live"]
                )
                if options["drill"]:
                    checks += self.drill(target, options["source"] / backup.MANIFEST)
            finally:
                if scratch_dir is not None:
                    backup.drop_database(database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            if scratch_dir is not None:
                shutil.rmtree(scratch_dir, ignore_errors=True)
        self.stdout.write(backup.table(checks))
        if scratch_dir is not None:
            self.stdout.write(f"Dropped the database {database.name} and removed {scratch_dir}.")
        else:
            self.stdout.write(f"Restored into the database {database.name} and {media_root}.")
        if any(check.ok is False for check in checks):
            raise CommandError("The restore does not match its backup: see the table above.")

    def drill(self, target: backup.Target, manifest: Path) -> list[backup.Check]:
        """The smoke journey in a child process whose settings name the restored copy, with a
        cache and a mail backend of its own (nothing read from or sent through the live ones)."""
        environment = {
            **os.environ,
            "DATABASE_URL": target.database.url(),
            "MEDIA_ROOT": str(target.media_root),
            "UPLOAD_QUARANTINE_ROOT": str(target.quarantine_root),
            "UPLOAD_STORAGE": "filesystem",
            "CACHE_URL": "locmemcache://restore-drill",
            "EMAIL_URL": "dummymail://",
            "PAGE_CACHE_SECONDS": "0",
            "CONN_MAX_AGE": "0",
        }
        done = subprocess.run(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "smoke_journey",
                "--json",
                "--manifest",
                str(manifest.absolute()),
            ],
            env=environment,
            capture_output=True,
            check=False,
        )
        for line in done.stdout.decode(errors="replace").splitlines():
            if line.startswith(JSON_PREFIX):
                rows = json.loads(line[len(JSON_PREFIX) :])
                return [backup.Check(r["what"], r["ok"], r["detail"]) for r in rows]
        error = done.stderr.decode(errors="replace").strip().splitlines()
        return [
            backup.Check("smoke journey", False, error[-1] if error else f"exit {done.returncode}")
        ]

"""`manage.py backup --to DIR`: the database (pg_dump, custom format, from one snapshot with the
row counts), the uploaded files and a manifest with checksums, in a new directory (mode 0700,
files 0600), written under a temporary name and renamed when complete (`lib.backup`).
Exits 2 on SQLite, or when the uploads are in an object store."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from muroran_kyodo.lib import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new directory, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            type=Path,
            help="the new directory of this backup (default: ./backups/<UTC time>)",
        )

    def handle(self, *args, **options):
        target = options["to"] or backup.default_directory(Path(settings.BASE_DIR) / "backups")
        try:
            manifest = backup.create_backup(target)
        except (backup.NotPostgres, backup.FilesNotLocal) as error:
            raise CommandError(str(error), returncode=2) from error
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        files = ", ".join(f"{name} {entry['size']} B" for name, entry in manifest["files"].items())
        uploads = sum(len(entries) for entries in manifest["uploads"].values())
        self.stdout.write(
            f"Backup written to {target.absolute()}: {files}; "
            f"{len(manifest['row_counts'])} tables, {sum(manifest['row_counts'].values())} rows, "
            f"{uploads} uploaded files."
        )

"""`manage.py backup` and `manage.py restore`: a backup holds the database (one snapshot with its
row counts), every uploaded file and a manifest of checksums; a restore refuses a changed or
truncated backup and the live data, restores into a scratch database and directory, and its
drill opens the restored portal's pages and downloads a file as its sender.

pg_dump needs PostgreSQL: these run on PostgreSQL (CI) and are skipped on SQLite, except the
refusal on SQLite itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User
from muroran_kyodo.lib import backup, pagecache, scanning
from subsidies.models import Attachment
from tests import factories
from tests.subsidies import factories as sf

ROOT = Path(__file__).resolve().parents[2]


def pg(test):
    """On PostgreSQL, with the data committed: pg_dump reads it over a connection of its own."""
    for mark in (
        pytest.mark.skipif(connection.vendor == "sqlite", reason="pg_dump needs PostgreSQL"),
        pytest.mark.postgres_only,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ):
        test = mark(test)
    return test


@pytest.fixture
def world():
    """An organisation's application with its documents stored, a clerk, and one file in the
    quarantine (as `scan_uploads` leaves it)."""
    representative = factories.make_user("rep@example.jp")
    factories.make_user("admin@city.muroran.example.jp", superuser=True)
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    application = sf.make_application(
        programme=sf.make_programme(), organization=organization, applicant=representative
    )
    quarantine = scanning.quarantine_root()
    quarantine.mkdir(parents=True)
    (quarantine / "20261201-000000-private__x.pdf").write_bytes(b"X5O!P%@AP not really")
    return application


@pytest.fixture
def backup_dir(world, tmp_path):
    target = tmp_path / "backups" / "one"
    call_command("backup", to=target, stdout=io.StringIO())
    return target


@pytest.fixture
def scratch(tmp_path):
    """A database name of this test alone, dropped afterwards, and empty directories."""
    database = backup.Database.live().other(f"restore_test_{uuid.uuid4().hex[:10]}")
    yield database, tmp_path / "restored" / "media"
    backup.drop_database(database)


def _manifest(directory: Path) -> dict:
    return json.loads((directory / backup.MANIFEST).read_bytes())


def _exists(database: backup.Database) -> bool:
    with database.other("postgres").connect(autocommit=True) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name]).fetchone()
        )


def _restore(source, database, media_root, **options):
    out = io.StringIO()
    call_command(
        "restore",
        source=source,
        database_url=database.url(),
        media_root=media_root,
        stdout=out,
        **options,
    )
    return out.getvalue()


def _rewrite_manifest(directory: Path, change) -> None:
    manifest = _manifest(directory)
    change(manifest)
    (directory / backup.MANIFEST).write_text(json.dumps(manifest))


def _reseal(directory: Path) -> None:
    """The manifest made to agree with a changed media.tar (as a careless copy might)."""
    sha, size = backup.sha256_file(directory / backup.MEDIA)

    def change(manifest):
        manifest["files"][backup.MEDIA] = {"sha256": sha, "size": size}

    _rewrite_manifest(directory, change)


def _replace_tar(directory: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    with tarfile.open(directory / backup.MEDIA, "w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


@pg
def test_manifest_holds_counts_migrations_and_a_checksum_of_every_file(backup_dir, world):
    manifest = _manifest(backup_dir)
    assert (manifest["format"], manifest["version"]) == ("muroran-kyodo-backup", 1)
    created = dt.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert manifest["release"] == pagecache.release()
    assert manifest["database"]["name"] == settings.DATABASES["default"]["NAME"]
    recorded = MigrationRecorder.Migration.objects.filter(app="subsidies")
    assert manifest["migrations"]["subsidies"] == max(recorded.values_list("name", flat=True))
    counts = manifest["row_counts"]
    assert counts["subsidies_attachment"] == Attachment.objects.count() > 0
    assert counts["accounts_user"] == User.objects.count() == 2
    assert counts["account_emailaddress"] == 2
    assert counts["auth_permission"] > 0
    for name in (backup.DUMP, backup.MEDIA):
        sha, size = backup.sha256_file(backup_dir / name)
        assert manifest["files"][name] == {"sha256": sha, "size": size}
        assert stat.S_IMODE(os.stat(backup_dir / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(backup_dir / backup.MANIFEST).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(backup_dir).st_mode) == 0o700
    assert (backup_dir / backup.DUMP).read_bytes()[:5] == b"PGDMP"  # custom format
    media = manifest["uploads"]["media"]
    assert len(media) == counts["subsidies_attachment"]
    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as stored:
            data = stored.read()
        assert attachment.file.name.startswith("private/")
        assert media[attachment.file.name] == {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
    assert manifest["uploads"]["quarantine"] == {
        "20261201-000000-private__x.pdf": {
            "sha256": hashlib.sha256(b"X5O!P%@AP not really").hexdigest(),
            "size": 20,
        }
    }
    with tarfile.open(backup_dir / backup.MEDIA) as tar:
        names = sorted(tar.getnames())
    assert names == sorted(
        [f"media/{name}" for name in media] + ["quarantine/20261201-000000-private__x.pdf"]
    )
    # Written under a temporary name, renamed when complete: nothing else is left beside it.
    assert sorted(p.name for p in backup_dir.parent.iterdir()) == ["one"]
    # A directory that exists is never written into.
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", to=backup_dir)
    assert _manifest(backup_dir) == manifest


@pg
def test_restore_drill_restores_the_rows_and_files_and_the_portal_opens(backup_dir, scratch):
    database, media_root = scratch
    output = _restore(backup_dir, database, media_root, drill=True)
    manifest = _manifest(backup_dir)
    lines = {line.split("  ")[0].strip(): line for line in output.splitlines()}
    for check in (
        "backup files' checksums",
        "row counts per table",
        "migrations",
        "uploaded files (media) sha256",
        "uploaded files (quarantine) sha256",
        "home page",
        "organisation directory",
        "organisation page",
        "マイページ (first active user)",
        "admin changelist (organisations)",
        "uploaded file download (subsidy attachment)",
    ):
        assert " ok " in lines[check], output
    assert "= the manifest" in lines["uploaded file download (subsidy attachment)"]
    # No パブリックコメント case in this backup: said, not failed.
    assert " skipped " in lines["public comment case"]
    assert "FAILED" not in output
    # The restored database holds the rows of the backup, the directory its files.
    with database.connect() as conn:
        for table in ("accounts_user", "subsidies_attachment", "organizations_organization"):
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert count == manifest["row_counts"][table] > 0
        # The drill's sessions and second factor were rolled back.
        assert conn.execute("SELECT count(*) FROM django_session").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM mfa_authenticator").fetchone()[0] == 0
    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as stored:
            assert (media_root / attachment.file.name).read_bytes() == stored.read()
    quarantined = media_root.with_name("media-quarantine") / "20261201-000000-private__x.pdf"
    assert quarantined.read_bytes() == b"X5O!P%@AP not really"
    # Again into the same database (now holding the tables): restored over them, same rows.
    with database.connect(autocommit=True) as conn:
        conn.execute("DELETE FROM subsidies_attachment")
        conn.execute("CREATE TABLE stray (id int)")
    again = _restore(backup_dir, database, media_root.parent / "again")
    assert re.search(r"row counts per table +ok", again), again
    with database.connect() as conn:
        count = conn.execute("SELECT count(*) FROM subsidies_attachment").fetchone()[0]
        assert count == manifest["row_counts"]["subsidies_attachment"]


@pg
def test_a_changed_media_archive_is_refused_before_anything_is_restored(backup_dir, scratch):
    database, media_root = scratch
    archive = backup_dir / backup.MEDIA
    data = bytearray(archive.read_bytes())
    position = data.index(b"%PDF-1.4")
    data[position + 1] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"media\.tar does not match its SHA-256"):
        _restore(backup_dir, database, media_root)
    assert not _exists(database)
    assert not media_root.exists()


@pg
def test_a_changed_file_with_a_resealed_archive_fails_the_file_check(backup_dir, scratch):
    database, media_root = scratch
    manifest = _manifest(backup_dir)
    changed = sorted(manifest["uploads"]["media"])[0]
    with tarfile.open(backup_dir / backup.MEDIA) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    rewritten = []
    for info, data in members:
        if info.name == f"media/{changed}":
            data = data + b"% appended"
            info.size = len(data)
        rewritten.append((info, data))
    _replace_tar(backup_dir, rewritten)
    _reseal(backup_dir)
    out = io.StringIO()
    with pytest.raises(CommandError, match="does not match its backup"):
        call_command(
            "restore",
            source=backup_dir,
            database_url=database.url(),
            media_root=media_root,
            stdout=out,
        )
    table = out.getvalue()
    assert re.search(
        rf"uploaded files \(media\) sha256 +FAILED +{re.escape(changed)} differs", table
    )
    assert re.search(r"row counts per table +ok", table)


@pg
def test_a_truncated_or_incomplete_backup_is_refused(backup_dir, scratch):
    database, media_root = scratch
    dump = backup_dir / backup.DUMP
    dump.write_bytes(dump.read_bytes()[:-100])
    with pytest.raises(CommandError, match=r"database\.dump has \d+ bytes, the manifest says"):
        _restore(backup_dir, database, media_root)
    (backup_dir / backup.MEDIA).unlink()
    with pytest.raises(CommandError, match=r"media\.tar is missing"):
        _restore(backup_dir, database, media_root)
    (backup_dir / backup.MANIFEST).write_text("{not json")
    with pytest.raises(CommandError, match="is not readable JSON"):
        _restore(backup_dir, database, media_root)
    (backup_dir / backup.MANIFEST).unlink()
    with pytest.raises(CommandError, match="holds no manifest.json"):
        _restore(backup_dir, database, media_root)
    assert not _exists(database)
    assert not media_root.exists()


ATTACKS = {
    "dotdot": ("media/../../escaped.txt", tarfile.REGTYPE, ""),
    "absolute": ("/etc/cron.d/evil", tarfile.REGTYPE, ""),
    "symlink": ("media/private/link", tarfile.SYMTYPE, "../../../etc/passwd"),
    "hardlink": ("media/private/hard", tarfile.LNKTYPE, "media/private/x"),
    "outside-the-roots": ("elsewhere/file", tarfile.REGTYPE, ""),
}


@pg
def test_an_archive_with_a_path_out_or_a_link_is_refused(backup_dir, scratch, tmp_path):
    database, media_root = scratch
    for case, (name, kind, link) in ATTACKS.items():
        copy = shutil.copytree(backup_dir, tmp_path / case)
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = link
        data = b"evil" if kind == tarfile.REGTYPE else None
        info.size = len(data or b"")
        _replace_tar(copy, [(info, data)])
        _reseal(copy)
        with pytest.raises(CommandError, match="not a plain file under media/ or quarantine/"):
            _restore(copy, database, media_root)
        assert not _exists(database), case
        assert not media_root.exists(), case
    assert not (tmp_path / "escaped.txt").exists()


@pg
def test_the_live_database_and_uploads_are_refused_without_the_flag(
    backup_dir, scratch, monkeypatch
):
    database, media_root = scratch
    live = backup.Database.live()
    with pytest.raises(CommandError, match="is the portal's own database"):
        _restore(backup_dir, live, media_root)
    # The database DATABASE_URL names (tests run on test_<it>) is the portal's own too.
    monkeypatch.setenv("DATABASE_URL", live.other("kyodo_production").url())
    with pytest.raises(CommandError, match="kyodo_production is the portal's own database"):
        _restore(backup_dir, live.other("kyodo_production"), media_root)
    with pytest.raises(CommandError, match="holds the portal's own uploads"):
        _restore(backup_dir, database, Path(settings.MEDIA_ROOT))
    assert not _exists(database)
    # A directory with something in it is never written over.
    media_root.mkdir(parents=True)
    (media_root / "kept.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not an empty directory"):
        _restore(backup_dir, database, media_root)
    assert [p.name for p in media_root.iterdir()] == ["kept.txt"]


@pg
def test_the_counts_come_from_the_dumps_snapshot(world, tmp_path, monkeypatch):
    """A row written between the counting and pg_dump is in neither: the dump reads the
    snapshot the counts were taken in."""
    real_run = backup._run

    def write_then_dump(command, database, **kwargs):
        if command[0] == "pg_dump":
            with psycopg.connect(**backup.Database.live().params, autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO muroran_kyodo_sentmail (key, sent_at) VALUES ('late', now())"
                )
        return real_run(command, database, **kwargs)

    monkeypatch.setattr(backup, "_run", write_then_dump)
    target = tmp_path / "snap"
    call_command("backup", to=target, stdout=io.StringIO())
    assert _manifest(target)["row_counts"]["muroran_kyodo_sentmail"] == 0
    listed = subprocess.run(
        [
            "pg_restore",
            "--data-only",
            "--table=muroran_kyodo_sentmail",
            "-f",
            "-",
            target / "database.dump",
        ],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "late" not in listed


@pytest.fixture
def public_case(db):
    from tests.publiccomment import factories as pf

    return pf.make_case()


def _journey(**options):
    out = io.StringIO()
    try:
        call_command("smoke_journey", stdout=out, **options)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.mark.django_db
def test_smoke_journey_opens_the_pages_and_downloads_as_the_applicant(world, public_case):
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    table, error = _journey()
    assert error is None, table
    assert "FAILED" not in table
    assert re.search(r"public comment case +ok +GET /publiccomment/\d+/ → 200", table), table
    assert re.search(r"public comment result +skipped", table)  # no result published yet
    assert re.search(r"マイページ \(first active user\) +ok", table)
    assert re.search(r"admin changelist \(organisations\) +ok .* → 200 as superuser", table)
    attachment = Attachment.objects.order_by("pk").first()
    assert re.search(
        rf"uploaded file download \(subsidy attachment\) +ok +GET /subsidies/attachments/"
        rf"{attachment.pk}/ → 200, {attachment.size} B, .* = the stored file",
        table,
    )
    # Rolled back: no session, no second factor left behind.
    assert not Session.objects.exists()
    assert not Authenticator.objects.exists()


@pytest.mark.django_db
def test_smoke_journey_fails_when_a_file_is_not_what_the_manifest_says(world, tmp_path):
    attachment = Attachment.objects.order_by("pk").first()
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({"uploads": {"media": {attachment.file.name: {"sha256": "0" * 64}}}})
    )
    table, error = _journey(manifest=manifest)
    assert error is not None
    assert re.search(r"uploaded file download .* FAILED .* ≠ the manifest", table), table
    # A file gone from the disk is a failure too (its view answers 404).
    os.remove(Path(settings.MEDIA_ROOT) / attachment.file.name)
    table, error = _journey()
    assert error is not None
    assert re.search(r"uploaded file download .* FAILED +GET .* → 404", table), table


def test_backup_on_sqlite_says_it_needs_postgresql_and_exits_2(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "backup", "--to", str(tmp_path / "b")],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Backups need PostgreSQL" in done.stderr.decode()
    assert not (tmp_path / "b").exists()


def test_a_backup_in_the_project_folder_does_not_change_the_release(settings, tmp_path):
    """The page cache's release digest (also in the manifest) reads the code's files; the
    manifests of `make backup`'s default ./backups/ are none of it."""
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = ""
    settings.PAGE_CACHE_RELEASE = ""
    (tmp_path / "views.py").write_text("x = 1\n")
    pagecache.release.cache_clear()
    try:
        before = pagecache.release()
        (tmp_path / "backups" / "20261207T233503Z").mkdir(parents=True)
        (tmp_path / "backups" / "20261207T233503Z" / "manifest.json").write_text("{}")
        pagecache.release.cache_clear()
        assert pagecache.release() == before
        (tmp_path / "views.py").write_text("x = 22\n")
        pagecache.release.cache_clear()
        assert pagecache.release() != before
    finally:
        pagecache.release.cache_clear()


# ---- review (rel-review) ------------------------------------------------------------------


@pg
def test_the_scratch_drill_never_drops_the_portals_own_database(tmp_path, monkeypatch):
    """`restore --scratch` drops its scratch database before it restores: when the portal's
    own database bears the drill's name it is refused before anything is dropped."""
    live = backup.Database.live()
    dropped = []
    monkeypatch.setattr(backup, "DRILL_DATABASE", live.name)
    monkeypatch.setattr(backup, "drop_database", lambda database: dropped.append(database.name))

    with pytest.raises(CommandError, match="is the portal's own database"):
        call_command("restore", source=tmp_path, scratch=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="is the portal's own database"):
        call_command(
            "restore", source=tmp_path, scratch=True, replaces_live=True, stdout=io.StringIO()
        )

    assert dropped == []
    assert _exists(live)


def _sealed(directory: Path, **manifest) -> Path:
    """A backup directory whose two files match their manifest, with `manifest` merged in."""
    directory.mkdir()
    files = {}
    for name in (backup.DUMP, backup.MEDIA):
        (directory / name).write_bytes(b"bytes of " + name.encode())
        sha, size = backup.sha256_file(directory / name)
        files[name] = {"sha256": sha, "size": size}
    content = {
        "format": backup.FORMAT,
        "version": backup.VERSION,
        "files": files,
        "row_counts": {"accounts_user": 1},
        "migrations": {"accounts": "0001_initial"},
        "uploads": {"media": {}},
        **manifest,
    }
    (directory / backup.MANIFEST).write_text(json.dumps(content))
    return directory


@pytest.mark.parametrize(
    "damage",
    [
        {"files": {backup.DUMP: "x", backup.MEDIA: "y"}},
        {"files": ["database.dump"]},
        {"row_counts": None},
        {"row_counts": {"accounts_user": "many"}},
        {"uploads": {"media": {"a.pdf": "x"}}},
        {"migrations": "all"},
    ],
)
def test_a_manifest_damaged_in_its_structure_is_refused_in_words(tmp_path, damage):
    assert backup.read_manifest(_sealed(tmp_path / "good"))["format"] == backup.FORMAT

    with pytest.raises(backup.BackupError, match="damaged|no size and SHA-256"):
        backup.read_manifest(_sealed(tmp_path / "bad", **damage))


@pg
def test_the_target_database_may_come_from_the_environment_not_the_command_line(
    backup_dir, scratch, monkeypatch
):
    """RESTORE_DATABASE_URL: a password that never shows in `ps` or the shell's history."""
    database, media_root = scratch
    monkeypatch.setenv("RESTORE_DATABASE_URL", backup.Database.live().url())
    with pytest.raises(CommandError, match="is the portal's own database"):
        call_command("restore", source=backup_dir, media_root=media_root, stdout=io.StringIO())

    monkeypatch.setenv("RESTORE_DATABASE_URL", database.url())
    out = io.StringIO()
    call_command("restore", source=backup_dir, media_root=media_root, stdout=out)
    assert f"Restored into the database {database.name}" in out.getvalue()
    assert _exists(database)

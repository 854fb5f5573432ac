"""Backups of the portal's data and their restore (`manage.py backup`, `manage.py restore`).

A backup is one directory (mode 0700, files 0600), written under a temporary name and renamed
when complete:

- `database.dump`: `pg_dump --format=custom` of the database the portal uses;
- `media.tar`: every uploaded file, `media/<name>` (MEDIA_ROOT: the storage, `private/…`
  included) and `quarantine/<name>` (the files `scan_uploads` found infected, kept as the
  record of what was found);
- `manifest.json`: when, which release, the last migration of each app, the rows of every
  table, and a SHA-256 of each file of the backup and of each uploaded file.

The row counts and the dump come from one snapshot: a REPEATABLE READ transaction exports it,
counts the rows and reads the migrations, and `pg_dump --snapshot` dumps exactly that state.
The files are archived after the snapshot, so a file stored meanwhile is in the archive without
its row (harmless); a file deleted meanwhile is missing (rare: a removed attachment).

PostgreSQL only: SQLite is the laptop's database, not one to back up (`NotPostgres`). Uploads
in an S3-compatible store (UPLOAD_STORAGE=s3) are backed up by the store (versioning,
replication), not here (`FilesNotLocal`).

The restore checks every checksum before it touches anything, refuses the live database and
the live upload directories unless told that it replaces them, extracts the archive with
`tarfile`'s "data" filter after refusing any member that is not a plain file or directory
under `media/` or `quarantine/`, and then compares what it restored with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import environ
import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from psycopg import sql
from psycopg.conninfo import make_conninfo

from . import pagecache, scanning

FORMAT = "muroran-kyodo-backup"
VERSION = 1
DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
# The two roots of uploaded files, as the archive's top-level directories.
MEDIA_PREFIX = "media"
QUARANTINE_PREFIX = "quarantine"
ROOTS = (MEDIA_PREFIX, QUARANTINE_PREFIX)
CHUNK = 1024 * 1024
# The scratch database of `make restore` (`restore --scratch`), on the live database's server.
DRILL_DATABASE = "muroran_restore_drill"

# Connection parameters that libpq also reads from the environment: pg_dump and pg_restore get
# them there, the password included, so that it never shows on a command line (`ps`).
_LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "application_name": "PGAPPNAME",
}


class BackupError(Exception):
    """A refusal or a failure, said in words an operator can act on."""


class NotPostgres(BackupError):
    pass


class FilesNotLocal(BackupError):
    pass


@dataclass(frozen=True)
class Check:
    """One line of the restore's table: what was checked, and how it went."""

    what: str
    ok: bool | None  # None: skipped (nothing of the kind to check)
    detail: str = ""

    @property
    def result(self) -> str:
        return "skipped" if self.ok is None else ("ok" if self.ok else "FAILED")


# --- Connections --------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, as libpq's keywords."""

    params: Mapping[str, str]

    @property
    def name(self) -> str:
        return self.params.get("dbname", "")

    @classmethod
    def live(cls) -> Database:
        """The database the portal's connection actually uses (the test database in tests)."""
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise NotPostgres(
                "Backups need PostgreSQL (DATABASE_URL=postgres://…); this portal runs on "
                f"{connection.vendor}. SQLite is for trying the portal out: copy db.sqlite3 "
                "while the portal is stopped."
            )
        return cls(_libpq(connection.get_connection_params()))

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except (ValueError, KeyError, ImproperlyConfigured) as error:
            raise BackupError(f"--database-url is not a database URL ({error}).") from error
        if "postgresql" not in str(config.get("ENGINE", "")):
            raise BackupError(f"--database-url must be a postgres:// URL, not {url.split(':')[0]}")
        params = {
            "dbname": config.get("NAME", ""),
            "user": config.get("USER", ""),
            "password": config.get("PASSWORD", ""),
            "host": config.get("HOST", ""),
            "port": str(config.get("PORT", "") or ""),
            **{key: str(value) for key, value in (config.get("OPTIONS") or {}).items()},
        }
        if not params["dbname"]:
            raise BackupError("--database-url names no database (…/name at its end).")
        return cls(_libpq(params))

    def other(self, name: str) -> Database:
        """The database `name` on the same server, with the same credentials."""
        return Database({**self.params, "dbname": name})

    def env(self) -> dict[str, str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        for key, value in self.params.items():
            if value and key in _LIBPQ_ENV:
                environment[_LIBPQ_ENV[key]] = value
        return environment

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        conninfo = make_conninfo(**{k: v for k, v in self.params.items() if v})
        return psycopg.connect(conninfo, **kwargs)

    def url(self) -> str:
        """A DATABASE_URL for a child process (the drill's smoke journey)."""
        from urllib.parse import quote

        p = self.params
        auth = quote(p.get("user", ""), safe="")
        if p.get("password"):
            auth += ":" + quote(p["password"], safe="")
        host = p.get("host", "")
        # A socket directory goes in the URL quoted (django-environ reads it back as a path).
        host = quote(host, safe="") if host.startswith("/") else host
        port = f":{p['port']}" if p.get("port") else ""
        extra = {
            k: v for k, v in p.items() if k not in {"dbname", "user", "password", "host", "port"}
        }
        query = (
            ("?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in extra.items())) if extra else ""
        )
        return f"postgres://{auth}@{host}{port}/{quote(p['dbname'], safe='')}{query}"


def _libpq(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(value)
        for key, value in params.items()
        if key in _LIBPQ_ENV and value not in (None, "")
    }


def _run(
    command: list[str], database: Database, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: apt-get install postgresql-client (the same major "
            "version as the server, or newer)."
        )
    return subprocess.run(command, env=database.env(), check=False, **kwargs)


# --- Files --------------------------------------------------------------------------------


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as stream:
        return sha256_of(stream)


def upload_roots() -> dict[str, Path]:
    """The directories holding uploaded files: the storage (MEDIA_ROOT) and the quarantine."""
    if getattr(settings, "UPLOAD_STORAGE", "filesystem") != "filesystem":
        raise FilesNotLocal(
            "Uploads are kept in an object store (UPLOAD_STORAGE=s3): back them up with the "
            "store's versioning or replication; this command backs up files on disk only."
        )
    return {MEDIA_PREFIX: Path(settings.MEDIA_ROOT), QUARANTINE_PREFIX: scanning.quarantine_root()}


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to root, path) of every regular file under root, sorted; links are not
    followed and not archived (the storage never makes one)."""
    if not root.is_dir():
        return
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _private_file(path: Path) -> IO[bytes]:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


# --- Backup -------------------------------------------------------------------------------


def default_directory(parent: Path) -> Path:
    return parent / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def create_backup(target: Path) -> dict[str, Any]:
    """Write a backup into the new directory `target` and return its manifest.

    1. Check the database is PostgreSQL and the uploads are on disk; `target` must not exist.
    2. In a REPEATABLE READ, READ ONLY transaction: export the snapshot, count the rows of
       every table, read the last migration of each app.
    3. `pg_dump --format=custom --snapshot=…` into `database.dump` while that transaction is open.
    4. Archive the uploaded files into `media.tar`, hashing each on the way.
    5. Write `manifest.json`, then rename the temporary directory to `target`.
    """
    database = Database.live()
    roots = upload_roots()
    target = target.absolute()
    if target.exists():
        raise BackupError(f"{target} exists already: give a new directory.")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        with database.connect(autocommit=False) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = _scalar(conn, "SELECT pg_export_snapshot()")
            row_counts = _row_counts(conn)
            migrations = _migrations(conn)
            server_version = _scalar(conn, "SHOW server_version")
            with _private_file(partial / DUMP) as out:
                done = _run(
                    ["pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}"],
                    database,
                    stdout=out,
                    stderr=subprocess.PIPE,
                )
                out.flush()
                os.fsync(out.fileno())
            conn.rollback()
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
        uploads = _archive(roots, partial / MEDIA)
        files = {}
        for name in (DUMP, MEDIA):
            sha, size = sha256_file(partial / name)
            files[name] = {"sha256": sha, "size": size}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "release": pagecache.release(),
            "database": {
                "name": database.name,
                "server_version": server_version,
                "pg_dump": _version("pg_dump"),
            },
            "migrations": migrations,
            "row_counts": row_counts,
            "files": files,
            "uploads": uploads,
        }
        with _private_file(partial / MANIFEST) as out:
            out.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.rename(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _scalar(conn: psycopg.Connection[Any], query: str) -> str:
    row = conn.execute(query).fetchone()
    assert row is not None
    return str(row[0])


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).fetchall()
    return [row[0] for row in rows]


def _row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for table in _tables(conn):
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        assert row is not None
        counts[table] = int(row[0])
    return counts


def _migrations(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """The last migration applied of each app (names start with their number)."""
    if "django_migrations" not in _tables(conn):
        return {}
    rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(rows.fetchall())


def _version(program: str) -> str:
    done = subprocess.run([program, "--version"], capture_output=True, check=False)
    return done.stdout.decode(errors="replace").strip()


class _Hashing:
    """A reader that hashes what tarfile reads through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _archive(roots: Mapping[str, Path], path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    uploads: dict[str, dict[str, dict[str, Any]]] = {prefix: {} for prefix in roots}
    with (
        _private_file(path) as out,
        tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for prefix, root in roots.items():
            for name, file_path in _walk(root):
                try:
                    stream = open(file_path, "rb")  # noqa: SIM115 (closed below)
                except FileNotFoundError:
                    continue  # deleted since it was listed: it is in no snapshot now
                with stream:
                    stat = os.fstat(stream.fileno())
                    info = tarfile.TarInfo(f"{prefix}/{name}")
                    info.size = stat.st_size
                    info.mtime = int(stat.st_mtime)
                    info.mode = 0o600
                    hashing = _Hashing(stream)
                    tar.addfile(info, hashing)  # reads `size` bytes
                    uploads[prefix][name] = {
                        "sha256": hashing.digest.hexdigest(),
                        "size": stat.st_size,
                    }
        tar.close()
        out.flush()
        os.fsync(out.fileno())
    return uploads


# --- Restore ------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, after checking every file it lists (size and
    SHA-256); a backup that is incomplete, truncated or changed is refused."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup of this portal.")
    try:
        manifest = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(
            f"{path} is not readable JSON ({error}): the backup is damaged."
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not the manifest of a backup of this portal.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{path} is of format version {manifest.get('version')}; this portal reads {VERSION}."
        )
    # A manifest edited by hand (or damaged) is refused in words, not with a traceback.
    for key in ("files", "row_counts", "migrations", "uploads"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"{path} has no readable {key!r}: the backup is damaged.")
    if not all(isinstance(count, int) for count in manifest["row_counts"].values()) or not all(
        isinstance(entries, dict)
        and all(
            isinstance(entry, dict) and isinstance(entry.get("size"), int)
            for entry in entries.values()
        )
        for entries in manifest["uploads"].values()
    ):
        raise BackupError(f"{path} lists row counts or files it cannot: the backup is damaged.")
    files = manifest["files"]
    problems = []
    for name in (DUMP, MEDIA):
        if name not in files:
            problems.append(f"{name} is not listed in the manifest")
    for name, expected in files.items():
        file_path = source / name
        if not isinstance(expected, dict):
            problems.append(f"{name} has no size and SHA-256 in the manifest")
            continue
        if Path(name).name != name or not file_path.is_file():
            problems.append(f"{name} is missing")
            continue
        sha, size = sha256_file(file_path)
        if size != expected.get("size"):
            problems.append(
                f"{name} has {size} bytes, the manifest says {expected.get('size')} (truncated?)"
            )
        elif sha != expected.get("sha256"):
            problems.append(
                f"{name} does not match its SHA-256 in the manifest (changed or damaged)"
            )
    if problems:
        raise BackupError(
            "The backup is refused, nothing was restored: " + "; ".join(problems) + "."
        )
    return manifest


@dataclass(frozen=True)
class Target:
    database: Database
    media_root: Path
    quarantine_root: Path


def refuse_live(target: Target, *, replaces_live: bool) -> None:
    """The restore never writes over the portal's own database or upload directories unless
    the operator says that this is what they mean."""
    if replaces_live:
        return
    live = connections["default"]
    # The database the connection uses, and the one DATABASE_URL names (the same but in tests).
    live_names = (
        {str(live.settings_dict.get("NAME") or "")} if live.vendor == "postgresql" else set()
    )
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        live_names.add(str(environ.Env.db_url_config(os.environ["DATABASE_URL"]).get("NAME", "")))
    if target.database.name in live_names:
        raise BackupError(
            f"Refused: {target.database.name} is the portal's own database (DATABASE_URL). "
            "Restore into another database, or add --i-know-this-replaces-the-live-data to "
            "replace it."
        )
    live_dirs = {Path(settings.MEDIA_ROOT).resolve(), scanning.quarantine_root().resolve()}
    for path in (target.media_root, target.quarantine_root):
        if path.resolve() in live_dirs:
            raise BackupError(
                f"Refused: {path} holds the portal's own uploads. Restore into another "
                "directory, or add --i-know-this-replaces-the-live-data to replace them."
            )


def restore(
    source: Path, target: Target, *, replaces_live: bool = False
) -> tuple[dict[str, Any], list[Check]]:
    """Restore the backup in `source` into `target`, then compare it with the manifest.

    1. Check every file of the backup against the manifest (`read_manifest`); refuse the live
       data (`refuse_live`) and upload directories that are not empty.
    2. Create the database if it does not exist; `pg_restore --clean --if-exists --no-owner`.
    3. Extract the archive: only plain files and directories under media/ and quarantine/,
       with tarfile's "data" filter.
    4. Compare the rows of every table, the migrations and every uploaded file's SHA-256.
    """
    manifest = read_manifest(source)
    refuse_live(target, replaces_live=replaces_live)
    for path in (target.media_root, target.quarantine_root):
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise BackupError(f"{path} is not an empty directory: move it aside first.")
    members = _checked_members(source / MEDIA)
    created = _ensure_database(target.database)
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if not created:
        command += ["--clean", "--if-exists"]
    done = _run(
        [*command, f"--dbname={target.database.name}", str(source / DUMP)],
        target.database,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.decode(errors='replace').strip()}")
    _extract(
        source / MEDIA,
        members,
        {MEDIA_PREFIX: target.media_root, QUARANTINE_PREFIX: target.quarantine_root},
    )
    checks = [
        Check(
            "backup files' checksums",
            True,
            ", ".join(f"{name} {entry['size']} B" for name, entry in manifest["files"].items()),
        ),
        *compare_database(manifest, target.database),
        *compare_files(
            manifest, {MEDIA_PREFIX: target.media_root, QUARANTINE_PREFIX: target.quarantine_root}
        ),
    ]
    return manifest, checks


def _checked_members(path: Path) -> list[tarfile.TarInfo]:
    members = []
    try:
        with tarfile.open(path, mode="r:") as tar:
            for member in tar.getmembers():
                prefix, _, rest = member.name.partition("/")
                parts = rest.split("/")
                if (
                    prefix not in ROOTS
                    or not rest
                    or member.name.startswith("/")
                    or any(part in ("", ".", "..") for part in parts)
                    or not (member.isfile() or member.isdir())
                ):
                    raise BackupError(
                        f"The backup is refused, nothing was restored: {MEDIA} holds "
                        f"{member.name!r}, which is not a plain file under media/ or quarantine/."
                    )
                members.append(member)
    except tarfile.TarError as error:
        raise BackupError(
            f"The backup is refused: {MEDIA} is not a readable archive ({error})."
        ) from error
    return members


def _extract(path: Path, members: list[tarfile.TarInfo], roots: Mapping[str, Path]) -> None:
    with tarfile.open(path, mode="r:") as tar:
        for prefix, root in roots.items():
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            mine = [
                member.replace(name=member.name.partition("/")[2])
                for member in members
                if member.name.partition("/")[0] == prefix
            ]
            tar.extractall(path=root, members=mine, filter="data")


def _ensure_database(database: Database) -> bool:
    """Create the database when it does not exist (True: created, so it is empty)."""
    with database.other("postgres").connect(autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database.name]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
        return True


def drop_database(database: Database) -> None:
    with database.other("postgres").connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name))
        )


def compare_database(manifest: Mapping[str, Any], database: Database) -> list[Check]:
    expected: dict[str, int] = manifest["row_counts"]
    with database.connect(autocommit=True) as conn:
        tables = set(_tables(conn))
        counts = {}
        for table in expected:
            if table in tables:
                row = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()
                assert row is not None
                counts[table] = int(row[0])
        migrations = _migrations(conn)
    missing = sorted(set(expected) - set(counts))
    differ = sorted(t for t in counts if counts[t] != expected[t])
    rows = sum(expected.values())
    if missing or differ:
        detail = "; ".join(
            [
                *(f"{t} missing" for t in missing),
                *(f"{t} {counts[t]} ≠ {expected[t]}" for t in differ),
            ]
        )
        row_check = Check("row counts per table", False, detail)
    else:
        row_check = Check("row counts per table", True, f"{len(expected)} tables, {rows} rows")
    differ_migrations = sorted(
        app
        for app in set(manifest["migrations"]) | set(migrations)
        if manifest["migrations"].get(app) != migrations.get(app)
    )
    migration_check = (
        Check("migrations", False, "differ for " + ", ".join(differ_migrations))
        if differ_migrations
        else Check("migrations", True, f"{len(migrations)} apps at their manifest's last migration")
    )
    return [row_check, migration_check]


def compare_files(manifest: Mapping[str, Any], roots: Mapping[str, Path]) -> list[Check]:
    checks = []
    for prefix, root in roots.items():
        expected: dict[str, dict[str, Any]] = manifest["uploads"].get(prefix, {})
        found = {}
        for name, path in _walk(root):
            sha, size = sha256_file(path)
            found[name] = {"sha256": sha, "size": size}
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        differ = sorted(n for n in set(expected) & set(found) if found[n] != expected[n])
        label = f"uploaded files ({prefix}) sha256"
        if missing or extra or differ:
            detail = "; ".join(
                [
                    *(f"{n} missing" for n in missing),
                    *(f"{n} not in the manifest" for n in extra),
                    *(f"{n} differs" for n in differ),
                ]
            )
            checks.append(Check(label, False, detail))
        else:
            size = sum(entry["size"] for entry in expected.values())
            checks.append(Check(label, True, f"{len(expected)} files, {size} B"))
    return checks


def _width(text: str) -> int:
    """Columns on a terminal: full-width characters (マイページ) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(checks: list[Check]) -> str:
    """The checks as a plain-text table."""
    width = max([_width(check.what) for check in checks] + [len("check")])

    def pad(text: str) -> str:
        return text + " " * (width - _width(text))

    lines = [f"{pad('check')}  result   detail", f"{'-' * width}  -------  ------"]
    lines += [f"{pad(c.what)}  {c.result:<7}  {c.detail}" for c in checks]
    return "\n".join(lines)

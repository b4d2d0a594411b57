"""Back up and restore the whole database without losing a row or a microsecond.

SQLite goes through its online backup API (a consistent copy while the app runs, page by
page, into a plain SQLite file); PostgreSQL through ``pg_dump --format=custom`` and
``pg_restore`` (the server's own tools, which must be installed and at least as new as the
server). Both keep every value exactly, so the audit trail's hash chain still verifies
after a restore. ``dumpdata``/``loaddata`` do not: Django's JSON serializer cuts
timestamps to milliseconds, and every event whose time had more digits then fails its
hash (docs/deployment.md, "Backups").

Restoring replaces everything in the target database. A target that holds any records is
refused unless the caller says ``force``; a file that is not a backup of this kind is
refused before anything is touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from neuroseq.web.services.audit_chain import ChainReport, verify_full

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Tables whose rows make a database "in use": restoring over them needs ``force``.
RECORD_TABLES = (
    "clinic_organisation",
    "clinic_user",
    "clinic_client",
    "clinic_assessment",
    "clinic_auditevent",
)
REQUIRED_TABLES = ("django_migrations", "clinic_auditevent", "clinic_auditchainhead")


class BackupError(Exception):
    """A problem the person running the command can fix; the message says how."""


@dataclass(frozen=True)
class RestoreReport:
    chain: ChainReport
    missing_migrations: list[str] = field(default_factory=list)
    unknown_migrations: list[str] = field(default_factory=list)


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"DATABASE_URL: backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def backup(output: Path) -> str:
    """Write a backup of the configured database to ``output``; returns the engine name."""
    kind = engine()
    output = output.expanduser()
    if not output.parent.is_dir():
        raise BackupError(f"--output: the folder {output.parent} does not exist")
    partial = output.with_name(f".{output.name}.partial")
    try:
        if kind == "sqlite":
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return kind


def restore(path: Path, *, force: bool = False) -> RestoreReport:
    """Replace the configured database's contents with the backup at ``path``."""
    kind = engine()
    path = path.expanduser()
    found = backup_kind(path)
    if found != kind:
        raise BackupError(
            f"{path}: this is a {found} backup but the configured database is {kind}; "
            "restore it into a database of the same kind"
        )
    if not force and holds_records():
        raise BackupError(
            "the target database already holds records; restoring replaces all of them. "
            "Add --force to do it (back it up first)"
        )
    if kind == "sqlite":
        _check_sqlite_backup(path)
        _sqlite_restore(path)
    else:
        _check_pg_backup(path)
        _pg_restore(path)
    return RestoreReport(verify_full(), *_migration_drift())


def backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot read it ({exc.strerror})") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path}: not a neuroseq backup (expected a SQLite database file or a pg_dump "
        "custom-format archive)"
    )


def holds_records() -> bool:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in RECORD_TABLES:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone() is not None:
                    return True
    return False


def _migration_drift() -> tuple[list[str], list[str]]:
    """Migrations the code has that the restored data lacks, and the other way round."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    applied = set(loader.applied_migrations)
    name: Callable[[tuple[str, str]], str] = lambda key: f"{key[0]}.{key[1]}"  # noqa: E731
    return sorted(map(name, known - applied)), sorted(map(name, applied - known))


# --- SQLite -------------------------------------------------------------------------------


def _raw_sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    raw: Any = connection.connection
    return raw  # type: ignore[no-any-return]


def _sqlite_backup(target: Path) -> None:
    destination = sqlite3.connect(target)
    try:
        with destination:
            _raw_sqlite().backup(destination)
        # A backup file is one self-contained file, never a WAL pair.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open it as SQLite ({exc})") from None
    try:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: damaged SQLite file ({exc})") from None
    finally:
        source.close()
    if result != "ok":
        raise BackupError(f"{path}: damaged SQLite file ({result})")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(f"{path}: not a neuroseq backup (no {', '.join(missing)} table)")


def _sqlite_restore(path: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("restore cannot run inside a transaction")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(_raw_sqlite())  # one write transaction: all pages or none
    finally:
        source.close()
    for conn in connections.all():
        conn.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (Debian: "
            "postgresql-client, at least the server's version) or put them on PATH"
        )
    return found


def _pg_env() -> dict[str, str]:
    """libpq settings from Django's, passed in the environment (no password in argv)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def _pg_dump(target: Path) -> None:
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        ],
        "pg_dump",
    )


def _check_pg_backup(path: Path) -> None:
    listing = subprocess.run(
        [_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(f"{path}: damaged pg_dump archive ({listing.stderr.strip()})")
    if not all(f"TABLE public {t}" in listing.stdout for t in REQUIRED_TABLES):
        raise BackupError(f"{path}: not a neuroseq backup (no audit trail tables in it)")


def _pg_restore(path: Path) -> None:
    for conn in connections.all():
        conn.close()
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_env()['PGDATABASE']}",
            str(path),
        ],
        "pg_restore",
    )

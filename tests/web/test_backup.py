"""Backup and restore keep every row of every table, and the audit chain still verifies.

Runs on SQLite and (in the PostgreSQL pass of ``make test``) on PostgreSQL with pg_dump
and pg_restore. Also shows why the docs forbid ``dumpdata``: it cuts timestamps to
milliseconds, and the events it cut no longer match their hashes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import serializers
from django.db import connection

from neuroseq.web import backup
from neuroseq.web.models import AuditEvent
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor, event_hash, record, verify_chain

from .helpers import make_assessment

ROOT = Path(__file__).resolve().parents[2]


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order, exactly as the database returns it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            order = ", ".join(str(i) for i in range(1, len(columns) + 1))
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {order}")
            rows[table] = [tuple(row) for row in cursor.fetchall()]
    return rows


@pytest.fixture
def tools():
    if connection.vendor == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump/pg_restore are not installed: the PostgreSQL round trip did not run")


def test_round_trip_keeps_every_row_and_the_chain(transactional_db, world, tools, tmp_path):
    make_assessment(world.child2, "signed")
    before = every_row()
    assert sum(len(r) for r in before.values()) > 100 and before["clinic_auditevent"]
    file = tmp_path / "clinic.backup"
    assert backup.backup(file) == connection.vendor
    # Work goes on after the backup; the restore must take all of it away again.
    client_service.record_read(Actor.system("tests"), world.child1, "client")
    make_assessment(world.child1, "draft", assessment_date="2026-08-01")
    assert every_row() != before
    with pytest.raises(backup.BackupError, match="already holds records.*--force"):
        backup.restore(file)
    report = backup.restore(file, force=True)
    after = every_row()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert report.chain.ok and report.chain.checked == len(before["clinic_auditevent"])
    assert report.missing_migrations == [] and report.unknown_migrations == []
    # The restored database is a working one: the trail goes on from where it was.
    record(Actor.system("tests"), "test.after_restore")
    assert verify_chain().ok


def test_a_file_that_is_not_a_backup_changes_nothing(transactional_db, world, tmp_path):
    before = every_row()
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    with pytest.raises(backup.BackupError, match="not a neuroseq backup"):
        backup.restore(junk, force=True)
    with pytest.raises(backup.BackupError, match="no such file"):
        backup.restore(tmp_path / "missing.backup", force=True)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    if connection.vendor == "sqlite":
        with pytest.raises(backup.BackupError, match="no django_migrations"):
            backup.restore(other, force=True)
    else:
        with pytest.raises(backup.BackupError, match="sqlite backup but the configured"):
            backup.restore(other, force=True)
    assert every_row() == before


def test_dumpdata_would_break_the_chain(world):
    """Why the docs say never to use dumpdata: reloaded events no longer match their hashes."""
    events = list(AuditEvent.objects.order_by("seq"))
    reloaded = [
        item.object
        for item in serializers.deserialize("json", serializers.serialize("json", events))
    ]
    cut = [e for e in events if e.created_at.microsecond % 1000]
    assert cut, "every event fell on a whole millisecond; run again"
    broken = [e.seq for e in reloaded if event_hash(e.prev_hash, e) != e.hash]
    assert broken == [e.seq for e in cut]


@pytest.mark.slow
def test_cli_backup_and_restore_into_a_new_install(tmp_path):
    """The commands, as an operator runs them: back up one install, restore into another."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the command-line round trip runs on SQLite files")
    source, target = tmp_path / "source", tmp_path / "target"
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}

    def run(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**base, "NEUROSEQ_VAR_DIR": str(var), "NEUROSEQ_DEMO": "1"}
        return subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
        )

    manage, cli = (
        [sys.executable, str(ROOT / "manage.py")],
        [str(Path(sys.executable).parent / "neuroseq")],
    )
    assert run(source, *manage, "migrate", "--noinput").returncode == 0
    seeded = run(source, *manage, "seed_demo", "--clients-per-org", "3")
    assert seeded.returncode == 0, seeded.stderr
    file = tmp_path / "clinic.backup"
    done = run(source, *cli, "backup", "-o", str(file))
    assert done.returncode == 0, done.stderr
    # The audit key lives outside the database: a new install with its own key cannot
    # verify the restored chain, and says what to do.
    done = run(target, *cli, "restore", str(file))
    assert done.returncode == 1 and "use the same NEUROSEQ_AUDIT_KEYS" in done.stdout
    shutil.copy(source / "audit_key", target / "audit_key")  # as the operator carries it over
    done = run(target, *cli, "restore", "--force", str(file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hash chain intact" in done.stdout

    def rows(path: Path) -> dict[str, list[tuple]]:
        db = sqlite3.connect(path)
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        result = {
            t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
        db.close()
        return result

    assert rows(target / "neuroseq.sqlite3") == rows(source / "neuroseq.sqlite3")
    again = run(target, *cli, "restore", str(file))
    assert again.returncode == 2 and "already holds records" in again.stderr
    assert "Traceback" not in again.stderr


def test_only_a_database_with_records_needs_force(db):
    assert not backup.holds_records()  # migrated, but no organisation, user or event yet
    record(Actor.system("tests"), "test.first")
    assert backup.holds_records()


def test_missing_postgresql_tools_are_named(db, monkeypatch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    with pytest.raises(backup.BackupError, match="pg_dump not found: install the PostgreSQL"):
        backup.backup(tmp_path / "clinic.backup")
    assert not list(tmp_path.iterdir())


def test_cli_bad_input_exits_2_with_the_reason(db, tmp_path):
    from typer.testing import CliRunner

    from neuroseq.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["backup", "-o", str(tmp_path / "missing" / "clinic.backup")])
    assert done.exit_code == 2
    assert "--output: the folder" in done.output and "does not exist" in done.output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"\x00" * 100)
    done = runner.invoke(app, ["restore", str(junk), "--force"])
    assert done.exit_code == 2 and "not a neuroseq backup" in done.output
    assert "Traceback" not in done.output

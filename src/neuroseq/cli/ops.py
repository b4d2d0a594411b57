"""Operations on the clinic database: ``neuroseq backup`` and ``neuroseq restore``.

They use the same settings as the web app (``DATABASE_URL``, ``NEUROSEQ_VAR_DIR``; see
docs/deployment.md), so they back up exactly the database the app serves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from neuroseq.cli.app import app, console, fail


def _django() -> Any:
    """Set up Django with the app's settings; a bad setting exits 2 naming the variable."""
    from neuroseq.web import standalone

    try:
        standalone.setup()
    except standalone.SettingsError as exc:
        fail([str(exc)])
    from neuroseq.web import backup

    return backup


@app.command("backup")
def backup_command(
    output: Path = typer.Option(..., "--output", "-o", help="backup file to write"),
) -> None:
    """Back up the clinic database (SQLite: online backup API; PostgreSQL: pg_dump)."""
    backup = _django()
    try:
        kind = backup.backup(output)
    except backup.BackupError as exc:
        fail([str(exc)])
    size = output.stat().st_size
    console.print(f"backed up the {kind} database to {output} ({size:,} bytes)")


@app.command("restore")
def restore_command(
    file: Path = typer.Argument(..., help="a file written by `neuroseq backup`"),
    force: bool = typer.Option(
        False, "--force", help="replace a database that already holds records"
    ),
) -> None:
    """Replace the clinic database's contents with a backup, then verify the audit trail."""
    backup = _django()
    try:
        report = backup.restore(file, force=force)
    except backup.BackupError as exc:
        fail([str(exc)])
    console.print(f"restored {file}")
    if report.chain.ok:
        console.print(f"audit trail verified: {report.chain.checked} events, hash chain intact")
    else:
        console.print(f"[bold red]audit trail BROKEN:[/] {report.chain.problem}")
        if any(p.kind == "altered" for p in report.chain.problems):
            console.print(
                "if every event fails its signature, this install has a different audit key "
                "from the one the backup was made with: use the same NEUROSEQ_AUDIT_KEYS (or "
                "copy var/audit_key) and restore again (docs/deployment.md)"
            )
    if report.missing_migrations:
        console.print(
            "the backup predates this version: run `python manage.py migrate` "
            f"({len(report.missing_migrations)} migrations to apply)"
        )
    if report.unknown_migrations:
        console.print(
            "[bold red]the backup comes from a newer neuroseq[/] (unknown migrations: "
            f"{', '.join(report.unknown_migrations)}); install that version to use it"
        )
    if not report.chain.ok:
        raise typer.Exit(1)

"""``manage.py audit_verify [--checkpoints FILE]``: the full check of the audit chain.

Re-reads every event from the first, checks every stored checkpoint and every line of the
operator's exported checkpoint file. Exit status 0 when intact, 1 with one line per
problem otherwise. This is the scheduled (background) check; the audit page's check is
incremental (docs/security.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from neuroseq.web.services import audit_chain
from neuroseq.web.services.audit import Actor, record


def _lines(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"--checkpoints: cannot read {path}: {exc}") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--checkpoints: line {number}: not valid JSON: {exc.msg}") from None
        if not isinstance(line, dict):
            raise CommandError(f"--checkpoints: line {number}: expected a JSON object")
        lines.append(line)
    return lines


class Command(BaseCommand):
    help = "Verify the whole audit chain, its checkpoints and an exported checkpoint file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoints", type=Path, help="exported checkpoint lines (.jsonl)")

    def handle(self, *args: Any, **options: Any) -> None:
        external = _lines(options["checkpoints"]) if options["checkpoints"] else []
        report = audit_chain.verify_full(external=external)
        record(
            Actor.system("audit_verify"),
            "audit.verify",
            details={"ok": report.ok, "checked": report.checked, "external": len(external)},
        )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if not report.ok:
            raise CommandError(
                "the audit chain does not verify:\n" + "\n".join(p.message for p in report.problems)
            )
        self.stdout.write(
            f"Hash chain intact: {report.checked} events, checkpoints compared: "
            f"{len(external)} from the file and all stored ones."
        )

"""``manage.py audit_checkpoint [--output FILE]``: sign and export the audit chain's head.

Schedule it (cron, a systemd timer, or a job; hourly or daily) and keep its output where
the database's administrators cannot rewrite it: another machine, a log collector, a
write-once bucket. ``manage.py audit_verify --checkpoints FILE`` compares the chain with
every line kept. The command verifies the chain since the last checkpoint first and
refuses to sign a head that does not verify.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from neuroseq.web.services import audit_chain
from neuroseq.web.services.audit import Actor


class Command(BaseCommand):
    help = "Sign the audit chain's head; print the checkpoint line (and append it to --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="append the line to this .jsonl file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            line = audit_chain.export_checkpoint(Actor.system("audit_checkpoint"))
        except ValueError as exc:
            raise CommandError(
                f"the audit chain does not verify, nothing was signed: {exc}"
            ) from None
        text = json.dumps(line, sort_keys=True)
        output: Path | None = options["output"]
        if output is not None:
            try:
                with output.open("a", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            except OSError as exc:
                raise CommandError(f"--output: cannot write {output}: {exc.strerror}") from None
        self.stdout.write(text)

"""``manage.py seed_demo``: the labelled-synthetic demo. Safe to run again."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from neuroseq.web import demo


class Command(BaseCommand):
    help = "Create two synthetic demo organisations with one login per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients-per-org", type=int, default=100, help="synthetic children per organisation"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            # The demo accounts share a published password: never create them on a real site.
            raise CommandError(
                "seed_demo creates accounts with a published password and runs only in demo "
                "mode: set NEUROSEQ_DEMO=1 (never on a site with real data)"
            )
        count = options["clients_per_org"]
        if count < 1 or count > 5000:
            self.stderr.write("--clients-per-org: expected 1-5000")
            raise SystemExit(2)
        start = time.monotonic()
        created = demo.seed(count, out=self.stdout.write)
        if not created:
            self.stdout.write("demo data already present; nothing to do")
            demo.store_missing_scores(out=self.stdout.write)
        self.stdout.write(f"({time.monotonic() - start:.1f} s)\n")
        self.stdout.write(
            "Demo logins (all data is SYNTHETIC; two-factor is skipped in demo mode):"
        )
        for login in demo.logins():
            self.stdout.write(
                f"  {login.organisation:<45} {login.role:<28} {login.email:<28} {login.password}"
            )

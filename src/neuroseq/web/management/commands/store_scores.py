"""``manage.py store_scores``: write the analytics page's stored scores for signed assessments.

Needed once on a database whose assessments were signed before stored scores existed
(new signatures store their own). Safe to run again: it rewrites the same numbers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from neuroseq.web.models import Organisation
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.stored_scores import backfill


class Command(BaseCommand):
    help = "Store the numeric scores of every signed assessment (for the analytics page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="slug of one organisation (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("slug")
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                self.stderr.write(f"--organisation: no organisation {options['organisation']!r}")
                raise SystemExit(2)
        actor = Actor.system("store_scores")
        for org in organisations:
            rows = backfill(actor, org)
            self.stdout.write(f"{org.slug}: {rows} signed assessments stored")

"""``manage.py create_organisation``: a new organisation and its first admin.

The admin gets an activation link by email (``NEUROSEQ_SITE_URL`` is the site's address),
then adds the other members from the Members page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction

from neuroseq.web.management.commands._links import site_link
from neuroseq.web.models import Role
from neuroseq.web.services import memberships
from neuroseq.web.services.audit import Actor


class Command(BaseCommand):
    help = "Create an organisation and email its first admin an activation link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="short id, e.g. riverside")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("create_organisation")
        try:
            with transaction.atomic():
                org = memberships.create_organisation(
                    actor, name=options["name"], slug=options["slug"]
                )
                memberships.add_member(
                    actor,
                    email=options["admin_email"],
                    full_name=options["admin_name"],
                    role=Role.ORG_ADMIN,
                    organisation=org,
                    link=site_link,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except IntegrityError:
            raise CommandError(
                f"slug: an organisation {options['slug']!r} already exists"
            ) from None
        self.stdout.write(f"created {org.name}; activation link emailed to its admin")

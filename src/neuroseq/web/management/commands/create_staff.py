"""``manage.py create_staff EMAIL``: a platform-staff account for the read-only admin.

Staff are never superusers. The person gets an activation link by email, chooses their own
password and enrols two-factor; the command never sees or sets a password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from neuroseq.web.management.commands._links import site_link
from neuroseq.web.models import User
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.services import accounts
from neuroseq.web.services.audit import Actor, record


class Command(BaseCommand):
    help = "Create a platform-staff account (read-only admin) and email its activation link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["email"])
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"email: expected an email address, got {options['email']!r}"
            ) from None
        if User.objects.filter(email=email).exists():
            raise CommandError(f"email: an account for {email} already exists")
        actor = Actor.system("create_staff")
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, None, full_name=options["name"], is_staff=True
                )
                record(
                    actor,
                    "account.staff_created",
                    object_type="user",
                    object_id=user.pk,
                    details={"email": email},
                )
                accounts.send_activation(actor, user, site_link)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"created platform staff {email}; activation link emailed")

"""``manage.py send_activation EMAIL``: reset someone's sign-in from the command line.

For a person no organisation admin can help (the only admin lost their phone, or platform
staff): removes their password and authenticator and emails a new activation link. Audited
as ``auth.2fa_reset`` by ``system:send_activation``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from neuroseq.web.management.commands._links import site_link
from neuroseq.web.models import User
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.services import accounts
from neuroseq.web.services.audit import Actor


class Command(BaseCommand):
    help = "Reset an account's password and two-factor and email a new activation link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["email"])
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"email: no account for {email}")
        try:
            accounts.send_activation(Actor.system("send_activation"), user, site_link, reset=True)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"reset the sign-in of {email}; new activation link emailed")

"""Django for commands outside a web request (``neuroseq backup`` / ``restore``).

The command-line layer never imports Django itself: it calls ``setup`` here, which uses
the web app's own settings so a command works on exactly the database the app serves.
"""

from __future__ import annotations

import os

import django
from django.core.exceptions import ImproperlyConfigured


class SettingsError(Exception):
    """A setting (``DATABASE_URL``, ``SECRET_KEY``...) is missing or malformed."""


def setup() -> None:
    """Set up Django with the app's settings; a bad setting raises ``SettingsError``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neuroseq.web.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise SettingsError(str(exc)) from exc

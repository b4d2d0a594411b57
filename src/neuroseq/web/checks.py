"""System checks for ``manage.py check --deploy``: the audit key must not live on disk."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def audit_key_from_environment(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.NEUROSEQ_AUDIT_KEY_SOURCE == "environment":
        return []
    return [
        checks.Warning(
            "NEUROSEQ_AUDIT_KEYS is not set: the audit chain is signed with a key generated "
            "into var/audit_key on this machine.",
            hint="Set NEUROSEQ_AUDIT_KEYS from your secret store on every worker, keep it out "
            "of database backups, and re-key once (docs/security.md).",
            id="neuroseq.W001",
        )
    ]

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from neuroseq.web import triggers

    triggers.ensure(connections[using])


class ClinicConfig(AppConfig):
    name = "neuroseq.web"
    label = "clinic"
    verbose_name = "neuroseq clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from neuroseq.web import checks, signals  # noqa: F401  (audit receivers, system checks)
        from neuroseq.web.jobs import in_process  # noqa: F401  (runs jobs after requests)
        from neuroseq.web.search import ensure_search_index

        post_migrate.connect(_ensure_triggers, sender=self)
        post_migrate.connect(ensure_search_index, sender=self)

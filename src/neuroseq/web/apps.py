from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "neuroseq.web"
    label = "clinic"
    verbose_name = "neuroseq clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from neuroseq.web import signals  # noqa: F401  (connects the auth audit receivers)
        from neuroseq.web.jobs import in_process  # noqa: F401  (runs jobs after requests)
        from neuroseq.web.search import ensure_search_index

        post_migrate.connect(ensure_search_index, sender=self)

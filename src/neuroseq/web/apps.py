from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "neuroseq.web"
    label = "clinic"
    verbose_name = "neuroseq clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from neuroseq.web import signals  # noqa: F401  (connects the auth audit receivers)

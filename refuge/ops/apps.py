from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OpsConfig(AppConfig):
    """Operator commands that belong to no domain: serving the app, later backups."""

    name = "refuge.ops"
    label = "ops"

    def ready(self) -> None:
        from refuge.ops.statistics import analyze_unmeasured_tables

        post_migrate.connect(analyze_unmeasured_tables, dispatch_uid="analyze-after-migrate")

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operator commands that belong to no domain: serving the app, later backups."""

    name = "refuge.ops"
    label = "ops"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "refuge.audit"
    label = "audit"

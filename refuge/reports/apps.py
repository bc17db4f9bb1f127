from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "refuge.reports"
    label = "reports"

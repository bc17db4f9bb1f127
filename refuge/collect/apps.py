from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "refuge.collect"
    verbose_name = "ODK Collect and KoboCollect"

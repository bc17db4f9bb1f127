from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "refuge.matching"
    label = "matching"

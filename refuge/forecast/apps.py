from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "refuge.forecast"
    label = "forecast"

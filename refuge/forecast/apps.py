from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "refuge.forecast"
    label = "forecast"

    def ready(self):
        from refuge.forecast.situation import SECTION
        from refuge.lib import situation

        situation.provide(SECTION)

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "refuge.matching"
    label = "matching"

    def ready(self):
        # Every registration asks matching who its people may already be.
        from refuge.matching.arrivals import CHECK
        from refuge.registry import arrivals

        arrivals.provide(CHECK)

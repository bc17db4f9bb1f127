from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "refuge.tracing"
    label = "tracing"

    def ready(self):
        # Every registration, check-in and merge checks the open requests at once.
        from refuge.lib import situation
        from refuge.tracing import listeners
        from refuge.tracing.situation import SECTION

        listeners.connect()
        situation.provide(SECTION)

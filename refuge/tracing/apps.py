from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "refuge.tracing"
    label = "tracing"

    def ready(self):
        # Every registration, check-in and merge checks the open requests at once.
        from refuge.lib import situation
        from refuge.registry.events import erasing_person
        from refuge.tracing import listeners, retention  # noqa: F401 (retention: its rule)
        from refuge.tracing.erasure import erase_tracing_copies
        from refuge.tracing.situation import SECTION

        listeners.connect()
        erasing_person.connect(erase_tracing_copies, dispatch_uid="tracing-erasure")
        situation.provide(SECTION)

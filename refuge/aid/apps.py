from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "refuge.aid"
    label = "aid"

    def ready(self) -> None:
        # The registry announces merges; aid listens, so the registry never imports aid.
        from refuge.aid import receivers, retention  # noqa: F401 (retention: payments' rule)
        from refuge.aid.situation import SECTION
        from refuge.lib import situation

        situation.provide(SECTION)

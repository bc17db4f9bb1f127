from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "refuge.shelter"
    label = "shelter"

    def ready(self):
        from refuge.lib import situation
        from refuge.shelter.situation import SECTION

        situation.provide(SECTION)

from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "refuge.shelter"
    label = "shelter"

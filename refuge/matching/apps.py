from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "refuge.matching"
    label = "matching"

    def ready(self):
        # Every registration asks matching who its people may already be.
        from refuge.matching.arrivals import CHECK
        from refuge.registry import arrivals

        arrivals.provide(CHECK)
        # Erasing a person erases the pairs and merges that keep copies of them.
        from refuge.matching.erasure import erase_match_copies
        from refuge.registry.events import erasing_person

        erasing_person.connect(erase_match_copies, dispatch_uid="matching-erasure")

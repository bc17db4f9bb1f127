"""What aid does when the registry announces something (refuge.registry.events)."""

from django.dispatch import receiver

from refuge.aid import services
from refuge.registry import events


@receiver(events.people_merged, dispatch_uid="aid_people_merged")
def fold_entitlements(sender, kept, merged, user, **kwargs) -> None:
    services.fold_merged_entitlements(kept, merged)


@receiver(events.people_unmerged, dispatch_uid="aid_people_unmerged")
def unfold_entitlements(sender, kept, merged, user, **kwargs) -> None:
    services.unfold_merged_entitlements(kept, merged)

"""The copies matching keeps of a person, erased with them (refuge.registry.erasure).

Pairs under review or decided say that two records may be one person: they go. A merge
keeps the kept record's values from before the merge so it can be undone: those values
go, and with them the undo. Records merged into the erased one are the same person, and
are erased too."""

from django.db.models import Q

from refuge.matching.models import CandidatePair, Merge
from refuge.registry import erasure as registry_erasure
from refuge.registry.models import Erasure, Person


def erase_match_copies(sender, *, person: Person, erasure: Erasure, user, **kwargs) -> int:
    erased = CandidatePair.objects.filter(Q(person_a=person) | Q(person_b=person)).delete()[0]
    merges = list(Merge.objects.select_related("merged").filter(Q(kept=person) |
                                                                 Q(merged=person)))
    for merge in merges:
        merge.before = {**merge.before, "filled": {}, "erased": True}
        merge.save(update_fields=["before"])
    for merge in merges:
        if merge.kept_id == person.pk and merge.undone_at is None:
            same_person, created = registry_erasure.erase_person(
                merge.merged, reason=erasure.reason, user=user)
            erased += sum(same_person.copies.values()) if created else 0
    return erased + len(merges)

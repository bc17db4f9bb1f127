"""What happens to the people the registry keeps, announced to whoever listens.

Apps above the registry (tracing, aid, matching, shelter) listen with Django signals
connected in their AppConfig.ready(), so the registry never imports them. Every signal is
sent inside the transaction of the act it announces: a receiver that writes writes with
the act (or not at all), and one that must wait for the commit uses
`transaction.on_commit`.

- people_registered(people, household, user, added): new people saved in a household,
  by whatever entry point (desk, API, ODK, offline queue, import, demo); `added` when
  they joined a household registered before.
- people_merged(kept, merged, user): two records confirmed as one person.
- people_unmerged(kept, merged, user): such a merge undone.
- erasing_person(person, erasure, user): a person's personal data is being erased
  (refuge.registry.erasure). Sent before the registry blanks its own copies, so the
  names can still be read; each receiver erases the copies its app keeps and returns
  how many it erased.
- household_checked_in(household, site, user): a household arrived at a shelter site
  (sent by the shelter app, which owns sites).
"""

from django.dispatch import Signal

people_registered = Signal()
people_merged = Signal()
people_unmerged = Signal()
household_checked_in = Signal()
erasing_person = Signal()

"""Tracing's candidates on a loaded registry, written as JSON, to check that a change to
how they are looked up or saved finds the same ones (nothing is written to the database):

    .venv/bin/python bench/tracing_candidates_dump.py --db sqlite --data trace OUT.json
    (the same from a worktree of the commit before)  ; cmp BEFORE.json OUT.json

For the first `--sought` open sought persons, `matching.candidates_for` (each candidate's
id, probability and levels); and for the people of the first `--households` households,
the open requests a registration's screen finds (`matching.sought_sharing_keys`), for
all of them at once and household by household; and for each of the first `--rescored`
households, what a registration's check would save (`matching.check_people`, read-only):
the sought persons it matches again, each with the candidates that match finds.
"""

import argparse
import json

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data", default="trace")
    parser.add_argument("--people", type=int, default=1)
    parser.add_argument("--sought", type=int, default=400)
    parser.add_argument("--households", type=int, default=400)
    parser.add_argument("--rescored", type=int, default=200)
    parser.add_argument("--together", type=int, default=3,
                        help="sought persons looked up together, where the commit can")
    args = parser.parse_args()
    common.loaded_registry(args.db, args.data, args.people, False)
    from refuge.registry.models import Person
    from refuge.tracing import matching
    from refuge.tracing.models import SoughtPerson

    size = matching.population()
    found = {}
    sought = list(SoughtPerson.objects.open().select_related("enquiry__enquirer")
                  .order_by("pk")[:args.sought])
    for start in range(0, len(sought), args.together):
        group = sought[start:start + args.together]
        # Several at once where this commit looks them up together (`candidates_of`).
        scored = (matching.candidates_of(group, size) if hasattr(matching, "candidates_of")
                  else [matching.candidates_for(one, size) for one in group])
        for one, candidates in zip(group, scored, strict=True):
            found[str(one.pk)] = _listed(candidates)
    people = list(Person.objects.counted().filter(household_id__lte=args.households))
    screened = sorted(matching.sought_sharing_keys(people))
    # And household by household, as a desk's registration is checked.
    by_household = {}
    for person in people:
        by_household.setdefault(person.household_id, []).append(person)
    each = {str(household): sorted(matching.sought_sharing_keys(members))
            for household, members in by_household.items()}
    tracing_model = matching.model()
    rescored = {}
    for household, members in list(by_household.items())[:args.rescored]:
        worth = _to_check_again(matching, members, size, tracing_model)
        scored = matching.candidates_of(worth, size, tracing_model) if worth else []
        rescored[str(household)] = {str(one.pk): _listed(candidates)
                                    for one, candidates in zip(worth, scored, strict=True)}
    with open(args.out, "w") as out:
        json.dump({"candidates": found, "screened": screened, "each_household": each,
                   "rescored": rescored}, out, sort_keys=True)
    print(f"== {len(found)} sought persons, {sum(map(len, found.values()))} candidates; "
          f"{len(people)} people screened, {len(screened)} requests found; "
          f"{sum(map(len, rescored.values()))} matched again for {len(rescored)} households")


def _listed(candidates) -> list:
    return [[list(c.key) if isinstance(c.key, tuple) else c.key, c.probability, c.levels]
            for c in candidates]


def _to_check_again(matching, members, size, tracing_model) -> list:
    """What `check_people` would match again for these people, in this commit's way or,
    before `sought_to_check_again`, the way it did."""
    if hasattr(matching, "sought_to_check_again"):
        return matching.sought_to_check_again(members, size, tracing_model)
    from refuge.tracing.models import SoughtPerson

    ids = matching.sought_sharing_keys(members)
    sought = list(SoughtPerson.objects.filter(pk__in=ids).select_related("enquiry__enquirer"))
    return matching._may_be_among_candidates(sought, members, size, tracing_model) if sought else []


if __name__ == "__main__":
    main()

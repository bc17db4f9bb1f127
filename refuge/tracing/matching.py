"""Who a sought person may be: the registry's people, other requests' sought persons and
enquirers, scored with the matching engine's cross-script comparison and Fellegi–Sunter
weights, weighed for what tracing descriptions look like.

A description is not a registration: an age stands for a birth date, the family name is
often left out, and the enquirer spells the name their own way, in their own script. The
comparison already reads every script alike and gives a missing field no weight; here
an age is allowed its year of error. The probability is the posterior that this
candidate, rather than anyone else or nobody registered, is the person sought:

    P(c) = π/N · L(c) / (π/N · Σ L(j) + 1 − π)

with L the likelihood ratio m/u of the candidate's levels, π the share of sought people
who are registered at all, and N the population they may be among. Relatives share
probability with one another rather than each taking it all, and the engine's relatives
rule keeps a twin, a sibling or a grandson named after his grandfather from counting
their shared surname, address and household as evidence.
"""

from dataclasses import dataclass, field
from datetime import date
from itertools import product

from django.db.models import Q, QuerySet, Sum

from refuge.lib import dates
from refuge.matching import normalise, queries
from refuge.matching.comparison import RecordRow
from refuge.matching.fellegi_sunter import Model
from refuge.registry.models import Person, RegistrationFigure
from refuge.tracing.models import Candidate, Enquiry, SoughtPerson
from refuge.tracing.saving import save_candidates
from refuge.tracing.scoring import (
    Scored,
    enquirer_row,
    enquirers_hints,
    model,
    score,
    sought_row,
    with_hints,
)

# "Likely found": a candidate at or above this goes to the officers' queue, and
# `refuge tracing --matches` writes those at or above it. Chosen on the tracing
# benchmark (bench/tracing.py, docs/benchmarks.md): the lowest threshold at which 99 % of
# the requests for people never registered find nobody likely, on seeds 3, 7 and 11
# (cousins named after one grandfather, born a year or two apart and sharing the
# enquirer's family name and village, are what reaches it).
LIKELY_FOUND = 0.97
# Candidates below this are not kept at all.
KEPT_FLOOR = 0.02
LOOKED_AT = 300
KEPT_PER_SOUGHT = 5


def population() -> int:
    """How many are registered, from the registry's pre-counted figures: the same number
    as counting the people (`counting.registrations_count_check`), without reading a
    million rows at every request and every registration that finds one (at 110,000
    people, 4–25 ms against 40–200 ms on a busy machine)."""
    return RegistrationFigure.objects.filter(need="").aggregate(n=Sum("people"))["n"] or 0


def _key_filter(given: set[str], family: set[str], father: set[str], born_year: int,
                prefix: str = "") -> Q:
    """Who shares a pair of name keys with a description, or the given name and a birth
    year within three; with only a given name and no year, the given name."""
    # One term per kind of pair, each an IN over the keys' sets (the same rows as one
    # term per pair of keys, in a statement Django compiles many times faster).
    given_key, family_key, father_key = (f"{prefix}given_key", f"{prefix}family_key",
                                         f"{prefix}patronymic_key")
    terms = []
    if given and family:
        terms += [Q(**{f"{given_key}__in": given, f"{family_key}__in": family}),
                  Q(**{f"{given_key}__in": family, f"{family_key}__in": given})]
    if given and father:
        terms.append(Q(**{f"{given_key}__in": given, f"{father_key}__in": father}))
    # A family name mistyped or left out, a father's name the registry lacks: the
    # given name with a birth year near enough still finds them.
    if given and born_year:
        terms.append(Q(**{f"{given_key}__in": given, f"{prefix}birth_date__range":
                          (date(born_year - 3, 1, 1), date(born_year + 3, 12, 31))}))
    elif given and not family:
        terms.append(Q(**{f"{given_key}__in": given}))
    if family and father:
        terms.append(Q(**{f"{family_key}__in": family, f"{father_key}__in": father}))
    return Q(*terms, _connector=Q.OR) if terms else Q(pk__in=[])


def _readings(sought: SoughtPerson | Person) -> tuple[set, set, set]:
    """Each name's stored key, and the key with a Russian г read as h."""
    given = {sought.given_key, normalise.key_h(sought.given_name)} - {""}
    family = {sought.family_key, normalise.key_h(sought.family_name)} - {""}
    father = {sought.patronymic_key,
              normalise.key_h(normalise.names.patronymic_stem(sought.patronymic))} - {""}
    return given, family, father


def registered_candidates(sought: SoughtPerson) -> QuerySet:
    given, family, father = _readings(sought)
    year = sought.birth_date.year if sought.birth_date else 0
    return Person.objects.counted().filter(_key_filter(given, family, father, year))


def is_estimated(precision: str) -> bool:
    return precision == dates.ESTIMATED


def found_people(people: QuerySet, limit: int) -> tuple[list[RecordRow], list[str]]:
    """`queries.found_rows` without the documents: at most `limit` of the people a lookup
    finds, as matching sees them, in id order, with each one's birth precision."""
    return people_rows(queries.found_values(people, limit))


def people_rows(found: list[tuple]) -> tuple[list[RecordRow], list[str]]:
    """`queries.rows_with_precision` of people read by `queries.found_values`, each with no
    document. A sought person has none (nor has an enquirer), so every pair tracing
    scores has a document level of NULL whatever the candidate holds, and the statement
    reading the documents (an IN of up to 300 ids for each lookup) changed no score."""
    found = sorted(values[:len(queries.PERSON_COLUMNS)] for values in found)
    rows = [RecordRow(record_id=pk, registration=household, household=household,
                      given_name=given, family_name=family, patronymic=father,
                      sex="" if sex == "U" else sex,
                      birth=normalise.birth_from_stored(born, precision), place=origin,
                      phone=phone)
            for pk, household, given, family, father, sex, born, precision, origin, phone
            in found]
    return rows, [values[queries.PERSON_COLUMNS.index("birth_precision")] for values in found]


def candidates_for(sought: SoughtPerson, size: int | None = None,
                   tracing_model: Model | None = None,
                   looked_up: tuple | None = None) -> list[Scored]:
    """The registered people, other requests' sought persons and enquirers this sought
    person may be, best first, at most KEPT_PER_SOUGHT at or above KEPT_FLOOR.
    `looked_up` is what `_looked_up_together` read for it: (people, their birth
    precisions, other sought persons)."""
    if looked_up is None:
        people, precision = found_people(registered_candidates(sought), LOOKED_AT)
        others = _other_sought(sought)
    else:
        people, precision, others = looked_up
    own_row, hinted = with_hints(sought_row(sought), *enquirers_hints(sought))
    rows = [own_row, *people]
    estimated = [is_estimated(sought.birth_precision), *map(is_estimated, precision)]
    # People in the enquirer's own household are not who they are looking for.
    own = sought.enquiry.enquirer.household_id if sought.enquiry.enquirer_id else None
    for other in others:
        rows.append(sought_row(other))
        estimated.append(is_estimated(other.birth_precision))
    for enquiry in _other_enquirers(sought):
        rows.append(enquirer_row(enquiry))
        estimated.append(False)
    pairs = [(0, i) for i, row in enumerate(rows) if i and row.household != own]
    found = score(rows, estimated, pairs, size if size is not None else population(),
                  tracing_model, hinted={0: hinted})
    # Two sought persons are one person sought twice when they score as one person; the
    # posterior over the registry does not apply to them, so their own weight decides.
    kept = sorted((s for s in found if s.probability >= KEPT_FLOOR),
                  key=lambda s: -s.probability)
    return kept[:KEPT_PER_SOUGHT]


OTHER_SOUGHT = 50


def _other_sought(sought: SoughtPerson) -> list[SoughtPerson]:
    given, family, father = _readings(sought)
    year = sought.birth_date.year if sought.birth_date else 0
    return list(SoughtPerson.objects.open().exclude(enquiry_id=sought.enquiry_id)
                .filter(_key_filter(given, family, father, year))[:OTHER_SOUGHT])


@dataclass(frozen=True)
class _Lookup:
    """What `_key_filter` looks for, for one description, and the same test in Python
    for a row read by a lookup of several at once (`_looked_up_together`)."""

    given: frozenset
    family: frozenset
    father: frozenset
    year: int

    @classmethod
    def of(cls, one: SoughtPerson) -> "_Lookup":
        given, family, father = _readings(one)
        return cls(frozenset(given), frozenset(family), frozenset(father),
                   one.birth_date.year if one.birth_date else 0)

    def query(self) -> Q:
        return _key_filter(set(self.given), set(self.family), set(self.father), self.year)

    def finds(self, given: str, family: str, father: str, born: int | None) -> bool:
        """Whether `query()` finds a row with these stored keys and birth year."""
        g, f, p = self.given, self.family, self.father
        if g and f and ((given in g and family in f) or (given in f and family in g)):
            return True
        if g and p and given in g and father in p:
            return True
        if g and self.year:
            if given in g and born is not None and abs(born - self.year) <= 3:
                return True
        elif g and not f and given in g:
            return True
        return bool(f and p and family in f and father in p)


def _looked_up_together(sought: list[SoughtPerson]) -> list[tuple]:
    """`candidates_for`'s lookups of several sought persons, each kind in one statement
    for all of them rather than one each: the rows any of them finds, each given to
    those whose own lookup finds it (`_Lookup.finds`). The same rows as their own
    lookups: a lookup that may have found more than its limit, where the database picks
    which, is made on its own as before."""
    lookups = [_Lookup.of(one) for one in sought]
    anyone = Q(*(lookup.query() for lookup in lookups), _connector=Q.OR)
    limit = LOOKED_AT * len(sought)
    found = queries.found_values(Person.objects.counted().filter(anyone), limit + 1,
                                 "given_key", "family_key", "patronymic_key")
    width, born = len(queries.PERSON_COLUMNS), queries.PERSON_COLUMNS.index("birth_text")
    # Each one's rows, or None when the statement was cut short by its limit.
    found_by = [None if len(found) > limit else
                [v for v in found if lookup.finds(*v[width:], int(v[born][:4]) if v[born]
                                                  else None)]
                for lookup in lookups]
    every_row, every_precision = people_rows(
        [v for mine in found_by if mine is not None and len(mine) <= LOOKED_AT for v in mine])
    of = {row.record_id: (row, precision)
          for row, precision in zip(every_row, every_precision, strict=True)}
    limit = OTHER_SOUGHT * len(sought)
    requests = list(SoughtPerson.objects.open().filter(anyone)[:limit + 1])
    looked_up = []
    for one, lookup, mine in zip(sought, lookups, found_by, strict=True):
        if mine is None or len(mine) > LOOKED_AT:
            rows, precision = found_people(registered_candidates(one), LOOKED_AT)
        else:
            ids = sorted(v[0] for v in mine)
            rows, precision = [of[pk][0] for pk in ids], [of[pk][1] for pk in ids]
        if len(requests) > limit:
            others = _other_sought(one)
        else:
            others = [r for r in requests if r.enquiry_id != one.enquiry_id and lookup.finds(
                r.given_key, r.family_key, r.patronymic_key,
                r.birth_date.year if r.birth_date else None)][:OTHER_SOUGHT]
        looked_up.append((rows, precision, others))
    return looked_up


def _other_enquirers(sought: SoughtPerson) -> list[Enquiry]:
    given, family, _father = _readings(sought)
    if not given or not family:
        return []
    # Every pair of a given and a family key: one IN for each (the same rows as a term
    # per pair, in a statement compiled once rather than per pair).
    return list(Enquiry.objects.filter(enquirer__isnull=True).exclude(pk=sought.enquiry_id)
                .filter(enquirer_given_key__in=given, enquirer_family_key__in=family)[:50])


def check_sought(sought: SoughtPerson, size: int | None = None) -> list[Candidate]:
    """Score a sought person against everyone and keep the candidates. An officer's
    decision stays: a rejected candidate is never proposed again, nor its score changed."""
    return check_many([sought], size)[0]


def check_many(sought: list[SoughtPerson], size: int | None = None,
               tracing_model: Model | None = None) -> list[list[Candidate]]:
    """`check_sought` of each, all scored first and then kept together: one read of
    their candidates, one insert, one update and one commit for all of them (on SQLite
    each commit waits for the disk, and a match's write waits for the one write lock)."""
    sought = list({one.pk: one for one in sought}.values())
    if not sought:
        return []
    size = size if size is not None else population()
    tracing_model = tracing_model or model()
    return save_candidates(sought, candidates_of(sought, size, tracing_model))


def candidates_of(sought: list[SoughtPerson], size: int,
                  tracing_model: Model | None = None) -> list[list[Scored]]:
    """`candidates_for` of each, their lookups made together when there are several."""
    if len(sought) < 2:
        return [candidates_for(one, size, tracing_model) for one in sought]
    return [candidates_for(one, size, tracing_model, looked_up)
            for one, looked_up in zip(sought, _looked_up_together(sought), strict=True)]


def requests_that_may_seek(enquiry: Enquiry, mine: list[SoughtPerson] | None = None,
                           ) -> list[SoughtPerson]:
    """Open sought persons of other enquiries who share name keys with this enquiry's
    enquirer (when not registered: registered ones are found in the registry) or with
    one of its sought persons (`mine`, when read already)."""
    query = Q(pk__in=[])
    for one in enquiry.sought.all() if mine is None else mine:
        given, family, father = _readings(one)
        query |= _key_filter(given, family, father, one.birth_date.year if one.birth_date else 0)
    if not enquiry.enquirer_id and enquiry.enquirer_given_key:
        given = {enquiry.enquirer_given_key,
                 normalise.key_h(enquiry.enquirer_given_name)} - {""}
        family = {enquiry.enquirer_family_key,
                  normalise.key_h(enquiry.enquirer_family_name)} - {""}
        query |= _key_filter(given, family, set(), 0)
    return list(SoughtPerson.objects.open().exclude(enquiry=enquiry).filter(query)
                .select_related("enquiry__enquirer")[:LOOKED_AT])


def check_people(people: list[Person], size: int | None = None) -> int:
    """Open requests checked against people just registered (or merged, or checked in):
    every open sought person one of them may be a candidate of is scored again with them
    among its candidates. Returns how many sought persons were scored again. One
    household at the desk or a whole batch of an import: the open requests are read once,
    by their keys alone."""
    ids = sought_sharing_keys(people)
    if not ids:
        return 0
    size = size if size is not None else population()
    tracing_model = model()
    worth = sought_to_check_again(people, size, tracing_model, ids)
    check_many(worth, size, tracing_model)
    return len(worth)


def sought_to_check_again(people: list[Person], size: int, tracing_model: Model,
                          ids: list[int] | None = None) -> list[SoughtPerson]:
    """The open sought persons `check_people` matches again: of those sharing keys with
    these people (`ids`, when found already), those one of them could be a kept
    candidate of."""
    ids = sought_sharing_keys(people) if ids is None else ids
    sought = list(SoughtPerson.objects.filter(pk__in=ids).select_related("enquiry__enquirer")
                  .only(*MATCHED_FIELDS))
    return _may_be_among_candidates(sought, people, size, tracing_model) if sought else []


# What scoring a sought person (`sought_row`, `enquirers_hints`, the enquirer's household)
# and matching them (`_readings`, `candidates_for`) read of them: a registration's screen
# reads a few dozen sought persons to score, and a whole row each, with its enquiry's and
# enquirer's, cost it a millisecond or two. Another field would still be read, one
# statement each (`test_registration_speed`).
MATCHED_FIELDS = ("enquiry_id", "given_name", "family_name", "patronymic", "given_key",
                  "family_key", "patronymic_key", "sex", "birth_date", "birth_precision",
                  "origin", "relation", "enquiry__enquirer_id", "enquiry__enquirer_family_name",
                  "enquiry__enquirer__family_name", "enquiry__enquirer__origin",
                  "enquiry__enquirer__household_id")


def sought_sharing_keys(people: list[Person]) -> list[int]:
    """The open sought persons that `_key_filter` of any of these people would find."""
    keys = _Keys.of(people)
    if keys.empty:
        return []
    # Only a pair `find` can accept: a given key among the people's names, the two
    # names the other way round, or a family and a father's name (a common family name
    # alone, which `find` always refused, found thousands of open requests to read).
    rows = (SoughtPerson.objects.open().filter(keys.screen()).order_by()
            .values_list("pk", "given_key", "family_key", "patronymic_key", "birth_date"))
    return [pk for pk, *stored in rows.iterator(chunk_size=2000) if keys.find(*stored)]


@dataclass
class _Keys:
    """The name keys of many people, each kind of pair `_key_filter` looks for as a set:
    a sought person with stored keys (given, family, father, born) shares a pair with one
    of them when `find` says so, as `_key_filter` of that person would find it."""

    names: set = field(default_factory=set)
    given: set = field(default_factory=set)
    family: set = field(default_factory=set)
    father: set = field(default_factory=set)
    given_family: set = field(default_factory=set)
    given_father: set = field(default_factory=set)
    family_father: set = field(default_factory=set)
    given_born: dict = field(default_factory=dict)  # given key: the years typed with it
    given_alone: set = field(default_factory=set)  # given keys typed with no family, no year

    @classmethod
    def of(cls, people: list[Person]) -> "_Keys":
        keys = cls()
        for person in people:
            given, family, father = _readings(person)
            year = person.birth_date.year if person.birth_date else 0
            keys.names |= given | family
            keys.given |= given
            keys.family |= family
            keys.father |= father
            keys.given_family |= set(product(given, family)) | set(product(family, given))
            keys.given_father |= set(product(given, father))
            keys.family_father |= set(product(family, father))
            for g in given:
                if year:
                    keys.given_born.setdefault(g, set()).add(year)
                elif not family:
                    keys.given_alone.add(g)
        return keys

    @property
    def empty(self) -> bool:
        return not self.names

    def screen(self) -> Q:
        """The stored keys of every sought person `find` may accept, and a few more:
        a given key among the people's given keys (every kind of pair), a given key
        among their family keys with a family key among their given keys (the names
        the other way round), or a family key and a father's among theirs."""
        terms = [Q(given_key__in=self.given)] if self.given else []
        if self.family and self.given:
            terms.append(Q(given_key__in=self.family, family_key__in=self.given))
        if self.family and self.father:
            terms.append(Q(family_key__in=self.family, patronymic_key__in=self.father))
        return Q(*terms, _connector=Q.OR) if terms else Q(pk__in=[])

    def find(self, given: str, family: str, father: str, born: date | None) -> bool:
        return ((given, family) in self.given_family or (given, father) in self.given_father
                or (family, father) in self.family_father or given in self.given_alone
                or (born is not None and any(abs(born.year - year) <= 3
                                             for year in self.given_born.get(given, ()))))

def _may_be_among_candidates(sought: list[SoughtPerson], people: list[Person],
                             size: int, tracing_model: Model) -> list[SoughtPerson]:
    """The sought persons one of these people could be a kept candidate of: scored with
    all of them at once, each person as if the only candidate (`score(alone=True)`, an
    upper bound of their probability among any others). A given name and a year or two
    in common find many sought persons, whom a whole check each (a query of the registry
    and the scoring of its people) cost a registration tens of milliseconds apiece; those
    the people cannot be are left as they were (their candidates' probabilities would
    fall by less than KEPT_FLOOR of theirs)."""
    precision = {p.pk: p.birth_precision for p in people}
    rows, _precision = people_rows(queries.found_values(
        Person.objects.filter(pk__in=list(precision)), len(precision)))
    return _worth_checking(sought, rows, [is_estimated(precision[r.record_id]) for r in rows],
                           size, tracing_model)


def _worth_checking(sought: list[SoughtPerson], candidates: list[RecordRow],
                    estimated: list[bool], size: int,
                    tracing_model: Model | None = None) -> list[SoughtPerson]:
    """Of `sought`, those one of `candidates` (rows, and whether their year is from an
    age) could be a kept candidate of, each as if the only one."""
    rows, rough, hinted = [], [], {}
    for one in sought:
        row, hints = with_hints(sought_row(one), *enquirers_hints(one))
        hinted[len(rows)] = hints
        rows.append(row)
        rough.append(is_estimated(one.birth_precision))
    rows += candidates
    rough += estimated
    pairs = []
    for i, one in enumerate(sought):
        own = one.enquiry.enquirer.household_id if one.enquiry.enquirer_id else None
        pairs += [(i, j) for j in range(len(sought), len(rows)) if rows[j].household != own]
    found = score(rows, rough, pairs, size, tracing_model, hinted=hinted, alone=True)
    worth = {pairs[k][0] for k, one in enumerate(found) if one.probability >= KEPT_FLOOR}
    return [one for i, one in enumerate(sought) if i in worth]


def requests_to_check_again(enquiry: Enquiry, size: int,
                            mine: list[SoughtPerson] | None = None,
                            tracing_model: Model | None = None) -> list[SoughtPerson]:
    """Of `requests_that_may_seek(enquiry)`, those whose candidates one of this enquiry's
    sought persons (`mine`, all of them, when read already), or its enquirer when not
    registered, could be among (as `check_people` does for a registration)."""
    mine = list(enquiry.sought.all()) if mine is None else mine
    others = requests_that_may_seek(enquiry, mine)
    if not others:
        return []
    rows = [sought_row(one) for one in mine]
    estimated = [is_estimated(one.birth_precision) for one in mine]
    if not enquiry.enquirer_id and enquiry.enquirer_given_key:
        rows.append(enquirer_row(enquiry))
        estimated.append(False)
    return _worth_checking(others, rows, estimated, size, tracing_model)



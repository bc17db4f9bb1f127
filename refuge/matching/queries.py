"""What matching asks of the registry: people as records, the current model, the queue,
and the desk's question "is anyone we are typing registered already?"."""

import sys
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice, product

import numpy as np
from django.db import connection
from django.db.models import BooleanField, CharField, F, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from refuge.lib import dates, names
from refuge.lib.errors import Problems
from refuge.matching import engine, normalise
from refuge.matching.comparison import (
    FIELDS,
    NULL,
    Frequencies,
    RecordColumns,
    RecordRow,
    Records,
    compare,
)
from refuge.matching.evidence import describe
from refuge.matching.fellegi_sunter import Model
from refuge.matching.fellegi_sunter import probability_of as fs_probability
from refuge.matching.models import CandidatePair, HouseholdMatch, MatchingRun
from refuge.registry.models import Document, Person, document_key
from refuge.registry.validation import clean_phone

# The birth date is read as the database's text (YYYY-MM-DD): turning a million dates into
# date objects and back to parts took Django's converters about 12 of 20 seconds.
PERSON_COLUMNS = ("id", "household_id", "given_name",
                  "family_name", "patronymic", "sex", "birth_text", "birth_precision", "origin",
                  "phone")
DOCUMENT_KEYS = Document.objects.order_by().values_list("person_id", "number_key")
# The desk looks at this many existing records per person typed, at most: those born on
# the day or in the year typed first, so a common name's namesakes never crowd out the
# person.
DESK_CANDIDATES = 200
DESK_SHOWN = 3
# The desk shows 2^(SLOPE·w + OFFSET) odds for a match weight of w bits, not 2^w: the
# model's fields are not independent (a cross-script name and its father's name err
# together), so its raw odds are too sure of themselves between 0 and 10 bits. Fitted by
# logistic regression on the cross-script benchmark's pairs of 20,000 and 120,000 records
# with weights within 15 bits of even; `bench/calibration.py` prints the table
# (docs/benchmarks.md, "Calibration of the desk's probabilities").
SHOWN_SLOPE = 0.71
SHOWN_OFFSET = -0.45
# A pair that agrees on names alone (no birth date, document or phone on both sides) is
# never shown above this, below the review floor: a family name and a father's name are
# shared by a whole family, and the empty row the desk adds carries just those.
NAMES_ALONE_CAP = 0.49


def current_model() -> Model:
    """The model the last `refuge dedupe` estimated, or the start model before any."""
    return _current()[0]


def _current() -> tuple[Model, Frequencies | None]:
    latest = MatchingRun.objects.values_list("pk", "started_at").first()
    return _stored_model(latest) if latest else (Model(), None)


@lru_cache(maxsize=2)
def _stored_model(run: tuple) -> tuple[Model, Frequencies | None]:
    """A run's model and the registry's frequencies, kept by run (id and start time): they
    never change once stored, the desk checks every few keystrokes, and the frequencies
    may run to many thousand words."""
    model = Model.from_dict(MatchingRun.objects.only("parameters").get(pk=run[0]).parameters)
    return model, Frequencies.from_dict(model.frequencies)


def record_rows(people: QuerySet) -> list[RecordRow]:
    """The people given, as matching sees them (a few, for the desk)."""
    return _with_documents(list(_person_values(people)))


def found_rows(people: QuerySet, limit: int) -> tuple[list[RecordRow], list[str]]:
    """At most `limit` of the people a lookup finds, as matching sees them, with each one's
    birth precision: read by the lookup's own statement (and one for their documents)
    rather than found first and read again, in id order."""
    return rows_with_precision(found_values(people, limit))


def found_values(people: QuerySet, limit: int, *more: str) -> list[tuple]:
    """At most `limit` of the people a lookup finds, as `PERSON_COLUMNS` then `more`."""
    return list(_person_values(people, *more)[:limit])


def rows_with_precision(found: list[tuple]) -> tuple[list[RecordRow], list[str]]:
    """People read by `found_values` (any `more` columns left out) as matching sees them,
    in id order, with each one's birth precision; their documents in one statement."""
    found = sorted(values[:len(PERSON_COLUMNS)] for values in found)
    precision = PERSON_COLUMNS.index("birth_precision")
    return _with_documents(found), [values[precision] for values in found]


def _with_documents(found: list[tuple]) -> list[RecordRow]:
    """People read as `PERSON_COLUMNS`, each with their first document."""
    documents = _first_documents(DOCUMENT_KEYS.filter(
        person_id__in=[values[0] for values in found]))
    return [_record_row(values, documents.get(values[0], "")) for values in found]


def registry_columns() -> RecordColumns:
    """Everyone counted, as matching sees them, read in chunks straight into columns (a
    tuple per person cost `refuge dedupe` five of its seconds at a million people).
    Names and places are interned as they arrive: a million copies of a few thousand
    names took half a gigabyte."""
    documents = _first_documents(DOCUMENT_KEYS.iterator(chunk_size=20000))
    columns = RecordColumns(*([] for _ in RecordColumns._fields))
    people = _person_values(Person.objects.counted()).iterator(chunk_size=20000)
    while chunk := list(islice(people, 20000)):
        pk, household, given, family, father, sex, born, precision, origin, phone = zip(
            *chunk, strict=True)
        columns.record_id.extend(pk)
        columns.registration.extend(household)
        columns.household.extend(household)
        columns.given_name.extend(map(sys.intern, given))
        columns.family_name.extend(map(sys.intern, family))
        columns.patronymic.extend(map(sys.intern, father))
        columns.sex.extend("" if value == "U" else value for value in sex)
        columns.birth.extend(map(normalise.birth_from_stored, born, precision))
        columns.place.extend(map(sys.intern, origin))
        columns.phone.extend(phone)
        columns.document.extend(documents.get(key, "") for key in pk)
    return columns


def _person_values(people: QuerySet, *more: str) -> QuerySet:
    """The people as `PERSON_COLUMNS`, then any `more` columns."""
    return (people.order_by().annotate(birth_text=Cast("birth_date", CharField()))
            .values_list(*PERSON_COLUMNS, *more))


def _first_documents(documents) -> dict[int, str]:
    """Each person's first document number key."""
    found: dict[int, str] = {}
    for person_id, key in documents:
        found.setdefault(person_id, key)
    return found


def _record_row(values: tuple, document: str) -> RecordRow:
    pk, household_id, given, family, father, sex, born, precision, origin, phone = values
    # People who share a household were registered together or moved in since: either
    # way a desk saw them side by side as different people.
    return RecordRow(record_id=pk, registration=household_id, household=household_id,
                     given_name=given, family_name=family, patronymic=father,
                     sex="" if sex == "U" else sex,
                     birth=normalise.birth_from_stored(born, precision), place=origin,
                     phone=phone, document=document)


def review_queue() -> QuerySet:
    """Open pairs, likeliest first; skipped pairs after the rest; none with a merged record."""
    return (CandidatePair.objects.filter(status=CandidatePair.OPEN)
            .exclude(person_a__status=Person.MERGED).exclude(person_b__status=Person.MERGED)
            .select_related("person_a__household__registered_at",
                            "person_b__household__registered_at")
            .order_by(F("skipped_at").asc(nulls_first=True), "-probability", "id"))


def household_queue() -> QuerySet:
    return (HouseholdMatch.objects.filter(status=HouseholdMatch.OPEN)
            .select_related("household_a__registered_at", "household_b__registered_at")
            .order_by("-people", "id"))


def evidence_rows(levels: dict, model: Model | None = None) -> list[dict]:
    """The per-field evidence of a pair, with words for the levels, for a reviewer."""
    model = model or current_model()
    full = {name: levels.get(name, NULL) for name in FIELDS}
    return [describe(row) for row in model.evidence(full)]


@dataclass
class DeskMatch:
    person: Person
    probability: float
    evidence: list[dict]
    levels: dict[str, int]


def desk_matches(typed: list[dict], exclude_household: int | None = None,
                 ) -> list[list[DeskMatch]]:
    """For each person typed at the desk, the registered people they may be.

    Each typed person is looked up through the indexed name keys, phone and document,
    and the few records found are scored with the registry's model. People typed
    together are one registration, so their matches in one household are family
    evidence for one another.
    """
    return _matches_of([_typed_row(i, member) for i, member in enumerate(typed)],
                       exclude_household)


def _matches_of(typed_rows: list[RecordRow], exclude_household: int | None,
                ) -> list[list[DeskMatch]]:
    found, values_of = _candidates(typed_rows, exclude_household)
    every_id = sorted({pk for ids in found for pk in ids})
    if not every_id:
        return [[] for _ in typed_rows]
    rows = typed_rows + _with_documents([values_of[pk] for pk in every_id])
    model, frequencies = _current()
    records = Records(rows, frequencies)
    position = {pk: len(typed_rows) + i for i, pk in enumerate(every_id)}
    a = np.array([i for i, ids in enumerate(found) for _pk in ids], dtype=np.int64)
    b = np.array([position[pk] for ids in found for pk in ids], dtype=np.int64)
    levels = compare(records, a, b)
    levels["family_evidence"] = engine.family_evidence(records, a, b, model.probability(levels))
    probability = shown_probability(model.match_weight(levels), levels)
    return _best_matches(len(typed_rows), a, b, probability, levels, records, model)


def shown_probability(weight: np.ndarray, levels: dict[str, np.ndarray]) -> np.ndarray:
    """The probability the desk shows for pairs of these match weights and levels:
    calibrated (SHOWN_SLOPE, SHOWN_OFFSET), and held below the review floor for pairs
    with no given name on one side or nothing but names and places to go on."""
    shown = fs_probability(SHOWN_SLOPE * np.asarray(weight, dtype=np.float64) + SHOWN_OFFSET)
    names_alone = ((levels["birth"] == NULL) & (levels["document"] == NULL)
                   & (levels["phone"] == NULL)) | (levels["given"] == NULL)
    return np.where(names_alone, np.minimum(shown, NAMES_ALONE_CAP), shown)


def _best_matches(count, a, b, probability, levels, records, model) -> list[list[DeskMatch]]:
    keep = [i for i in np.argsort(-probability) if probability[i] >= engine.REVIEW_FLOOR]
    chosen: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for i in keep:
        if len(chosen[a[i]]) < DESK_SHOWN:
            chosen[a[i]].append((i, records.ids[b[i]]))
    people = Person.objects.select_related("household__registered_at").in_bulk(
        [pk for matches in chosen for _i, pk in matches])
    result = []
    for matches in chosen:
        found = []
        for i, pk in matches:
            pair_levels = {n: int(v[i]) for n, v in levels.items()}
            found.append(DeskMatch(people[pk], float(probability[i]),
                                   evidence_rows(pair_levels, model), pair_levels))
        result.append(found)
    return result


def _typed_row(index: int, member: dict) -> RecordRow:
    try:
        born = dates.parse_birth_date(member.get("birth_date") or "")
        birth = normalise.birth_from_date(born.value, born.precision)
    except dates.BirthDateError:
        birth = normalise.BirthParts()
    phone = clean_phone(member.get("phone") or "", "phone", Problems()) or ""
    return RecordRow(record_id=("typed", index), registration="typed", household="typed",
                     given_name=member.get("given_name") or "",
                     family_name=member.get("family_name") or "",
                     patronymic=member.get("patronymic") or "",
                     sex=(member.get("sex") or "").upper().replace("U", "")[:1], birth=birth,
                     place=member.get("origin") or "", phone=phone,
                     document=document_key(member.get("document") or ""))


def _key_readings(probe: Person, row: RecordRow) -> tuple[set, set, set]:
    """The stored keys of the typed given, family and father's names, each also with a
    Russian г read as h (Ваган Григорян is Vahan Grigoryan: the one г is h, the other g)."""
    return ({probe.given_key, normalise.key_h(row.given_name)},
            {probe.family_key, normalise.key_h(row.family_name)},
            {probe.patronymic_key, normalise.key_h(names.patronymic_stem(row.patronymic))})


@dataclass
class _Lookup:
    """What one typed person is looked up by: pairs of stored keys, a phone, documents."""

    names: set = field(default_factory=set)  # (given_key, family_key), either way round
    fathers: set = field(default_factory=set)  # ("given"|"family", key, patronymic_key)
    phone: str = ""
    document_holders: set = field(default_factory=set)

    def finds(self, given: str, family: str, father: str, phone: str, pk: int) -> bool:
        return ((given, family) in self.names or ("given", given, father) in self.fathers
                or ("family", family, father) in self.fathers
                or bool(self.phone and phone == self.phone) or pk in self.document_holders)


def _any_of(lookups: list[_Lookup]) -> RawSQL | None:
    """People matching any of the lookups, as one OR of indexed conditions: the same
    condition Q objects would make, written directly, since Django took several
    milliseconds to build a few dozen of them on every check. It names the person table
    itself, so it belongs in a top-level query of people, not in a subquery."""
    quote = connection.ops.quote_name
    column = {name: f"{quote(Person._meta.db_table)}.{quote(name)}"
              for name in ("id", "given_key", "family_key", "patronymic_key", "phone")}
    conditions, params = [], []
    for lookup in lookups:
        for given, family in lookup.names:
            conditions.append(f"({column['given_key']} = %s AND {column['family_key']} = %s)")
            params += [given, family]
        for field_name, key, father in lookup.fathers:
            conditions.append(f"({column[field_name + '_key']} = %s"
                              f" AND {column['patronymic_key']} = %s)")
            params += [key, father]
        if lookup.phone:
            conditions.append(f"{column['phone']} = %s")
            params.append(lookup.phone)
        if lookup.document_holders:
            marks = ", ".join(["%s"] * len(lookup.document_holders))
            conditions.append(f"{column['id']} IN ({marks})")
            params += sorted(lookup.document_holders)
    if not conditions:
        return None
    return RawSQL(" OR ".join(conditions), params, output_field=BooleanField())


def _lookup_of(row: RecordRow) -> _Lookup:
    # The stored keys, derived the way the registry derives them.
    probe = Person(given_name=row.given_name, family_name=row.family_name,
                   patronymic=row.patronymic)
    probe.derive_search_forms()
    givens, families, fathers = (keys - {""} for keys in _key_readings(probe, row))
    lookup = _Lookup(phone=row.phone)
    for given, family in product(givens, families):
        lookup.names |= {(given, family), (family, given)}
    lookup.fathers |= {("given", g, f) for g, f in product(givens, fathers)}
    lookup.fathers |= {("family", n, f) for n, f in product(families, fathers)}
    return lookup


def _worth_a_look(row: RecordRow) -> bool:
    """Whether a typed person is someone yet: a given name, and a birth date, document or
    phone besides the names (the desk's empty row carries the family's names alone)."""
    return bool(row.given_name.strip()) and bool(row.birth.year or row.document or row.phone)


def _born_as_typed_first(rows: list[RecordRow]) -> RawSQL | None:
    """An order that puts the people born on a day typed first, then those born in a year
    typed, then the rest: a common name's candidates run to thousands at a million people,
    and the first DESK_CANDIDATES of them must hold the person if they are registered."""
    column = f"{connection.ops.quote_name(Person._meta.db_table)}.birth_date"
    adapt = connection.ops.adapt_datefield_value
    days, years = set(), set()
    for row in rows:
        year, month, day = row.birth
        if year and month and day:
            days.add(date(year, month, day))
        if year:
            years.add(year)
    cases, params = [], []
    for day in sorted(days):
        cases.append(f"WHEN {column} = %s THEN 0")
        params.append(adapt(day))
    for year in sorted(years):
        cases.append(f"WHEN {column} BETWEEN %s AND %s THEN 1")
        params += [adapt(date(year, 1, 1)), adapt(date(year, 12, 31))]
    if not cases:
        return None
    return RawSQL(f"CASE {' '.join(cases)} ELSE 2 END", params, output_field=IntegerField())


def _candidates(rows: list[RecordRow], exclude_household: int | None,
                ) -> tuple[list[list[int]], dict[int, tuple]]:
    """For each typed person, the ids of registered people sharing a pair of name keys, a
    phone or a document, those born when they were first: one query for the whole
    household, sorted out per person here. With them, each one's values as matching reads
    them (`PERSON_COLUMNS`), from the same query: reading them again by id took a second
    query over as many rows. A typed person who is nobody yet (`_worth_a_look`) is not
    looked up."""
    lookups = [_lookup_of(row) if _worth_a_look(row) else _Lookup() for row in rows]
    looked_at = [row for row in rows if _worth_a_look(row)]
    documents = {row.document for row in looked_at if row.document}
    holders: dict[str, set] = {}
    for key, person_id in (Document.objects.filter(number_key__in=documents)
                           .values_list("number_key", "person_id")[:DESK_CANDIDATES]
                           if documents else []):
        holders.setdefault(key, set()).add(person_id)
    found: list[list[int]] = [[] for _ in rows]
    values_of: dict[int, tuple] = {}
    for row, lookup in zip(rows, lookups, strict=True):
        if _worth_a_look(row):
            lookup.document_holders = holders.get(row.document, set())
    query = _any_of(lookups)
    if query is None:
        return found, values_of
    people = Person.objects.counted().filter(query)
    if exclude_household:
        people = people.exclude(household_id=exclude_household)
    people = _person_values(people, "given_key", "family_key", "patronymic_key")
    if (order := _born_as_typed_first(looked_at)) is not None:
        people = people.order_by(order.asc())
    for *values, given, family, father in people[:DESK_CANDIDATES * len(rows)]:
        pk, phone = values[0], values[-1]
        for ids, lookup in zip(found, lookups, strict=True):
            if len(ids) < DESK_CANDIDATES and lookup.finds(given, family, father, phone, pk):
                ids.append(pk)
                values_of[pk] = tuple(values)
    return found, values_of

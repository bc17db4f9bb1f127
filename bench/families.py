"""A synthetic registry of families with ground truth, for the matching benchmark.

Families are built the way they crossed in 2023: brothers heading households of their
own, sharing surname, village and father's name; wives, children, twins (one birth date,
two given names), grandparents living with one son, grandsons named after their
grandfather (so cousins may share a full name), and a few families with Russian names.
A share of people is registered a second time, usually as part of the family coming back
in part, at another desk that writes names in another script (Armenian, Russian Cyrillic,
passport-style Latin) with the variants desks produce, typos and partial birth dates.

Every row carries its ground truth: `entity_id` (the person), `family_id` (everyone
related) and `relation`. Names come from Faker's hy_AM and ru_RU lists; nobody is real.

    rows = registry(100_000, seed=1)                 # the families set
    rows = registry(20_000, seed=2, cross_script=True)  # every second registration in
                                                     # another script, names and dates only
"""

import os
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from faker.providers.person.hy_AM import Provider as ArmenianNames
from faker.providers.person.ru_RU import Provider as RussianNames

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from refuge.lib import names  # noqa: E402  (after the path is set)

YEAR = 2023
IMPORT_COLUMNS = ("record_id", "household_ref", "given_name", "family_name", "patronymic",
                  "sex", "birth_date", "place_of_origin", "phone", "document")
TRUTH_COLUMNS = ("entity_id", "family_id", "relation")
SCRIPTS = (names.ARMENIAN, names.CYRILLIC, names.LATIN)
DESK_SCRIPT_WEIGHTS = (60, 25, 15)
# Villages and towns people came from, in Armenian; other scripts are derived.
SETTLEMENTS = (
    "Ստեփանակերտ", "Մարտունի", "Ասկերան", "Մարտակերտ", "Հադրութ", "Շուշի", "Ճարտար",
    "Կարմիր Շուկա", "Իվանյան", "Խնապատ", "Սոս", "Բերդաշեն", "Թաղավարդ", "Ավետարանոց",
    "Քարինտակ", "Շոշ", "Խանաբադ", "Նախիջևանիկ", "Ծաղկաշատ", "Հաղորտի", "Մաճկալաշեն",
    "Գիշի", "Կոչողոտ", "Ննգի", "Հերհեր", "Վանք", "Դրմբոն", "Սարդարաշեն", "Մոշխմհատ",
    "Նորագյուղ", "Բալուջա", "Ամարաս", "Ղշլաղ", "Մեծ Թաղեր", "Ջրաղացներ", "Տող",
)
# Armenian names and the Russian forms registrars wrote for them.
RUSSIAN_FORMS = {
    "Հովհաննիսյան": ("Оганесян", "Ованесян", "Оганисян"),
    "Հովհաննես": ("Оганес", "Ованес"),
    "Հակոբ": ("Акоп",), "Հակոբյան": ("Акопян",),
    "Հայկ": ("Айк",), "Ղազարյան": ("Казарян", "Газарян"), "Ղազար": ("Казар", "Газар"),
}

# Ground truth ----------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    entity_id: int
    family_id: int
    relation: str
    given: str           # as the family says it: Armenian letters, or Russian for a few
    surname: str
    father: str          # the father's given name, from which the patronymic is made
    sex: str
    year: int
    month: int
    day: int
    origin: str
    russian: bool = False
    document: str = ""


@dataclass(slots=True)
class Registration:
    members: list[Person]
    phone: str
    second: bool         # a second registration of people already registered
    two_families: bool = False  # two unrelated households under one number


class FamilyMaker:
    """Extended families: a grandfather's sons, each with a household of his own."""

    def __init__(self, rng: random.Random):
        self.random = rng
        self.next_entity = 0
        self.next_family = 0

    def given(self, sex: str, russian: bool, avoid: set[str]) -> str:
        r = self.random
        source = RussianNames if russian else ArmenianNames
        pool = source.first_names_male if sex == "M" else source.first_names_female
        name = r.choice(pool)
        while name in avoid:  # parents do not give two children one name
            name = r.choice(pool)
        return name

    def person(self, family: int, relation: str, given: str, surname: str, father: str,
               sex: str, age: int, origin: str, russian: bool) -> Person:
        r = self.random
        self.next_entity += 1
        document = f"AN{r.randint(1000000, 9999999)}" if age >= 16 and r.random() < 0.6 else ""
        return Person(self.next_entity, family, relation, given, surname, father, sex,
                      YEAR - max(0, min(age, 99)), r.randint(1, 12), r.randint(1, 28),
                      origin, russian, document)

    def surname_for(self, surname: str, sex: str, russian: bool) -> str:
        """Russian surnames agree with sex (Иванов, Иванова); Armenian ones do not."""
        if russian and sex == "F" and surname in RussianNames.last_names_male:
            return RussianNames.last_names_female[RussianNames.last_names_male.index(surname)]
        return surname

    def family(self) -> list[list[Person]]:
        """Households of one extended family: the first son's holds the grandparents."""
        r = self.random
        self.next_family += 1
        fid = self.next_family
        russian = r.random() < 0.04
        surname = r.choice(RussianNames.last_names_male if russian else ArmenianNames.last_names)
        origin = r.choice(SETTLEMENTS)
        grandfather = self.given("M", russian, set())
        great_grandfather = self.given("M", russian, set())
        sons = r.choices((1, 2, 3), (50, 33, 17))[0]
        eldest = r.randint(24, 62)
        households, sons_names = [], {grandfather}
        for index in range(sons):
            age = max(20, eldest - index * r.randint(1, 6))
            head = self.given("M", russian, sons_names)
            sons_names.add(head)
            households.append(self.household(fid, surname, origin, russian, head, grandfather,
                                             age))
        if eldest < 68 and r.random() < 0.6:
            households[0] += self.grandparents(fid, surname, origin, russian, grandfather,
                                               great_grandfather, eldest)
        return households

    def household(self, fid: int, surname: str, origin: str, russian: bool, head: str,
                  grandfather: str, age: int) -> list[Person]:
        r = self.random
        members = []
        if r.random() > 0.12:  # the husband crossed; otherwise the wife heads the household
            members.append(self.person(fid, "head", head, surname, grandfather, "M", age,
                                       origin, russian))
        if r.random() < 0.85 or not members:
            wife_age = max(18, age + r.randint(-8, 3))
            members.append(self.person(fid, "spouse", self.given("F", russian, set()),
                                       self.surname_for(surname, "F", russian),
                                       self.given("M", russian, {grandfather}), "F", wife_age,
                                       origin, russian))
        members += self.children(fid, surname, origin, russian, head, grandfather, age)
        return members

    def children(self, fid: int, surname: str, origin: str, russian: bool, father: str,
                 grandfather: str, father_age: int) -> list[Person]:
        r = self.random
        count = r.choices((0, 1, 2, 3, 4, 5), (18, 22, 28, 18, 9, 5))[0]
        age = father_age - r.randint(20, 32)  # the eldest; the others 1 to 5 years apart
        kids, taken = [], {father}
        for _index in range(count):
            if age < 0:
                break
            sex = r.choice("MF")
            namesake = sex == "M" and not russian and grandfather not in taken \
                and r.random() < 0.35
            given = grandfather if namesake else self.given(sex, russian, taken)
            taken.add(given)
            kids.append(self.person(fid, "namesake_grandson" if namesake else "child", given,
                                    self.surname_for(surname, sex, russian), father, sex, age,
                                    origin, russian))
            age -= r.randint(1, 5)
        if kids and r.random() < 0.06:
            kids.append(self.twin(kids[-1], russian, taken))
        return kids

    def twin(self, sibling: Person, russian: bool, taken: set[str]) -> Person:
        """Same parents, same birth date, another given name."""
        sibling.relation = "twin"
        sex = self.random.choice("MF")
        self.next_entity += 1
        return Person(self.next_entity, sibling.family_id, "twin",
                      self.given(sex, russian, taken),
                      self.surname_for(sibling.surname if sibling.sex == "M" else
                                       _male_surname(sibling.surname), sex, russian),
                      sibling.father, sex, sibling.year, sibling.month, sibling.day,
                      sibling.origin, russian)

    def grandparents(self, fid: int, surname: str, origin: str, russian: bool,
                     grandfather: str, great_grandfather: str, son_age: int) -> list[Person]:
        r = self.random
        age = min(97, son_age + r.randint(20, 32))
        elders = []
        if r.random() < 0.7:
            elders.append(self.person(fid, "grandfather", grandfather, surname,
                                      great_grandfather, "M", age, origin, russian))
        if r.random() < 0.85:
            elders.append(self.person(fid, "grandmother", self.given("F", russian, set()),
                                      self.surname_for(surname, "F", russian),
                                      self.given("M", russian, set()), "F",
                                      age + r.randint(-6, 2), origin, russian))
        return elders


def _male_surname(surname: str) -> str:
    if surname in RussianNames.last_names_female:
        return RussianNames.last_names_male[RussianNames.last_names_female.index(surname)]
    return surname


# How desks write people ------------------------------------------------------------

@lru_cache(maxsize=100_000)
def cyrillic(text: str) -> str:
    """How a Russian-speaking desk writes an Armenian name (refuge.ops.demo's rules)."""
    if names.detect_script(text) != names.ARMENIAN:
        return text
    return _armenian_to_cyrillic()(text)


@lru_cache(maxsize=1)
def _armenian_to_cyrillic():
    # demo.py imports the models, so Django must be set up; no database is touched.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ.setdefault("REFUGE_VAR_DIR", "/tmp/bench-var-matching")
    import django

    django.setup()
    from refuge.ops.demo import armenian_to_cyrillic

    return armenian_to_cyrillic


@lru_cache(maxsize=100_000)
def latin(text: str) -> str:
    return names.to_latin(text)


def russian_form(rng: random.Random, armenian: str) -> str:
    """Оганесян or Ованесян for Հովհաննիսյան; otherwise the letter-by-letter form,
    with the doubled н and the вг of Hovh- simplified as Russian forms do."""
    if armenian in RUSSIAN_FORMS:
        return rng.choice(RUSSIAN_FORMS[armenian])
    text = cyrillic(armenian)
    if text.startswith("Овг"):
        text = rng.choice(("Ог", "Ов")) + text[3:]
    if "нн" in text and rng.random() < 0.6:
        text = text.replace("нн", "н")
    if armenian.startswith("Ղ") and rng.random() < 0.5:
        text = "К" + text[1:]
    return text


def passport_latin(rng: random.Random, armenian: str) -> str:
    """A Latin spelling as seen on passports and lists: Hovhannisyan, Hovannisian,
    Oganesyan, Ghazaryan, Gazaryan, Kazaryan, Akopian, Hakobjan."""
    roll = rng.random()
    if roll < 0.15:
        return latin(russian_form(rng, armenian))
    text = latin(armenian)
    if roll < 0.55:
        return text
    if text.endswith("yan") and rng.random() < 0.6:
        text = text[:-3] + rng.choice(("ian", "ian", "jan"))
    if text.startswith("H") and len(text) > 3 and rng.random() < 0.4:
        text = text[1].upper() + text[2:]
    if "gh" in text.lower() and rng.random() < 0.6:
        text = _replace_keep_case(text, "gh", rng.choice(("g", "k")))
    if text.startswith("Hovh") and rng.random() < 0.5:
        text = "Hov" + text[4:]
    return text


def _replace_keep_case(text: str, old: str, new: str) -> str:
    index = text.lower().find(old)
    piece = new.upper() if text[index].isupper() else new
    return text[:index] + piece + text[index + len(old):]


def name_in(rng: random.Random, name: str, script: str) -> str:
    if not name or names.detect_script(name) != names.ARMENIAN:
        return latin(name) if script == names.LATIN and name else name
    if script == names.CYRILLIC:
        return russian_form(rng, name)
    if script == names.LATIN:
        return passport_latin(rng, name)
    return name


def patronymic_in(rng: random.Random, person: Person, script: str) -> str:
    """Սամվելի, Самвелович/Самвеловна, Samveli, or the bare father's name."""
    father = person.father
    roll = rng.random()
    if person.russian:
        stem = father[:-1] + "е" if father.endswith("й") else father
        form = stem + ("вна" if person.sex == "F" else "вич") if stem.endswith("е") \
            else stem + ("овна" if person.sex == "F" else "ович")
        return latin(form) if script == names.LATIN else form
    if script == names.ARMENIAN:
        return father if roll < 0.2 else father + "ի"
    if script == names.CYRILLIC:
        stem = russian_form(rng, father)
        if roll < 0.15:
            return stem
        vowel = stem[-1] in "аеиоуэюя"
        if person.sex == "F":
            return stem + ("евна" if vowel else "овна")
        return stem + ("евич" if vowel else "ович")
    stem = passport_latin(rng, father)
    if roll < 0.4:
        return stem
    if roll < 0.8:
        return stem + "i"
    return stem + ("ovna" if person.sex == "F" else "ovich")


ALPHABETS = {
    names.ARMENIAN: "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
    names.CYRILLIC: "абвгдежзийклмнопрстуфхцчшщыэюя",
    names.LATIN: "abcdefghijklmnopqrstuvwxyz",
}


def typo(rng: random.Random, text: str, script: str) -> str:
    """One letter dropped, two swapped, or one replaced (never the first letter)."""
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + text[i + 1:]
    if kind < 0.65:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice(ALPHABETS.get(script, ALPHABETS[names.LATIN])) + text[i + 1:]


def birth_as_written(rng: random.Random, p: Person, careless: bool) -> str:
    """Exact, year-month, year only, missing, day and month swapped, a year off."""
    roll = rng.random()
    year, month, day = p.year, p.month, p.day
    if careless:
        if roll < 0.07:
            return ""
        if roll < 0.22:
            return f"{year}"
        if roll < 0.30:
            return f"{year}-{month:02d}"
        if roll < 0.35 and day <= 12:
            month, day = day, month
        elif roll < 0.40:
            year += rng.choice((-1, 1))
        elif roll < 0.43:
            day = min(28, max(1, day + rng.choice((-10, -1, 1, 10))))
    elif roll < 0.04:
        return ""
    elif roll < 0.14:
        return f"{year}"
    elif roll < 0.18:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}"


@dataclass
class Desk:
    """Where and how a registration was written: its script, and how much it slips."""

    script: str
    careless: bool
    with_contacts: bool


def row_for(rng: random.Random, p: Person, desk: Desk, household_ref: str, record_id: str,
            phone: str) -> dict:
    script = desk.script
    typo_rate = 0.12 if desk.careless else 0.02
    given = name_in(rng, p.given, script)
    family = name_in(rng, p.surname, script)
    if rng.random() < typo_rate:
        given = typo(rng, given, names.detect_script(given))
    if rng.random() < typo_rate:
        family = typo(rng, family, names.detect_script(family))
    patronymic = patronymic_in(rng, p, script) if rng.random() > (
        0.15 if desk.careless else 0.05) else ""
    origin = "" if rng.random() < (0.15 if desk.careless else 0.05) else \
        name_in(rng, p.origin, script)
    sex = "" if rng.random() < (0.08 if desk.careless else 0.02) else p.sex
    document = p.document if desk.with_contacts and p.document and rng.random() < 0.5 else ""
    return {
        "record_id": record_id, "household_ref": household_ref, "given_name": given,
        "family_name": family, "patronymic": patronymic, "sex": sex,
        "birth_date": birth_as_written(rng, p, desk.careless), "place_of_origin": origin,
        "phone": phone, "document": document,
        "entity_id": str(p.entity_id), "family_id": str(p.family_id), "relation": p.relation,
    }


# The registry ----------------------------------------------------------------------


def registrations(rng: random.Random, records: int, second_share: float,
                  joined: float = 0.0, twice: float = 0.0, merged: float = 0.0,
                  ) -> list[Registration]:
    """Households as they registered, then part of some of them again, until `records`.
    A share `joined` of the second registrations that hold part of a household also hold
    a relative from another household of the family (already registered there): a person
    who comes back with a different part of the family. A share `merged` of the first
    registrations hold two unrelated households (two families on one bus), and a share
    `twice` of all registrations hold one of their people twice (typed again by mistake)."""
    maker = FamilyMaker(rng)
    firsts: list[Registration] = []
    wanted_first = round(records / (1 + second_share))
    made = 0
    households_of: dict[int, list[list[Person]]] = {}
    while made < wanted_first:
        for members in maker.family():
            if members:
                households_of.setdefault(members[0].family_id, []).append(members)
            if not members:
                continue
            phone = f"+374{rng.choice(('77', '93', '94', '98', '99', '55', '91'))}" \
                    f"{rng.randint(100000, 999999)}" if rng.random() < 0.7 else ""
            firsts.append(Registration(members, phone, False))
            made += len(members)
    if merged:
        firsts = merge_some(rng, firsts, merged)
    seconds = []
    again = records - made
    while again > 0:
        first = rng.choice(firsts)
        members = again_registered(rng, first.members)[:again]
        others = [h for h in households_of[first.members[0].family_id] if h is not first.members]
        if joined and len(members) < len(first.members) and others and rng.random() < joined:
            members.append(rng.choice(rng.choice(others)))
        phone = first.phone if rng.random() < 0.5 else ""
        seconds.append(Registration(members, phone, True))
        again -= len(members)
    regs = firsts + seconds
    for reg in regs if twice else ():
        if rng.random() < twice:
            reg.members.insert(rng.randint(0, len(reg.members)), rng.choice(reg.members))
    return regs


def merge_some(rng: random.Random, firsts: list[Registration], share: float,
               ) -> list[Registration]:
    """A share of the registrations, each joined to the one before it (another family):
    two households registered together under one number."""
    kept: list[Registration] = []
    for reg in firsts:
        last = kept[-1] if kept else None
        if last and not last.two_families and rng.random() < share \
                and last.members[0].family_id != reg.members[0].family_id:
            kept[-1] = Registration(last.members + reg.members, last.phone, False, True)
        else:
            kept.append(reg)
    return kept


def again_registered(rng: random.Random, members: list[Person]) -> list[Person]:
    """The whole household, part of it (a family re-registering), or one person alone."""
    roll = rng.random()
    if roll < 0.35 or len(members) == 1:
        return list(members)
    if roll < 0.75:
        return rng.sample(members, rng.randint(1, len(members) - 1))
    return [rng.choice(members)]


def registry(records: int, seed: int = 1, cross_script: bool = False,
             second_share: float = 0.12, joined: float = 0.0, twice: float = 0.0,
             merged: float = 0.0) -> list[dict]:
    """`records` rows in the import CSV shape, with ground truth, in a shuffled order.

    cross_script: every second registration is written in a script other than the first,
    and no desk records phones or documents, so only names, dates and places are left.
    """
    rng = random.Random(seed)
    regs = registrations(rng, records, 0.3 if cross_script else second_share, joined,
                         twice, merged)
    scripts = desk_scripts(rng, regs, cross_script)
    order = list(range(len(regs)))
    rng.shuffle(order)
    rows: list[dict] = []
    for number, index in enumerate(order, 1):
        reg = regs[index]
        desk = Desk(scripts[index], careless=reg.second or rng.random() < 0.2,
                    with_contacts=not cross_script)
        seen: set[int] = set()
        for position, person in enumerate(reg.members):
            phone = reg.phone if position == 0 and desk.with_contacts else ""
            rows.append(row_for(rng, person, retyped(rng, desk, person.entity_id in seen),
                                f"H{number:07d}", "", phone))
            seen.add(person.entity_id)
    rng.shuffle(rows)
    for number, row in enumerate(rows, 1):
        row["record_id"] = f"R{number:07d}"
    return rows


def retyped(rng: random.Random, desk: Desk, again: bool) -> Desk:
    """The desk, or for a person typed a second time in one registration, sometimes
    (one in four) another clerk writing in another script."""
    if not again or rng.random() >= 0.25:
        return desk
    return Desk(rng.choice([s for s in SCRIPTS if s != desk.script]), desk.careless,
                desk.with_contacts)


def desk_scripts(rng: random.Random, regs: list[Registration], cross_script: bool) -> list[str]:
    """The script of each registration's desk; a second registration is usually written
    in another script than the first (always, for the cross-script set)."""
    scripts = rng.choices(SCRIPTS, DESK_SCRIPT_WEIGHTS, k=len(regs))
    first = {p.entity_id: script for reg, script in zip(regs, scripts, strict=True)
             if not reg.second for p in reg.members}
    for index, reg in enumerate(regs):
        if reg.second and (cross_script or rng.random() < 0.7):
            before = first[reg.members[0].entity_id]
            scripts[index] = rng.choice([s for s in SCRIPTS if s != before])
    return scripts


def main() -> None:
    import argparse
    import csv
    import time

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cross-script", action="store_true")
    parser.add_argument("--out", help="write a CSV here (with the truth columns)")
    args = parser.parse_args()
    started = time.monotonic()
    rows = registry(args.records, args.seed, args.cross_script)
    print(f"{len(rows):,} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)
    if args.out:
        with open(args.out, "w", newline="") as f:
            writer = csv.DictWriter(f, IMPORT_COLUMNS + TRUTH_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()

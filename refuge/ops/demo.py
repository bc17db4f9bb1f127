"""A synthetic week-long influx: posts, tallies and households with plausible people.

Names come from Faker's hy_AM and ru_RU lists, written by each desk in Armenian,
Cyrillic or Latin letters the way desks did in 2023. A share of households is
registered twice, on purpose, in another script and at another centre, so
duplicate detection has something real to find. Nothing here is a real person.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from faker.providers.person.hy_AM import Provider as ArmenianNames
from faker.providers.person.ru_RU import Provider as RussianNames

from refuge.accounts import roles
from refuge.accounts.models import Post
from refuge.lib import dates, names
from refuge.registry.counting import count_people
from refuge.registry.models import (
    Document,
    Household,
    Person,
    RegistrationEvent,
    Tally,
    document_key,
)

POSTS = [  # kind, code, and the name in English, Armenian and Russian; province
    (Post.CROSSING, "KOR", "Kornidzor crossing", "Կոռնիձորի անցակետ", "КПП Корнидзор",
     "Syunik"),
    (Post.CROSSING, "TEG", "Tegh crossing", "Տեղի անցակետ", "КПП Тех", "Syunik"),
    (Post.RECEPTION, "GOR", "Goris reception centre", "Գորիսի ընդունման կենտրոն",
     "Центр приёма в Горисе", "Syunik"),
    (Post.RECEPTION, "VAY", "Vayk reception centre", "Վայքի ընդունման կենտրոն",
     "Центр приёма в Вайке", "Vayots Dzor"),
    (Post.RECEPTION, "YER", "Yerevan reception centre", "Երևանի ընդունման կենտրոն",
     "Центр приёма в Ереване", "Yerevan"),
]
# Share of the week's crossings on each day, after the 2023 figures
# (1,050 on the first day, 22,800 and 26,600 at the peak, then tailing off).
DAILY_SHARE = [0.010, 0.119, 0.227, 0.264, 0.158, 0.139, 0.083]
SETTLEMENTS = ["Stepanakert", "Martuni", "Askeran", "Martakert", "Hadrut", "Shushi",
               "Chartar", "Karmir Shuka", "Ivanyan", "Khnapat", "Sos", "Berdashen"]
# Where households said they were going, by whether they needed a place to stay. In 2023
# about 27,400 of 100,000 arrivals were in state housing on 29 September; most others
# stayed with relatives; a few found a place of their own.
ACCOMMODATION_SHARES = {Household.NEEDS_PLACE: 27, Household.RELATIVES: 65,
                        Household.OWN_ARRANGEMENT: 8}
DESTINATIONS = {
    Household.NEEDS_PLACE: ["", "state housing", "collective centre, Vayk", "Syunik", "Kotayk"],
    Household.RELATIVES: ["relatives, Kotayk", "relatives, Yerevan", "relatives, Ararat",
                          "relatives, Armavir", "relatives, Lori", "relatives, Shirak",
                          "friends, Yerevan"],
    Household.OWN_ARRANGEMENT: ["hotel, Goris", "rented flat, Yerevan", "own flat, Abovyan"],
}
PEOPLE_PER_VEHICLE = 4.75
CROSSED_PER_REGISTERED = 1.12  # the registration backlog: more crossed than registered
DUPLICATE_SHARE = 0.03

ARMENIAN_TO_CYRILLIC = {
    "ա": "а", "բ": "б", "գ": "г", "դ": "д", "ե": "е", "զ": "з", "է": "э", "ը": "ы",
    "թ": "т", "ժ": "ж", "ի": "и", "լ": "л", "խ": "х", "ծ": "ц", "կ": "к", "հ": "г",
    "ձ": "дз", "ղ": "г", "ճ": "ч", "մ": "м", "յ": "й", "ն": "н", "շ": "ш", "ո": "о",
    "չ": "ч", "պ": "п", "ջ": "дж", "ռ": "р", "ս": "с", "վ": "в", "տ": "т", "ր": "р",
    "ց": "ц", "ւ": "в", "փ": "п", "ք": "к", "օ": "о", "ֆ": "ф", "և": "ев",
}


def armenian_to_cyrillic(text: str) -> str:
    """How a Russian-speaking desk writes an Armenian name: Հակոբյան -> Акопян."""
    out = []
    lowered = text.lower()
    i = 0
    while i < len(text):
        char, lower = text[i], lowered[i]
        nxt = lowered[i + 1] if i + 1 < len(text) else ""
        if lower == "ո" and nxt == "ւ":
            piece, i = "у", i + 2
        elif lower == "յ" and nxt == "ա" and i + 2 < len(text) and lowered[i + 2] == "ն":
            piece, i = "я", i + 2
        elif lower == "հ" and i == 0:
            piece, i = "", i + 1  # Հակոբ -> Акоп: the initial h is dropped
        elif lower == "ե" and i == 0:
            piece, i = "е", i + 1
        elif lower == "բ" and i > 0:
            piece, i = "п", i + 1  # Eastern բ after a vowel is often heard and written п
        else:
            piece, i = ARMENIAN_TO_CYRILLIC.get(lower, lower), i + 1
        out.append(piece.capitalize() if char != lower and piece else piece)
    result = "".join(out)
    return result[:1].upper() + result[1:]


@dataclass
class MemberPlan:
    given: str
    family: str
    patronymic: str
    sex: str
    born: date | None
    precision: str
    relationship: str
    needs: list[str] = field(default_factory=list)
    document: tuple[str, str] | None = None


@dataclass
class HouseholdPlan:
    members: list[MemberPlan]
    origin: str
    destination: str
    phone: str
    accommodation: str = Household.NEEDS_PLACE


class Generator:
    def __init__(self, seed: int, today: date):
        self.random = random.Random(seed)
        self.today = today

    def age(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def birth(self, age: int) -> tuple[date | None, str]:
        roll = self.random.random()
        year = self.today.year - age
        if roll < 0.03:
            return None, dates.UNKNOWN
        if roll < 0.10:
            return date(year, 7, 1), dates.ESTIMATED
        if roll < 0.25:
            return date(year, 1, 1), dates.YEAR
        if roll < 0.32:
            return date(year, self.random.randint(1, 12), 1), dates.MONTH
        return date(year, self.random.randint(1, 12), self.random.randint(1, 28)), dates.EXACT

    def male(self) -> str:
        return self.random.choice(ArmenianNames.first_names_male)

    def female(self) -> str:
        return self.random.choice(ArmenianNames.first_names_female)

    def household(self) -> HouseholdPlan:
        r = self.random
        size = r.choices([1, 2, 3, 4, 5, 6, 7, 8], [13, 19, 20, 20, 15, 8, 3, 2])[0]
        family = r.choice(ArmenianNames.last_names)
        focal_sex = "F" if r.random() < 0.58 else "M"
        focal_age = self.age(22, 70) if size > 2 else self.age(25, 92)
        focal_father = self.male()
        focal_given = self.male() if focal_sex == "M" else self.female()
        members = [self.member(focal_given, family, focal_father, focal_sex, focal_age,
                               Person.FOCAL_POINT)]
        father_of_children = focal_given if focal_sex == "M" else ""
        if size > 1 and r.random() < 0.72 and focal_age < 85:
            spouse_sex = "M" if focal_sex == "F" else "F"
            spouse_given = self.male() if spouse_sex == "M" else self.female()
            members.append(self.member(spouse_given, family, self.male(), spouse_sex,
                                       max(18, focal_age + r.randint(-6, 6)), "spouse"))
            if spouse_sex == "M":
                father_of_children = spouse_given
        father_of_children = father_of_children or self.male()
        while len(members) < size:
            roll = r.random()
            if roll < 0.22 and focal_age < 60:
                sex = r.choice("MF")
                members.append(self.member(self.male() if sex == "M" else self.female(),
                                           family, self.male(), sex,
                                           min(100, focal_age + r.randint(22, 32)), "parent"))
            elif roll < 0.4 and focal_age > 55:
                sex = r.choice("MF")
                # A grandson is often named after his grandfather.
                given = focal_given if sex == "M" and focal_sex == "M" and r.random() < 0.3 \
                    else (self.male() if sex == "M" else self.female())
                members.append(self.member(given, family, self.male(), sex,
                                           self.age(0, 16), "grandchild"))
            else:
                sex = r.choice("MF")
                child_age = max(0, min(focal_age - 18, 50) - r.randint(0, 20)) \
                    if focal_age > 40 else r.randint(0, max(0, focal_age - 18))
                members.append(self.member(self.male() if sex == "M" else self.female(),
                                           family, father_of_children, sex, child_age, "child"))
        if len(members) >= 3 and members[2].relationship == "child" and r.random() < 0.02:
            twin = members[2]
            members.append(MemberPlan(self.male() if twin.sex == "M" else self.female(), family,
                                      twin.patronymic, twin.sex, twin.born, twin.precision,
                                      "child"))
        self.add_needs(members)
        phone = f"+374{r.choice(['77', '93', '94', '98', '99', '55', '91', '96'])}" \
                f"{r.randint(100000, 999999)}" if r.random() < 0.8 else ""
        accommodation = self.accommodation()
        return HouseholdPlan(members, r.choice(SETTLEMENTS),
                             r.choice(DESTINATIONS[accommodation]), phone, accommodation)

    def accommodation(self) -> str:
        return self.random.choices(list(ACCOMMODATION_SHARES),
                                   list(ACCOMMODATION_SHARES.values()))[0]

    def member(self, given, family, father, sex, age, relationship) -> MemberPlan:
        born, precision = self.birth(age)
        if precision == dates.UNKNOWN and relationship == "child":
            born, precision = date(self.today.year - age, 7, 1), dates.ESTIMATED
        plan = MemberPlan(given, family, father, sex, born, precision, relationship)
        if age >= 16 and self.random.random() < 0.7:
            plan.document = ("passport", f"AN{self.random.randint(1000000, 9999999)}")
        elif age < 16 and self.random.random() < 0.5:
            plan.document = ("birth_certificate", f"II-ՏՄ {self.random.randint(100000, 999999)}")
        return plan

    def add_needs(self, members: list[MemberPlan]) -> None:
        r = self.random
        adults = [m for m in members if m.born and dates.age_on(m.born, self.today) >= 18]
        for m in members:
            age = dates.age_on(m.born, self.today) if m.born else 40
            if age >= 65 and r.random() < 0.25:
                m.needs.append("OP")
            if r.random() < 0.02:
                m.needs.append("DIS")
            if r.random() < 0.03:
                m.needs.append("MED")
            if m.sex == "F" and 18 <= age <= 44 and r.random() < 0.08:
                m.needs.append("PREG")
            if age < 18 and not adults and r.random() < 0.8:
                m.needs.append("UAC")
        if len(adults) == 1 and len(members) > 1 and r.random() < 0.6:
            members[0].needs.append("SP")

    def script_for_desk(self) -> str:
        return self.random.choices([names.ARMENIAN, names.CYRILLIC, names.LATIN], [60, 25, 15])[0]


def written(text: str, script: str) -> str:
    if script == names.CYRILLIC:
        return armenian_to_cyrillic(text)
    if script == names.LATIN:
        return names.to_latin(text)
    return text


def patronymic_written(father: str, sex: str, script: str) -> str:
    if script == names.CYRILLIC:
        stem = armenian_to_cyrillic(father)
        return stem + ("овна" if sex == "F" else "ович")
    if script == names.LATIN:
        return names.to_latin(father)
    return father + "ի"


def russian_household(gen: Generator) -> HouseholdPlan:
    """A family written with Russian names in Cyrillic, as some were."""
    r = gen.random
    sex = r.choice("MF")
    given = r.choice(RussianNames.first_names_male if sex == "M"
                     else RussianNames.first_names_female)
    family = r.choice(RussianNames.last_names_male if sex == "M"
                      else RussianNames.last_names_female)
    patronymic = r.choice(RussianNames.middle_names_male if sex == "M"
                          else RussianNames.middle_names_female)
    born, precision = gen.birth(gen.age(20, 80))
    member = MemberPlan(given, family, patronymic, sex, born, precision, Person.FOCAL_POINT)
    accommodation = gen.accommodation()
    return HouseholdPlan([member], r.choice(SETTLEMENTS),
                         r.choice(DESTINATIONS[accommodation]), "", accommodation)


def create_users(password_for: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """One user per role, named after the role; returns (role, username, password)."""
    User = get_user_model()
    logins = []
    for code in roles.ROLES:
        user, _created = User.objects.get_or_create(username=code)
        password = password_for(code)
        user.set_password(password)
        # The demo administrator also runs the admin site, where roles are given.
        user.is_staff = user.is_superuser = code == roles.ADMINISTRATOR
        user.save()
        user.groups.set([Group.objects.get_or_create(name=code)[0]])
        logins.append((code, code, password))
    return logins


def create_posts() -> dict[str, Post]:
    posts = {}
    for kind, code, name, name_hy, name_ru, province in POSTS:
        posts[code], _created = Post.objects.update_or_create(code=code, defaults={
            "kind": kind, "name": name, "name_hy": name_hy, "name_ru": name_ru,
            "province": province, "is_open": True})
    return posts


def week_start(now: datetime) -> datetime:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=len(DAILY_SHARE) - 1)


HOURLY_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1]


def moment_on(gen: Generator, day: datetime, now: datetime) -> datetime:
    """A time of day weighted to daylight; today, only the hours that have passed."""
    hours = range(24)
    if day.date() == timezone.localtime(now).date():
        hours = range(timezone.localtime(now).hour + 1)
    hour = gen.random.choices(hours, HOURLY_WEIGHTS[: len(hours)])[0]
    moment = day + timedelta(hours=hour, minutes=gen.random.randint(0, 59),
                             seconds=gen.random.randint(0, 59))
    return min(moment, now)


def tallies(gen: Generator, posts: dict[str, Post], people: int, now: datetime,
            user) -> Iterator[Tally]:
    crossing = [p for p in posts.values() if p.kind == Post.CROSSING]
    start = week_start(now)
    for day_index, share in enumerate(DAILY_SHARE):
        day = start + timedelta(days=day_index)
        remaining = round(people * share)
        while remaining > 0:
            if gen.random.random() < 0.03:
                aboard = gen.random.randint(20, 45)  # a bus
            else:
                aboard = gen.random.choices(range(1, 8), [8, 14, 18, 22, 20, 12, 6])[0]
            aboard = min(aboard, remaining)
            remaining -= aboard
            post = crossing[0] if gen.random.random() < 0.85 else gen.random.choice(crossing)
            yield Tally(post=post, counted_at=moment_on(gen, day, now), people_aboard=aboard,
                        vehicle_ref=f"{gen.random.randint(10, 99)} {gen.random.choice('ABCDEKLMN')}"
                        f"{gen.random.choice('ABCDEKLMN')} {gen.random.randint(100, 999)}",
                        recorded_by=user, device_id="demo")


@dataclass
class Batch:
    households: list[Household] = field(default_factory=list)
    members: list[tuple[int, list[Person], list]] = field(default_factory=list)


def households(gen: Generator, posts: dict[str, Post], target_people: int,
               now: datetime) -> Iterator[tuple[HouseholdPlan, Post, datetime, str]]:
    """Household plans with where, when and in which script they were registered."""
    reception = [p for p in posts.values() if p.kind == Post.RECEPTION]
    weights = [55, 30, 15]
    start = week_start(now)
    made = 0
    while made < target_people:
        if gen.random.random() < 0.03:
            plan = russian_household(gen)
            script = names.CYRILLIC
        else:
            plan = gen.household()
            script = gen.script_for_desk()
        day_index = gen.random.choices(range(len(DAILY_SHARE)), DAILY_SHARE)[0]
        day = start + timedelta(days=min(day_index + gen.random.choice([0, 0, 1]),
                                         len(DAILY_SHARE) - 1))
        post = gen.random.choices(reception, weights)[0]
        yield plan, post, moment_on(gen, day, now), script
        made += len(plan.members)
        if made < target_people and gen.random.random() < DUPLICATE_SHARE:
            # The same family registered again elsewhere, written another way.
            other_post = gen.random.choice([p for p in reception if p != post])
            other_script = gen.random.choice(
                [s for s in (names.ARMENIAN, names.CYRILLIC, names.LATIN) if s != script]
            )
            yield plan, other_post, moment_on(gen, day, now), other_script
            made += len(plan.members)


def person_from(plan: MemberPlan, script: str, household: Household, phone: str, origin: str,
                destination: str) -> Person:
    is_armenian = names.detect_script(plan.family) == names.ARMENIAN
    if is_armenian:
        given, family = written(plan.given, script), written(plan.family, script)
        patronymic = patronymic_written(plan.patronymic, plan.sex, script)
    else:
        given, family, patronymic = plan.given, plan.family, plan.patronymic
    person = Person(
        household=household, registered_at_id=household.registered_at_id,
        registered_on=household.registered_on, relationship=plan.relationship, given_name=given,
        family_name=family, patronymic=patronymic, sex=plan.sex, birth_date=plan.born,
        birth_precision=plan.precision, origin=origin, destination=destination,
        phone=phone if plan.relationship == Person.FOCAL_POINT else "",
        needs=",".join(plan.needs), status=Person.REGISTERED,
    )
    person.derive_search_forms()
    return person


def save_batch(rows: list[tuple[HouseholdPlan, Post, datetime, str]], user) -> int:
    """Insert one batch of households with their people, documents and events."""
    with transaction.atomic():
        made = [Household(registered_at=post, registered_on=when,
                          accommodation=plan.accommodation) for plan, post, when, _s in rows]
        for household in made:
            household.group = household.uuid
        Household.objects.bulk_create(made)
        people, plans = [], []
        for household, (plan, _post, _when, script) in zip(made, rows, strict=True):
            for member in plan.members:
                people.append(person_from(member, script, household, plan.phone, plan.origin,
                                          plan.destination))
                plans.append(member)
        Person.objects.bulk_create(people, batch_size=2000)
        count_people(people)
        if people and people[0].pk is None:
            uuids = [p.uuid for p in people]
            ids = dict(Person.objects.filter(uuid__in=uuids).values_list("uuid", "id"))
            for person in people:
                person.pk = ids[person.uuid]
        Document.objects.bulk_create(
            [Document(person=person, kind=plan.document[0], number=plan.document[1],
                      number_key=document_key(plan.document[1]))
             for person, plan in zip(people, plans, strict=True) if plan.document],
            batch_size=2000,
        )
        RegistrationEvent.objects.bulk_create(
            [RegistrationEvent(uuid=h.uuid, household=h, post=h.registered_at, desk="demo",
                               device_id="demo", user=user, at=h.registered_on,
                               body_hash="demo") for h in made],
            batch_size=2000,
        )
    return len(people)


# Apps whose rows are people's data or are worked out from it: a reset empties them all
# (users, posts, ODK credentials and the expected population stay).
CLEARED_APPS = ("registry", "matching", "shelter", "audit", "tracing", "aid")


def clear_registry() -> None:
    """Empty the registry's tables, and every table that refers to them, in one go:
    row-by-row deletes would write history for each."""
    models = [model for model in apps.get_models() if model._meta.app_label in CLEARED_APPS]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE leaves no dead rows for searches to wade through until a vacuum.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle deferred checks first
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            return
        # SQLite checks foreign keys at the commit, when every table is empty.
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")

"""Demo sites across Armenia's provinces, and households already placed in them."""

import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from refuge.registry.models import Household, Person
from refuge.shelter.models import Placement, Site

TOWNS = {  # province: towns with sites, in English, Armenian and Russian
    "Syunik": [("Goris", "Գորիս", "Горис"), ("Kapan", "Կապան", "Капан"),
               ("Sisian", "Սիսիան", "Сисиан")],
    "Vayots Dzor": [("Vayk", "Վայք", "Вайк"), ("Yeghegnadzor", "Եղեգնաձոր", "Ехегнадзор"),
                    ("Jermuk", "Ջերմուկ", "Джермук")],
    "Ararat": [("Artashat", "Արտաշատ", "Арташат"), ("Masis", "Մասիս", "Масис")],
    "Kotayk": [("Abovyan", "Աբովյան", "Абовян"), ("Hrazdan", "Հրազդան", "Раздан"),
               ("Charentsavan", "Չարենցավան", "Чаренцаван")],
    "Yerevan": [("Yerevan", "Երևան", "Ереван")],
    "Armavir": [("Armavir", "Արմավիր", "Армавир"), ("Metsamor", "Մեծամոր", "Мецамор")],
    "Lori": [("Vanadzor", "Վանաձոր", "Ванадзор")],
    "Shirak": [("Gyumri", "Գյումրի", "Гюмри")],
    "Gegharkunik": [("Sevan", "Սևան", "Севан"), ("Gavar", "Գավառ", "Гавар")],
    "Aragatsotn": [("Ashtarak", "Աշտարակ", "Аштарак")],
    "Tavush": [("Dilijan", "Դիլիջան", "Дилижан"), ("Ijevan", "Իջևան", "Иджеван")],
}
KIND_BEDS = {Site.HOTEL: (20, 120), Site.COLLECTIVE_CENTRE: (40, 300),
             Site.DORMITORY: (30, 150), Site.HOST_FAMILY: (3, 8)}
# In 2023 the state housed about 27,000 of 100,000 people; most others went to relatives.
BEDS_PER_PERSON = 0.3


def create_sites(rng: random.Random, people: int) -> list[Site]:
    target, sites = max(int(people * BEDS_PER_PERSON), 50), []
    while sum(s.beds for s in sites) < target:
        province = rng.choice(list(TOWNS))
        town, town_hy, town_ru = rng.choice(TOWNS[province])
        kind = rng.choices(list(KIND_BEDS), [3, 2, 1, 4])[0]
        low, high = KIND_BEDS[kind]
        number = len(sites) + 1
        sites.append(Site(
            name=f"{town} {kind_label(kind, 'en')} {number}",
            name_hy=f"{town_hy}, {kind_label(kind, 'hy')} {number}",
            name_ru=f"{town_ru}, {kind_label(kind, 'ru')} {number}",
            kind=kind, province=province,
            community=town, beds=rng.randint(low, high), step_free=rng.random() < 0.4,
            accessible_bathroom=rng.random() < 0.25, family_rooms=rng.randint(0, 10),
            organisation=rng.choice(["Ministry of Labour and Social Affairs", "Armenian Red "
                                     "Cross Society", "Municipality", "Private"]),
        ))
    Site.objects.bulk_create(sites, batch_size=2000)
    return list(Site.objects.all())


def kind_label(kind: str, language: str) -> str:
    with translation.override(language):
        return str(dict(Site.KINDS)[kind])


@transaction.atomic
def place_households(rng: random.Random, share_of_beds: float = 0.6) -> int:
    """Check in the earliest households that need a place until the sites are about this
    full."""
    sites = list(Site.objects.all())
    free = {site.pk: int(site.beds * share_of_beds) for site in sites}
    now = timezone.now()
    placements, placed = [], []
    households = (Household.objects.filter(accommodation=Household.NEEDS_PLACE)
                  .annotate(size=Count("members")).order_by("registered_on")
                  .values_list("pk", "size", "registered_on"))
    for household_id, size, registered_on in households.iterator(chunk_size=5000):
        candidates = [pk for pk, beds in free.items() if beds >= size]
        if not candidates:
            break
        site_id = rng.choice(candidates)
        free[site_id] -= size
        placements.append(Placement(household_id=household_id, site_id=site_id, people=size,
                                    status=Placement.CHECKED_IN, reserved_at=registered_on,
                                    checked_in_at=min(registered_on + (now - registered_on) / 8,
                                                      now)))
        placed.append(household_id)
    Placement.objects.bulk_create(placements, batch_size=5000)
    for start in range(0, len(placed), 5000):
        Person.objects.filter(household_id__in=placed[start:start + 5000]).update(
            status=Person.PLACED)
    return len(placements)

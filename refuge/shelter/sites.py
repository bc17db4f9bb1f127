"""Keeping sites: a site's fields checked, a site created once per UUID, and changed
without taking its capacity below the beds already taken."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from refuge.lib import provinces
from refuge.lib.errors import FieldError, Problems, StateConflict, shown
from refuge.registry.validation import clean_choice, clean_flag, clean_text, clean_whole_number
from refuge.shelter.models import Site

SITE_KINDS = {code for code, _label in Site.KINDS}
# The largest camp of 2023 had a few thousand beds; a hundred thousand is a typing slip.
MOST_BEDS = 100_000


def _coordinate(value, where: str, problems: Problems, limit: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.add(where, _("%(value)s is not a number") % {"value": shown(value)})
        return None
    if not -limit <= number <= limit:
        problems.add(where, _("must be between -%(limit)s and %(limit)s") % {"limit": limit})
    return number


def clean_site(data: dict, partial: bool = False) -> dict:
    """A site's fields, checked; raises Invalid naming every bad field."""
    problems = Problems()
    cleaned: dict = {}

    def given(name):
        return name in data or not partial

    for name, max_length, required in (("name", 200, True), ("name_hy", 200, False),
                                       ("name_ru", 200, False), ("province", 100, True),
                                       ("community", 100, False), ("address", 300, False),
                                       ("contact", 200, False), ("organisation", 200, False)):
        if given(name):
            value = clean_text(data.get(name), name, problems, max_length)
            if required and not value:
                problems.add(name, _("is required"))
            cleaned[name] = value
    if cleaned.get("province"):  # "Սյունիք", "AM-SU" and "Syunik" are one province
        cleaned["province"] = provinces.canonical(cleaned["province"])
    if given("kind"):
        cleaned["kind"] = clean_choice(data.get("kind"), SITE_KINDS, "kind", problems, Site.OTHER)
    if given("beds"):
        cleaned["beds"] = clean_whole_number(data.get("beds"), "beds", problems, minimum=1,
                                             maximum=MOST_BEDS)
    if given("family_rooms"):
        cleaned["family_rooms"] = clean_whole_number(data.get("family_rooms") or 0,
                                                     "family_rooms", problems,
                                                     maximum=MOST_BEDS)
    if given("latitude"):
        cleaned["latitude"] = _coordinate(data.get("latitude"), "latitude", problems, 90)
    if given("longitude"):
        cleaned["longitude"] = _coordinate(data.get("longitude"), "longitude", problems, 180)
    for name in ("step_free", "accessible_bathroom"):
        if given(name):
            cleaned[name] = clean_flag(data.get(name))
    if "is_open" in data:
        cleaned["is_open"] = clean_flag(data.get("is_open"))
    problems.raise_if_any()
    return cleaned


def create_site(data: dict, *, user) -> Site:
    """Create a site; the same UUID again, even twice at once, returns the one saved."""
    site = Site(**clean_site(data))
    if data.get("uuid"):
        site.uuid = data["uuid"]
    site._history_user = user
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        if (existing := Site.objects.filter(uuid=site.uuid).first()) is None:
            raise
        existing.created = False
        return existing
    site.created = True
    return site


@transaction.atomic
def update_site(site: Site, changes: dict, *, user) -> Site:
    cleaned = clean_site(changes, partial=True)
    site = Site.objects.select_for_update().get(pk=site.pk)
    if "beds" in cleaned and cleaned["beds"] < site.placements.beds_taken():
        raise StateConflict([FieldError("beds", _(
            "%(taken)s beds are taken: capacity cannot go below that")
            % {"taken": site.placements.beds_taken()})])
    for name, value in cleaned.items():
        setattr(site, name, value)
    site._history_user = user
    site.save()
    return site

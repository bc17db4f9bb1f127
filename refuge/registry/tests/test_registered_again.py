"""People who come to a desk again: a person linked stays in the household he belongs to,
a household registered before is never registered a second time, and someone the
registry is certain of is not saved as new without the registrar's choice."""

import re
import uuid

import pytest
from django.test import Client

from refuge.conftest import bearer, household_payload, make_household, member
from refuge.lib.errors import Invalid
from refuge.matching.models import CandidatePair
from refuge.registry import corrections, services
from refuge.registry.counting import registrations_count_check
from refuge.registry.models import Household, Person, RegistrationEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(reception, registrar) -> Household:
    """Armen, his wife and their son, registered yesterday."""
    return make_household(
        reception, registrar,
        member("Armen", "Hovhannisyan", patronymic="Grigor", sex="M", birth_date="1969-04-02",
               documents=[{"kind": "passport", "number": "AM1234567"}]),
        member("Ani", "Hovhannisyan", patronymic="Samvel", sex="F", birth_date="1972-11-30",
               relationship="spouse"),
        member("Aram", "Hovhannisyan", patronymic="Armen", sex="M", birth_date="2010-05-05",
               relationship="child"))


def person(household: Household, given: str) -> Person:
    return household.members.get(given_name=given)


def register(payload, reception, registrar, **options):
    return services.register_household(payload, user=registrar, post=reception, **options)


def test_a_focal_point_linked_again_stays_in_his_family(family, reception, registrar):
    armen = person(family, "Armen")
    payload = household_payload(
        member("Armen", "Hovhannisyan", sex="M", same_as=str(armen.uuid)),
        member("Gayane", "Petrosyan", sex="F", birth_date="1990", relationship="in_law"),
        member("Lilit", "Petrosyan", sex="F", birth_date="2015", relationship="grandchild"))
    new = register(payload, reception, registrar).household
    armen.refresh_from_db()
    family.refresh_from_db()
    assert armen.household == family and armen.relationship == "focal_point"
    assert family.members.count() == 3 and family.status == Household.ACTIVE
    # The others are a new household, with its own focal point, linked to his family.
    assert sorted(new.members.values_list("given_name", "relationship")) == [
        ("Gayane", "focal_point"), ("Lilit", "grandchild")]
    assert new.group == family.group
    assert registrations_count_check()[0] == registrations_count_check()[1]


def test_a_family_registered_again_is_not_registered_twice(family, reception, registrar):
    payload = household_payload(
        member("Armen", "Hovhannisyan", sex="M", same_as=str(person(family, "Armen").uuid)),
        member("Ani", "Hovhannisyan", sex="F", relationship="spouse",
               same_as=str(person(family, "Ani").uuid)),
        member("Aram", "Hovhannisyan", sex="M", relationship="child",
               same_as=str(person(family, "Aram").uuid)))
    households = Household.objects.count()
    with pytest.raises(services.AlreadyRegistered) as raised:
        register(payload, reception, registrar)
    assert raised.value.household == family
    assert family.registration_number in raised.value.errors[0].message
    assert Household.objects.count() == households
    family.refresh_from_db()
    assert family.members.count() == 3 and family.status == Household.ACTIVE


def test_a_family_typed_again_is_its_household_before_any_row_is_linked(
        family, reception, registrar):
    """The same three typed again in Armenian letters, nobody linked: the desk is told the
    household is registered, not asked about each row."""
    payload = household_payload(
        member("Արմեն", "Հովհաննիսյան", sex="M", birth_date="1969-04-02"),
        member("Անի", "Հովհաննիսյան", sex="F", birth_date="1972-11-30", relationship="spouse"),
        member("Արամ", "Հովհաննիսյան", sex="M", birth_date="2010-05-05", relationship="child"))
    households, people = Household.objects.count(), Person.objects.count()
    with pytest.raises(services.AlreadyRegistered) as raised:
        register(payload, reception, registrar)
    assert raised.value.household == family
    assert (Household.objects.count(), Person.objects.count()) == (households, people)
    # Declared a different person, a member no longer counts towards it.
    armen = person(family, "Armen")
    payload["members"][0]["not_same_as"] = [str(armen.uuid)]
    payload["members"][1]["not_same_as"] = [str(person(family, "Ani").uuid)]
    with pytest.raises(Invalid) as raised:
        register(payload, reception, registrar)
    assert [e.field for e in raised.value.errors] == ["members[2].same_as"]


def test_adding_to_the_household_keeps_the_people_certainly_of_it_where_they_are(
        family, reception, registrar):
    """The form's own "add the new members" (no script to link the rows): the three typed
    again stay the people they are, and only the new daughter joins."""
    payload = household_payload(
        member("Արմեն", "Հովհաննիսյան", sex="M", birth_date="1969-04-02"),
        member("Անի", "Հովհաննիսյան", sex="F", birth_date="1972-11-30", relationship="spouse"),
        member("Արամ", "Հովհաննիսյան", sex="M", birth_date="2010-05-05", relationship="child"),
        member("Նարե", "Հովհաննիսյան", sex="F", birth_date="2023-02-01", relationship="child"),
        household=str(family.uuid))
    people = Person.objects.count()
    result = register(payload, reception, registrar)
    assert result.household == family and [p.given_name for p in result.people] == ["Նարե"]
    assert Person.objects.count() == people + 1 and family.members.count() == 4
    payload = {**payload, "uuid": str(uuid.uuid4()), "members": payload["members"][:3]}
    del payload["household"]
    with pytest.raises(services.AlreadyRegistered) as raised:
        register(payload, reception, registrar)
    assert raised.value.everyone  # nobody new: the desk offers to open it, not to add


def test_one_registered_person_counts_once_towards_their_household(
        family, reception, registrar):
    """Armen typed twice by mistake beside two new people: one of four is his household's,
    so each row is asked about, and the family is not taken for his."""
    armen = member("Արմեն", "Հովհաննիսյան", sex="M", birth_date="1969-04-02")
    payload = household_payload(armen, dict(armen), member("Գայանե", "Պետրոսյան", sex="F",
                                                           birth_date="1990"),
                                member("Լիլիթ", "Պետրոսյան", sex="F", birth_date="2015"))
    with pytest.raises(Invalid) as raised:
        register(payload, reception, registrar)
    assert not isinstance(raised.value, services.AlreadyRegistered)
    assert {e.field for e in raised.value.errors} >= {"members[0].same_as"}


def test_the_new_members_are_added_to_the_household_registered_before(
        family, reception, registrar):
    payload = household_payload(
        member("Armen", "Hovhannisyan", sex="M", same_as=str(person(family, "Armen").uuid)),
        member("Ani", "Hovhannisyan", sex="F", relationship="spouse",
               same_as=str(person(family, "Ani").uuid)),
        member("Nare", "Hovhannisyan", sex="F", birth_date="2023-09-20",
               relationship="child"),
        household=str(family.uuid))
    households = Household.objects.count()
    result = register(payload, reception, registrar)
    assert (result.household, result.added) == (family, True)
    assert Household.objects.count() == households
    assert family.members.count() == 4
    assert person(family, "Nare").relationship == "child"
    event = RegistrationEvent.objects.get(uuid=payload["uuid"])
    assert (event.household, event.kind) == (family, RegistrationEvent.ADDED)
    assert person(family, "Nare").history.count() == 1
    counted, people = registrations_count_check()
    assert counted == people
    # Sent again: the same answer, nothing added twice.
    again = register(payload, reception, registrar)
    assert (again.created, again.household, family.members.count()) == (False, family, 4)


def test_a_new_focal_point_joining_a_household_takes_the_relation_the_other_way_round(
        family, reception, registrar):
    """Ani's mother comes to a desk with Ani: typed with herself first, she is Ani's
    parent, so in Armen's household she is... related through Ani: other relative."""
    payload = household_payload(
        member("Siranush", "Grigoryan", sex="F", birth_date="1945"),
        member("Armen", "Hovhannisyan", sex="M", relationship="in_law",
               same_as=str(person(family, "Armen").uuid)),
        household=str(family.uuid))
    register(payload, reception, registrar)
    assert person(family, "Siranush").relationship == "in_law"
    assert person(family, "Armen").relationship == "focal_point"


def test_adding_to_a_closed_or_unknown_household_is_refused(family, reception, registrar):
    corrections.update_household(family, {"status": Household.CLOSED}, user=registrar)
    for target in (family.uuid, uuid.uuid4()):
        payload = household_payload(member("Nare", sex="F"), household=str(target))
        with pytest.raises(Invalid) as raised:
            register(payload, reception, registrar)
        assert raised.value.errors[0].field == "household"


def test_the_same_passport_is_not_saved_as_someone_new(family, reception, registrar):
    payload = household_payload(member("Armen", "Hovhannisyan", sex="M", documents=[
        {"kind": "passport", "number": "am 1234567"}]))
    people = Person.objects.count()
    with pytest.raises(Invalid) as raised:
        register(payload, reception, registrar)
    assert raised.value.errors[0].field == "members[0].same_as"
    assert family.registration_number in raised.value.errors[0].message
    assert Person.objects.count() == people


def test_the_same_names_and_birth_date_in_another_script_need_a_choice(
        family, reception, registrar):
    payload = household_payload(member("Արմեն", "Հովհաննիսյան", patronymic="Գրիգորի", sex="M",
                                       birth_date="02.04.1969"))
    with pytest.raises(Invalid) as raised:
        register(payload, reception, registrar)
    assert raised.value.errors[0].field == "members[0].same_as"


def test_a_different_person_is_saved_and_the_decision_kept_out_of_the_review_queue(
        family, reception, registrar):
    armen = person(family, "Armen")
    payload = household_payload(member("Armen", "Hovhannisyan", patronymic="Grigor", sex="M",
                                       birth_date="1969-04-02", not_same_as=[str(armen.uuid)]))
    saved = register(payload, reception, registrar).people[0]
    pair = CandidatePair.objects.get(person_a=armen, person_b=saved)
    assert (pair.status, pair.decided_by) == (CandidatePair.REJECTED, registrar)


def test_a_likely_but_not_certain_match_is_saved_and_queued_at_once(
        family, reception, registrar):
    payload = household_payload(member("Armen", "Hovhannisyan", patronymic="Grigor", sex="M",
                                       birth_date="1969"))
    saved = register(payload, reception, registrar).people[0]
    pair = CandidatePair.objects.get(person_b=saved)
    assert (pair.person_a, pair.status) == (person(family, "Armen"), CandidatePair.OPEN)


def test_where_nobody_can_choose_a_certain_duplicate_is_saved_and_queued(
        family, reception, registrar):
    payload = household_payload(member("Armen", "Hovhannisyan", sex="M", documents=[
        {"kind": "passport", "number": "AM1234567"}]))
    saved = register(payload, reception, registrar, ask_about_duplicates=False).people[0]
    assert CandidatePair.objects.get(person_b=saved).status == CandidatePair.OPEN


def test_a_row_with_names_alone_is_never_a_certain_duplicate(family, reception, registrar):
    payload = household_payload(member("Armen", "Hovhannisyan"))
    assert register(payload, reception, registrar).created


def test_the_api_names_the_household_registered_before(family, reception, registrar):
    client = Client(**bearer(registrar))
    payload = household_payload(
        member("Armen", "Hovhannisyan", sex="M", same_as=str(person(family, "Armen").uuid)),
        member("Nare", "Hovhannisyan", sex="F", relationship="child"), post="GOR")
    refused = client.post("/api/households", payload, content_type="application/json")
    assert refused.status_code == 409
    error = refused.json()["errors"][0]
    assert (error["field"], error["household"]) == ("household", str(family.uuid))
    added = client.post("/api/households", {**payload, "household": str(family.uuid)},
                        content_type="application/json")
    assert added.status_code == 201 and added.json()["uuid"] == str(family.uuid)
    assert len(added.json()["members"]) == 4


def test_the_desk_without_javascript_offers_to_add_the_new_members(
        family, reception, registrar):
    desk = Client()
    desk.force_login(registrar)
    session = desk.session
    session["post_id"], session["desk"] = reception.pk, "1"
    session.save()
    form = {"household_uuid": str(uuid.uuid4()),
            "members-0-relationship": "focal_point", "members-0-given_name": "Armen",
            "members-0-family_name": "Hovhannisyan",
            "members-0-same_as": str(person(family, "Armen").uuid),
            "members-1-relationship": "child", "members-1-given_name": "Nare",
            "members-1-family_name": "Hovhannisyan"}
    page = desk.post("/desk/", form)
    html = page.content.decode()
    assert page.status_code == 422
    assert f"This household is already registered as {family.registration_number}" in html
    assert f"Add the new members to {family.registration_number}" in html
    assert f"/households/{family.uuid}/card/" in html
    done = desk.post("/desk/", {**form, "household": ["", str(family.uuid)]})
    assert done.status_code == 302 and str(family.uuid) in done["Location"]
    assert family.members.count() == 4
    shown = desk.get(done["Location"]).content.decode()
    assert f"1 new member added to <strong class=\"regno\">{family.registration_number}" in shown
    card = desk.get(f"/households/{family.uuid}/card/").content.decode()
    assert "<dd>4</dd>" in card


def test_the_desk_says_why_nothing_was_saved_when_the_household_is_registered(
        family, reception, registrar):
    """The walk of issue 15: refused as already registered, the desk told the registrar
    to "correct the fields marked in red", and no field was red."""
    desk = Client()
    desk.force_login(registrar)
    session = desk.session
    session["post_id"], session["desk"] = reception.pk, "1"
    session.save()
    form = {"household_uuid": str(uuid.uuid4())}
    for i, name in enumerate(("Armen", "Ani")):
        form.update({f"members-{i}-relationship": "focal_point" if i == 0 else "spouse",
                     f"members-{i}-given_name": name,
                     f"members-{i}-family_name": "Hovhannisyan",
                     f"members-{i}-same_as": str(person(family, name).uuid)})
    page = desk.post("/desk/", form)
    assert page.status_code == 422
    summary = re.search(r'<p class="error summary"[^>]*>(.*?)</p>', page.content.decode()).group(1)
    assert "fields marked in red" not in summary
    assert summary.startswith("Nothing was saved. This household is already registered as")
    assert family.registration_number in summary
    armenian = desk.post("/desk/", form, HTTP_ACCEPT_LANGUAGE="hy").content.decode()
    summary = re.search(r'<p class="error summary"[^>]*>(.*?)</p>', armenian).group(1)
    assert summary.startswith("Ոչինչ չի պահպանվել։") and summary.endswith("քարտը։")


def test_nobody_new_to_register_is_not_told_to_correct_fields_marked_in_red(
        family, reception, registrar):
    """The walk of issue 15: everyone typed linked, then "add the new members": the desk
    said there is nobody new, and also to correct fields marked in red, with none red."""
    desk = Client()
    desk.force_login(registrar)
    session = desk.session
    session["post_id"], session["desk"] = reception.pk, "1"
    session.save()
    form = {"household_uuid": str(uuid.uuid4()), "household": str(family.uuid)}
    for i, name in enumerate(("Armen", "Ani", "Aram")):
        form.update({f"members-{i}-relationship": "focal_point" if i == 0 else "child",
                     f"members-{i}-given_name": name,
                     f"members-{i}-family_name": "Hovhannisyan",
                     f"members-{i}-same_as": str(person(family, name).uuid)})
    page = desk.post("/desk/", form)
    html = page.content.decode()
    assert page.status_code == 422
    assert "nobody new to register" in html
    assert "fields marked in red" not in html
    assert Household.objects.count() == 1

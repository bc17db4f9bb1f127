"""PFIF: export as PFIF 1.4 (a file, and an Atom feed filtered by the reader's role), and
import of PFIF 1.2–1.4 files as Person Finder writes them, checked against the
specification's mandatory fields, statuses and date formats."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import call_command

from refuge.conftest import make_household, member
from refuge.registry import consent
from refuge.registry.models import PUBLICATION
from refuge.tracing import pfif, services
from refuge.tracing.models import Candidate, SoughtPerson
from refuge.tracing.tests.helpers import age_of, enquiry, sought

SAMPLES = Path(__file__).parent / "pfif"
NS = {"pfif": pfif.PFIF, "atom": pfif.ATOM}


@pytest.fixture
def found_case(personas, reception):
    make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14"))
    officer = personas["tracing_officer"]
    case = enquiry(officer, sought("Анаит", "Оганесян", sex="F", birth_date="1972-03-14"),
                   enquirer_given_name="Самвел", phone="+37477123456").sought.get()
    services.confirm(case.candidates.get(), user=officer)
    consent.record_consent(case.candidates.get().person, PUBLICATION, True, user=officer)
    return case


def test_a_found_person_who_has_not_agreed_to_publication_is_not_exported(personas,
                                                                          reception):
    make_household(reception, personas["registrar"], member(
        "Шушаник", "Арутюнян", sex="F", birth_date="1950-05-01"))
    officer = personas["tracing_officer"]
    case = enquiry(officer, sought("Շուշանիկ", "Հարությունյան", sex="F",
                                   birth_date="1950")).sought.get()
    assert str(case.uuid).encode() in pfif.export(full=False)  # sought, not found yet
    services.confirm(case.candidates.get(), user=officer)
    assert str(case.uuid).encode() not in pfif.export(full=False)


def test_the_export_is_valid_pfif_1_4_with_domain_ids(found_case, settings):
    settings.REFUGE_PFIF_DOMAIN = "refuge.test"
    version, root = pfif.parse(pfif.export(full=True))
    assert version == "1.4"
    person = root.find("pfif:person", NS)
    assert pfif.problems_of(person, "1.4") == []
    assert person.find("pfif:person_record_id", NS).text == f"refuge.test/sought.{found_case.uuid}"
    names = [child.tag.split("}")[1] for child in person if not child.tag.endswith("note")]
    assert names == [f for f in pfif.PERSON_FIELDS if f in names]  # the spec's order
    statuses = [n.find("pfif:status", NS).text for n in person.findall("pfif:note", NS)]
    assert statuses == ["information_sought", "believed_alive"]


def test_where_she_is_is_exported_only_after_her_consent(found_case, personas):
    assert b"last_known_location" not in pfif.export(full=True)
    services.record_consent(found_case, user=personas["tracing_officer"])
    assert b"last_known_location" in pfif.export(full=True)


def test_feeds_are_filtered_by_role(client, found_case, personas):
    client.force_login(personas["aid_officer"])
    partial = client.get("/tracing/pfif/feeds/person").content
    assert b"date_of_birth" not in partial and b"author_phone" not in partial
    client.force_login(personas["tracing_officer"])
    full = client.get("/tracing/pfif/feeds/person").content
    assert b"date_of_birth" in full and b"author_phone" in full
    client.force_login(personas["analyst"])
    assert client.get("/tracing/pfif/feeds/person").status_code == 403


def test_the_feed_is_read_in_entry_date_order_and_capped(client, personas):
    officer = personas["tracing_officer"]
    for hour, given in enumerate(("Aram", "Davit", "Gor"), start=8):
        enquiry(officer, sought(given, "Sargsyan"))
        SoughtPerson.objects.filter(given_name=given).update(
            entry_date=datetime(2023, 9, 26, hour, tzinfo=UTC))
    client.force_login(officer)
    root = SafeET.fromstring(client.get("/tracing/pfif/feeds/person?skip=1&max_results=500")
                             .content)
    titles = [e.find("atom:title", NS).text for e in root.findall("atom:entry", NS)]
    assert titles == ["Davit Sargsyan", "Gor Sargsyan"]
    later = SoughtPerson.objects.get(given_name="Gor").entry_date
    since = pfif.when(later)
    root = SafeET.fromstring(client.get(f"/tracing/pfif/feeds/person?min_entry_date={since}")
                             .content)
    assert len(root.findall("atom:entry", NS)) == 1


def test_a_person_finder_1_4_file_is_imported_as_clones(db, personas):
    result = pfif.import_file((SAMPLES / "person_finder_1_4.xml").read_bytes(),
                              user=personas["tracing_officer"])
    assert result.errors == []
    assert (result.persons, result.placeholders, result.links) == (3, 1, 1)
    armen = SoughtPerson.objects.get(pfif_record_id="google.org/person.4040")
    assert (armen.given_name, armen.family_name, armen.sex) == ("Armen", "Sargsyan", "M")
    assert SoughtPerson.objects.get(pfif_record_id="other.example.org/p.77").fate == "alive"
    lilit = SoughtPerson.objects.get(pfif_record_id="google.org/person.5050")
    assert lilit.given_name == "" and lilit.status == SoughtPerson.CLOSED  # expired
    link = Candidate.objects.get(kind=Candidate.SOUGHT, probability=1.0)
    assert {link.sought, link.other_sought} == {
        armen, SoughtPerson.objects.get(pfif_record_id="other.example.org/p.77")}


def test_an_older_source_date_never_overwrites_a_clone(db, personas, tmp_path):
    text = (SAMPLES / "person_finder_1_4.xml").read_text(encoding="utf-8")
    pfif.import_file(text.encode(), user=personas["tracing_officer"])
    older = text.replace("<pfif:given_name>Armen</pfif:given_name>",
                         "<pfif:given_name>Arsen</pfif:given_name>").replace(
        "2023-09-27T10:15:00Z</pfif:source_date>", "2023-09-20T10:15:00Z</pfif:source_date>")
    result = pfif.import_file(older.encode(), user=personas["tracing_officer"])
    assert result.kept_newer >= 1
    assert SoughtPerson.objects.get(pfif_record_id="google.org/person.4040").given_name == "Armen"


def test_a_pfif_1_2_file_is_read_and_its_bad_records_named(db, personas):
    result = pfif.import_file((SAMPLES / "person_finder_1_2.xml").read_bytes(),
                              user=personas["tracing_officer"])
    assert result.persons == 1
    assert result.errors == ["person haiti.example.com/person.2: no last_name"]
    gayane = SoughtPerson.objects.get(pfif_record_id="haiti.example.com/person.1")
    assert (gayane.given_name, gayane.family_name, gayane.origin) == ("Gayane", "Hakobyan",
                                                                      "Martuni")


def test_bad_statuses_and_dates_are_refused(db, personas):
    bad = (SAMPLES / "person_finder_1_4.xml").read_text(encoding="utf-8").replace(
        "information_sought", "maybe").replace("2023-09-28T08:00:00Z</pfif:source_date>",
                                               "28.09.2023</pfif:source_date>", 1)
    result = pfif.import_file(bad.encode(), user=personas["tracing_officer"])
    assert any("status maybe is not a PFIF status" in e for e in result.errors)
    assert any("source_date 28.09.2023 is not YYYY-MM-DDThh:mm:ssZ" in e for e in result.errors)


def test_export_and_import_round_trip(found_case, personas, settings, tmp_path, capsys):
    settings.REFUGE_PFIF_DOMAIN = "refuge.goris"
    out = tmp_path / "out.xml"
    call_command("pfif", "export", out=str(out), full=True)
    settings.REFUGE_PFIF_DOMAIN = "refuge.vayk"  # another Refuge reads it
    call_command("pfif", "import", str(out))
    clone = SoughtPerson.objects.get(pfif_record_id=f"refuge.goris/sought.{found_case.uuid}")
    assert (clone.given_name, clone.family_name, clone.sex) == ("Анаит", "Оганесян", "F")
    assert clone.birth_date == found_case.birth_date
    assert clone.fate == SoughtPerson.ALIVE
    assert "1 new" in capsys.readouterr().out


def test_age_is_exported_when_only_an_age_is_known(personas):
    enquiry(personas["tracing_officer"], sought("Davit", "Sargsyan", age=age_of(2015)))
    root = pfif.parse(pfif.export(full=True))[1]
    person = root.find("pfif:person", NS)
    assert person.find("pfif:age", NS) is not None
    assert person.find("pfif:date_of_birth", NS) is None

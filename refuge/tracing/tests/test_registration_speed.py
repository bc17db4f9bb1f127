"""A registration's check reads what it scores and no more, and finds the same as the
fuller reads it replaced: the people without their documents (no pair tracing scores
has a document level), the sought persons screened with only the fields scoring and
matching read."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from refuge.conftest import make_household, member
from refuge.matching import queries
from refuge.registry.models import Person
from refuge.tracing import matching
from refuge.tracing.tests.helpers import age_of, enquiry, sought

PASSPORT = [{"kind": "passport", "number": "AN1234567"}]


def test_people_are_read_as_matching_reads_them_but_for_their_documents(personas, reception):
    make_household(reception, personas["registrar"],
                   member("Ani", "Sargsyan", patronymic="Aram", sex="F", birth_date="1990-07",
                          phone="+37491234567", documents=PASSPORT),
                   member("Aram", "Sargsyan", sex="M", birth_date="1962"))
    found = queries.found_values(Person.objects.counted(), 10)
    rows, precision = matching.people_rows(found)
    expected, expected_precision = queries.rows_with_precision(found)
    assert precision == expected_precision
    assert any(row.document for row in expected)  # a document was there to leave out
    assert [row._replace(document="") for row in expected] == rows


def test_a_candidates_document_changes_no_score(personas, reception, monkeypatch):
    for year in (1989, 1990, 1991):
        make_household(reception, personas["registrar"], member(
            "Ani", "Sargsyan", sex="F", birth_date=f"{year}-07-01", documents=[
                {"kind": "passport", "number": f"AN{year}567"}]))
    request = enquiry(personas["tracing_officer"], sought(
        "Ани", "Саргсян", sex="F", age=age_of(1990))).sought.get()
    size = matching.population()
    without = matching.candidates_for(request, size)
    monkeypatch.setattr(matching, "found_people", queries.found_rows)
    with_documents = matching.candidates_for(request, size)
    assert len(without) == 3
    assert without == with_documents


def test_a_registration_check_reads_no_field_of_a_request_on_its_own(
        personas, reception, django_capture_on_commit_callbacks):
    officer = personas["tracing_officer"]
    for given, family, year in (("Гаяне", "Акопян", 1985), ("Gayane", "Hakobyan", 1985),
                                ("Арам", "Акопян", 1983)):
        enquiry(officer, sought(given, family, sex="F", age=age_of(year), origin="Stepanakert",
                                relation="sibling"))
    enquiry(personas["registrar"], sought("Գայանե", sex="F", relation="child"),
            enquirer_given_name="Armen", enquirer_family_name="Hakobyan")
    # A registered mother asking: her household's members are not her daughter.
    mother = make_household(reception, personas["registrar"], member(
        "Анаит", "Акопян", sex="F", birth_date="1960", origin="Stepanakert")).members.get()
    enquiry(officer, sought("Gayane", sex="F", age=age_of(1985), relation="child"),
            enquirer=str(mother.uuid))
    with django_capture_on_commit_callbacks():
        household = make_household(reception, personas["registrar"], member(
            "Գայանե", "Հակոբյան", sex="F", birth_date="1985-02-11"))
    with CaptureQueriesContext(connection) as captured:
        assert matching.check_people(list(household.members.all())) >= 3
    # A field MATCHED_FIELDS left out would be read for each sought person by its id.
    one_by_one = [q["sql"] for q in captured.captured_queries
                  if re.search(r'WHERE "\w+"\."id" = \d+ LIMIT 21', q["sql"])]
    assert one_by_one == []

"""A match keeps its candidates in a few statements, whatever their number: new ones
inserted together, changed scores updated together, unchanged ones not written, decided
ones left as the officer left them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from refuge.conftest import make_household, member
from refuge.tracing import matching, services
from refuge.tracing.models import Candidate
from refuge.tracing.tests.helpers import age_of, enquiry, sought

NAMESAKES = [member("Ani", "Sargsyan", sex="F", birth_date=f"{year}-01-01")
             for year in (1988, 1989, 1990, 1991, 1992)]


def writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if "tracing_candidate" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def namesakes_sought(personas, reception):
    for one in NAMESAKES:
        make_household(reception, personas["registrar"], one)
    return enquiry(personas["tracing_officer"], sought("Ani", "Sargsyan", sex="F")).sought.get()


def test_a_match_saves_five_candidates_in_one_insert(personas, reception):
    request = namesakes_sought(personas, reception)
    request.candidates.all().delete()
    with CaptureQueriesContext(connection) as captured:
        returned = matching.check_sought(request, matching.population())
    assert len(returned) == matching.KEPT_PER_SOUGHT
    assert len(writes(captured)) == 1
    assert len(captured.captured_queries) <= 12
    assert returned == list(request.candidates.all())


def test_an_unchanged_score_is_not_written_again(personas, reception):
    request = namesakes_sought(personas, reception)
    before = {c.pk: (c.probability, c.levels) for c in request.candidates.all()}
    with CaptureQueriesContext(connection) as captured:
        matching.check_sought(request, matching.population())
    assert writes(captured) == []
    assert {c.pk: (c.probability, c.levels) for c in request.candidates.all()} == before


def test_a_changed_score_is_updated_and_a_decided_one_is_not(personas, reception):
    make_household(reception, personas["registrar"],
                   member("Ani", "Sargsyan", sex="F", birth_date="1990-01-01"))
    request = enquiry(personas["tracing_officer"],
                      sought("Ani", "Sargsyan", sex="F")).sought.get()
    first = request.candidates.get()
    alone = first.probability
    services.reject(first, user=personas["tracing_officer"])
    make_household(reception, personas["registrar"],
                   member("Ani", "Sargsyan", sex="F", birth_date="1979-05-05"))
    request.candidates.filter(status=Candidate.OPEN).update(probability=0.5)
    returned = matching.check_sought(request, matching.population())
    first.refresh_from_db()
    assert first.status == Candidate.REJECTED and first.probability == alone
    second = request.candidates.get(status=Candidate.OPEN)
    assert second.probability != 0.5
    # What the check returns is what is stored, likeliest first.
    assert [(c.pk, c.probability) for c in returned] == [
        (c.pk, c.probability) for c in request.candidates.all()]


def test_a_registration_answering_three_requests_saves_them_in_one_insert(
        personas, reception, django_capture_on_commit_callbacks):
    officer = personas["tracing_officer"]
    requests = [enquiry(officer, sought(given, family, sex="F", age=age_of(1985))).sought.get()
                for given, family in (("Гаяне", "Акопян"), ("Gayane", "Hakobyan"),
                                      ("Գայանե", "Հակոբյան"))]
    with django_capture_on_commit_callbacks():
        household = make_household(reception, personas["registrar"], member(
            "Գայանե", "Հակոբյան", sex="F", birth_date="1985-02-11"))
    with CaptureQueriesContext(connection) as captured:
        assert matching.check_people(list(household.members.all())) == 3
    # Each request also has the other two as candidates (one person sought three times),
    # whose scores change with her: one insert and one update for all three.
    assert sorted(sql.split(None, 1)[0] for sql in writes(captured)) == ["INSERT", "UPDATE"]
    for one in requests:
        assert one.candidates.get(kind=Candidate.PERSON).person == household.members.get()

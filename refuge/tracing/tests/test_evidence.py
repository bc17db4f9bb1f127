"""A candidate's evidence says which fields were compared on the enquirer's own."""

from refuge.conftest import make_household, member
from refuge.matching import queries as matching_queries
from refuge.tracing import queries, scoring
from refuge.tracing.tests.helpers import age_of, enquiry, sought


def test_a_field_compared_on_the_enquirers_own_is_marked_and_weighs_less(personas, reception):
    registrar = personas["registrar"]
    daughter = make_household(reception, registrar, member(
        "Anush", "Ghandilyan", sex="F", birth_date="1992-02-01")).members.get()
    make_household(reception, registrar,
                   member("Silva", "Ghandilyan", sex="F", birth_date="1965-10-06"))
    request = enquiry(personas["tracing_officer"],
                      sought("Silva", sex="F", age=age_of(1965), relation="parent"),
                      enquirer=str(daughter.uuid))
    candidate = request.sought.get().candidates.order_by("-probability").first()
    rows = {row["field"]: row for row in queries.evidence(candidate)}
    assert rows["family"]["enquirers"]
    assert not rows["given"]["enquirers"]
    full = {row["field"]: row for row in matching_queries.evidence_rows(candidate.levels)}
    assert 0 < rows["family"]["weight"] < full["family"]["weight"]
    assert rows["family"]["weight"] == round(float(scoring.hint_weight(
        full["family"]["weight"])), 1)

"""Matching a tracing description to the registry: across scripts, with ages and missing
family names, and never taking a relative for the person sought."""

from refuge.conftest import make_household, member
from refuge.tracing import matching
from refuge.tracing.models import Candidate
from refuge.tracing.tests.helpers import age_of, enquiry, sought


def best(request):
    return request.sought.get().candidates.order_by("-probability").first()


def test_a_cyrillic_enquiry_finds_a_woman_registered_in_armenian(personas, reception):
    household = make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", patronymic="Սամվելի", sex="F", birth_date="1972-03-14"))
    request = enquiry(personas["tracing_officer"],
                      sought("Анаит", "Оганесян", sex="F", age=age_of(1972)))
    found = best(request)
    assert found.person == household.members.get()
    assert found.probability >= matching.LIKELY_FOUND


def test_a_description_without_a_family_name_still_finds_a_rare_name(personas, reception):
    household = make_household(reception, personas["registrar"], member(
        "Шушаник", "Арутюнян", patronymic="Гарегиновна", sex="F", birth_date="1950-05-01"))
    request = enquiry(personas["tracing_officer"],
                      sought("Շուշանիկ", patronymic="Գարեգինի", sex="F", age=age_of(1950)))
    found = best(request)
    assert found.person == household.members.get()


def test_a_twin_sister_is_not_taken_for_the_sought_person(personas, reception):
    make_household(reception, personas["registrar"],
                   member("Narine", "Petrosyan", sex="F", birth_date="2001-06-02",
                          patronymic="Aram", origin="Martakert"),
                   member("Lusine", "Petrosyan", sex="F", birth_date="2001-06-02",
                          patronymic="Aram", origin="Martakert", relationship="sibling"))
    request = enquiry(personas["tracing_officer"],
                      sought("Gayane", "Petrosyan", sex="F", birth_date="2001-06-02",
                             patronymic="Aram", origin="Martakert"))
    assert all(c.probability < matching.LIKELY_FOUND for c in request.sought.get().candidates.all())


def test_a_grandson_named_after_his_grandfather_is_kept_apart(personas, reception):
    household = make_household(reception, personas["registrar"],
                               member("Vardan", "Grigoryan", sex="M", birth_date="2015",
                                      origin="Askeran"))
    request = enquiry(personas["tracing_officer"],
                      sought("Вардан", "Григорян", sex="M", age=age_of(1948), origin="Askeran"))
    candidates = request.sought.get().candidates.filter(person__household=household)
    assert all(c.probability < matching.LIKELY_FOUND for c in candidates)


def test_a_person_registered_after_the_enquiry_is_found_at_once(
        personas, reception, django_capture_on_commit_callbacks):
    request = enquiry(personas["tracing_officer"],
                      sought("Гаяне", "Акопян", sex="F", age=age_of(1985)))
    assert not request.sought.get().candidates.exists()
    # Checked once the registration has committed, outside the transaction that holds
    # SQLite's one write lock (tracing/listeners.py).
    with django_capture_on_commit_callbacks() as after_commit:
        household = make_household(reception, personas["registrar"],
                                   member("Գայանե", "Հակոբյան", sex="F",
                                          birth_date="1985-02-11"))
    assert best(request) is None
    for callback in after_commit:
        callback()
    found = best(request)
    assert found.person == household.members.get()
    assert found.probability >= matching.LIKELY_FOUND
    assert Candidate.objects.queue().filter(pk=found.pk).exists()


def test_two_relatives_looking_for_each_other_are_matched(personas, reception):
    officer = personas["tracing_officer"]
    first = enquiry(officer, sought("Арам", "Мкртчян", sex="M", age=age_of(1960)),
                    enquirer_given_name="Սիրանուշ", enquirer_family_name="Մկրտչյան")
    second = enquiry(officer, sought("Siranush", "Mkrtchyan", sex="F"),
                     enquirer_given_name="Aram", enquirer_family_name="Mkrtchyan")
    kinds = {c.kind for c in second.sought.get().candidates.all()}
    assert Candidate.ENQUIRER in kinds
    assert first.sought.get().candidates.filter(kind=Candidate.ENQUIRER).exists()


def test_a_rejected_candidate_is_never_proposed_again(personas, reception):
    from refuge.tracing import services

    make_household(reception, personas["registrar"],
                   member("Ani", "Sargsyan", sex="F", birth_date="1990-01-01"))
    request = enquiry(personas["tracing_officer"], sought("Ani", "Sargsyan", sex="F"))
    candidate = best(request)
    services.reject(candidate, user=personas["tracing_officer"])
    matching.check_sought(request.sought.get())
    candidate.refresh_from_db()
    assert candidate.status == Candidate.REJECTED
    assert request.sought.get().candidates.count() == 1



def test_the_enquirers_family_name_tells_namesakes_apart(personas, reception):
    """A son asks for his mother by her given name and age alone: of two women of that
    name and age, the one with his family name and village comes first."""
    registrar = personas["registrar"]
    son = make_household(reception, registrar, member(
        "Արմեն", "Ղանդիլյան", sex="M", birth_date="1990-02-01",
        origin="Խանաբադ")).members.get()
    mother = make_household(reception, registrar, member(
        "Սիլվա", "Ղանդիլյան", sex="F", birth_date="1965-10-06",
        origin="Խանաբադ")).members.get()
    make_household(reception, registrar, member(
        "Սիլվա", "Գևորգյան", sex="F", birth_date="1965-12-03", origin="Շոշ"))
    request = enquiry(personas["tracing_officer"],
                      sought("Сильва", sex="F", age=age_of(1965), relation="parent"),
                      enquirer=str(son.uuid))
    first, *others = request.sought.get().candidates.order_by("-probability")
    assert first.person == mother
    assert all(first.probability > 2 * other.probability for other in others)
    assert first.levels["hinted"] == ["family", "place"]


def test_an_unrelated_enquirers_family_name_says_nothing(personas, reception):
    registrar = personas["registrar"]
    neighbour = make_household(reception, registrar, member(
        "Արմեն", "Ղանդիլյան", sex="M", birth_date="1990-02-01")).members.get()
    make_household(reception, registrar,
                   member("Սիլվա", "Ղանդիլյան", sex="F", birth_date="1965-10-06"))
    make_household(reception, registrar,
                   member("Սիլվա", "Գևորգյան", sex="F", birth_date="1965-12-03"))
    request = enquiry(personas["tracing_officer"],
                      sought("Сильва", sex="F", age=age_of(1965), relation="unrelated"),
                      enquirer=str(neighbour.uuid))
    first, second = request.sought.get().candidates.order_by("-probability")[:2]
    assert first.probability == second.probability
    assert "hinted" not in first.levels


def test_an_age_says_its_own_year_more_than_the_next(personas, reception):
    registrar = personas["registrar"]
    own_year = make_household(reception, registrar, member(
        "Zori", "Atayan", sex="M", birth_date="1991-08-08")).members.get()
    make_household(reception, registrar,
                   member("Zori", "Sogomonyan", sex="M", birth_date="1990-01-12"))
    request = enquiry(personas["tracing_officer"],
                      sought("Zori", sex="M", age=age_of(1991)))
    first, second = request.sought.get().candidates.order_by("-probability")[:2]
    assert first.person == own_year
    assert first.probability > second.probability


def test_a_registration_rescores_only_the_requests_its_people_may_answer(
        personas, reception, django_capture_on_commit_callbacks):
    officer = personas["tracing_officer"]
    sought_now = enquiry(officer, sought("Гаяне", sex="F", age=age_of(1985))).sought.get()
    namesake = enquiry(officer, sought("Gayane", sex="F", birth_date="1982-11-30"))
    with django_capture_on_commit_callbacks():
        household = make_household(reception, personas["registrar"],
                                   member("Գայանե", "Հակոբյան", sex="F",
                                          birth_date="1985-02-11"))
    # Both share the given name and a year within three; only the first may be her.
    assert matching.check_people(list(household.members.all())) == 1
    assert sought_now.candidates.filter(person__household=household).exists()
    assert not namesake.sought.get().candidates.exists()


def test_a_new_enquiry_checks_again_only_the_requests_it_may_answer(personas, reception):
    officer = personas["tracing_officer"]
    namesake = enquiry(officer, sought("Gayane", sex="F", birth_date="1982-11-30"))
    relative = enquiry(officer, sought("Aram", "Mkrtchyan", sex="M", age=age_of(1960)),
                       enquirer_given_name="Gayane", enquirer_family_name="Mkrtchyan")
    new = enquiry(officer, sought("Гаяне", "Мкртчян", sex="F", age=age_of(1985)))
    assert set(matching.requests_that_may_seek(new)) >= {namesake.sought.get()}
    again = matching.requests_to_check_again(new, matching.population())
    assert namesake.sought.get() not in again
    assert relative.sought.get() not in again  # she seeks Aram; the enquirer is not Aram

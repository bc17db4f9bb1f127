"""An unaccompanied or separated child registered anywhere gets a tracing case for their
parents at once, in the child's name, matched as it opens; once per child."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, member
from refuge.tracing import matching, queries
from refuge.tracing.models import Candidate, Enquiry
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db


def registered(post, user, *members, capture):
    """A household registered at a desk, with the checks run after it commits."""
    with capture(execute=True):
        household = make_household(post, user, *members)
    return household


def test_an_unaccompanied_child_gets_a_case_for_their_parents_at_registration(
        personas, reception, django_capture_on_commit_callbacks):
    child = registered(reception, personas["registrar"], member(
        "Դավիթ", "Սարգսյան", patronymic="Արամի", sex="M", birth_date="2014-06-01",
        needs=["UAC"]), capture=django_capture_on_commit_callbacks).members.get()
    case = Enquiry.objects.get(enquirer=child)
    father, mother = case.sought.order_by("id")
    assert (father.given_name, father.family_name, father.sex, father.relation) == (
        "Արամ", "Սարգսյան", "M", "parent")
    assert (mother.given_name, mother.family_name, mother.sex) == ("", "Սարգսյան", "F")


def test_the_father_registered_elsewhere_is_the_cases_candidate(
        personas, reception, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    sisian = Post.objects.create(kind=Post.RECEPTION, code="SIS", name="Sisian centre",
                                 province="Syunik")
    aram = registered(sisian, personas["registrar"], member(
        "Aram", "Sargsyan", patronymic="Hovhannes", sex="M", birth_date="1980-02-03"),
        capture=capture).members.get()
    child = registered(reception, personas["registrar"], member(
        "Давид", "Саргсян", patronymic="Арамович", sex="M", birth_date="2014-06-01",
        needs=["SC"]), capture=capture).members.get()
    father = Enquiry.objects.get(enquirer=child).sought.get(sex="M")
    best = father.candidates.order_by("-probability").first()
    assert best.kind == Candidate.PERSON and best.person == aram


def test_a_child_checked_again_gets_no_second_case(personas, reception,
                                                    django_capture_on_commit_callbacks):
    child = registered(reception, personas["registrar"], member(
        "Ani", "Petrosyan", sex="F", birth_date="2013", needs=["UAC"]),
        capture=django_capture_on_commit_callbacks).members.get()
    matching.check_people([child])  # checked in at a site, or kept by a merge
    matching.check_people([child])
    assert Enquiry.objects.filter(enquirer=child).count() == 1
    # No patronymic: the mother and the father are both sought by the family name.
    assert Enquiry.objects.get(enquirer=child).sought.count() == 2


def test_no_case_for_a_child_without_those_needs_or_without_a_name_to_seek(
        personas, reception, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    without_needs = registered(reception, personas["registrar"], member(
        "Lilit", "Avetisyan", sex="F", birth_date="2015"), capture=capture).members.get()
    no_names = registered(reception, personas["registrar"], member(
        "Narek", "", sex="M", birth_date="2012", needs=["UAC"]), capture=capture).members.get()
    assert not Enquiry.objects.filter(enquirer__in=[without_needs, no_names]).exists()


def test_the_parents_a_child_seeks_come_first_in_the_officers_lists(
        personas, reception, django_capture_on_commit_callbacks):
    officer = personas["tracing_officer"]
    older = enquiry(officer, sought("Levon", "Grigoryan", sex="M", birth_date="1970"))
    child = registered(reception, personas["registrar"], member(
        "Дарина", "Мелконян", sex="F", birth_date="2015", needs=["UAC"]),
        capture=django_capture_on_commit_callbacks).members.get()
    parents = list(Enquiry.objects.get(enquirer=child).sought.all())
    listed = list(queries.open_sought())
    assert set(listed[:2]) == set(parents) and listed[2] == older.sought.get()
    someone = child.household.members.get()
    Candidate.objects.create(sought=older.sought.get(), person=someone, probability=0.99)
    Candidate.objects.create(sought=parents[0], person=someone, probability=0.5)
    assert [c.sought for c in Candidate.objects.queue()] == [parents[0], older.sought.get()]

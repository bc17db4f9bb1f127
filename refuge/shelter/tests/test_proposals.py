"""Allocator runs on the live registry: proposals accepted, changed or rejected."""

import csv

import pytest
from django.core.management import CommandError, call_command

from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_household, member
from refuge.lib.errors import Invalid
from refuge.shelter import queries, services
from refuge.shelter.models import Placement, Proposal, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(personas):
    return personas["shelter_manager"]


def site(name, beds, province="Kotayk", **fields):
    return Site.objects.create(name=name, province=province, community=fields.pop(
        "community", ""), beds=beds, **fields)


def test_waiting_households_are_read_as_the_allocator_needs_them(reception, registrar):
    site("Abovyan centre", 10, community="Abovyan")
    make_household(reception, registrar,
                   member("Armen", birth_date="1970-01-01", destination="relatives in Abovyan",
                          needs=["DIS"]),
                   member("Hayk", birth_date="2015-03-01"))
    [waiting] = queries.households_to_allocate()
    assert (waiting.adults, waiting.children) == (1, 1)
    assert waiting.province == "Kotayk" and waiting.needs_step_free


def test_a_run_proposes_and_a_manager_accepts(reception, registrar, manager):
    hotel = site("Hotel", 6)
    household = make_household(reception, registrar, member("Armen"), member("Anahit"))
    run = services.propose_placements(user=manager)
    [proposal] = run.proposals.all()
    assert proposal.household == household and proposal.site == hotel and proposal.reasons
    placement = services.accept_proposal(proposal, user=manager)
    assert placement.status == Placement.RESERVED and placement.people == 2
    assert services.accept_proposal(proposal, user=manager) == placement  # idempotent
    proposal.refresh_from_db()
    assert proposal.status == Proposal.ACCEPTED and proposal.decided_by == manager
    assert AuditEvent.objects.filter(object_type="allocation").exists()
    assert AuditEvent.objects.filter(object_type="proposal", detail__status="accepted").exists()


def test_a_manager_can_accept_at_another_site(reception, registrar, manager):
    site("Hotel", 6)
    other = site("Dormitory", 6, province="Lori")
    make_household(reception, registrar, member("Armen"))
    proposal = services.propose_placements(user=manager).proposals.get()
    placement = services.accept_proposal(proposal, user=manager, site=other)
    assert placement.site == other
    proposal.refresh_from_db()
    assert proposal.site == other and proposal.proposed_site.name == "Hotel"


def test_a_rejected_site_is_not_proposed_again(reception, registrar, manager):
    site("Hotel", 6)
    site("Dormitory", 6)
    make_household(reception, registrar, member("Armen"))
    first = services.propose_placements(user=manager).proposals.get()
    services.reject_proposal(first, user=manager)
    second = services.propose_placements(user=manager).proposals.get()
    assert second.site != first.site
    with pytest.raises(Invalid, match="already rejected"):
        services.accept_proposal(first, user=manager)


def test_a_new_run_supersedes_undecided_proposals(reception, registrar, manager):
    site("Hotel", 6)
    make_household(reception, registrar, member("Armen"))
    first = services.propose_placements(user=manager).proposals.get()
    services.propose_placements(user=manager)
    first.refresh_from_db()
    assert first.status == Proposal.SUPERSEDED


def test_the_parts_of_a_split_household_are_reserved_together(reception, registrar, manager):
    site("Hotel", 3)
    site("Hostel", 3)
    household = make_household(reception, registrar, *[member(n) for n in
                                                       ["Armen", "Anahit", "Hayk", "Lilit"]])
    run = services.propose_placements(user=manager)
    assert [p.parts for p in run.proposals.all()] == [2, 2]
    for proposal in run.proposals.all():
        services.accept_proposal(proposal, user=manager)
    assert Placement.objects.holding_beds().filter(household=household).beds_taken() == 4


def test_a_proposal_for_beds_taken_meanwhile_is_refused(reception, registrar, manager):
    hotel = site("Hotel", 2)
    make_household(reception, registrar, member("Armen"), member("Anahit"))
    proposal = services.propose_placements(user=manager).proposals.get()
    services.place(make_household(reception, registrar, member("Karen"), member("Nare")), hotel,
                   user=manager)
    with pytest.raises(Exception, match="free beds"):
        services.accept_proposal(proposal, user=manager)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.PROPOSED


def test_no_free_beds_is_a_clear_error_and_saves_nothing(reception, registrar, manager):
    site("Closed", 6, is_open=False)
    make_household(reception, registrar, member("Armen"))
    with pytest.raises(Invalid, match="no open site has a free bed"):
        services.propose_placements(user=manager)
    assert not Proposal.objects.exists()


def test_the_api_runs_accepts_and_rejects(client, reception, registrar, manager):
    site("Hotel", 6)
    site("Hostel", 6)
    make_household(reception, registrar, member("Armen"))
    make_household(reception, registrar, member("Karen"))
    client.defaults.update(bearer(manager))
    run = client.post("/api/shelter/allocations", {"uuid": "5c1b3a52-8d5e-4c1e-9f3a-0d6f5b0a0001"},
                      content_type="application/json")
    assert run.status_code == 201 and run.json()["proposals"] == 2
    again = client.post("/api/shelter/allocations",
                        {"uuid": "5c1b3a52-8d5e-4c1e-9f3a-0d6f5b0a0001"},
                        content_type="application/json")
    assert again.status_code == 200 and Proposal.objects.count() == 2
    items = client.get("/api/shelter/proposals").json()["items"]
    accepted = client.post(f"/api/shelter/proposals/{items[0]['uuid']}/accept", {},
                           content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "reserved"
    rejected = client.post(f"/api/shelter/proposals/{items[1]['uuid']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    refused = client.post(f"/api/shelter/proposals/{items[1]['uuid']}/accept", {},
                          content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "status"


def test_the_api_says_when_there_is_nothing_to_allocate(client, manager):
    client.defaults.update(bearer(manager))
    response = client.post("/api/shelter/allocations", {}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sites"


def test_the_page_runs_the_allocator_and_accepts_a_proposal(client, reception, registrar,
                                                            manager):
    site("Hotel", 6)
    household = make_household(reception, registrar, member("Armen"))
    client.force_login(manager)
    response = client.post("/shelter/allocation/run/", follow=True)
    assert "1 proposal in" in response.content.decode()  # not "1 proposals"
    assert household.registration_number in response.content.decode()
    proposal = Proposal.objects.get()
    response = client.post(f"/shelter/proposals/{proposal.uuid}/accept/", follow=True)
    assert "beds reserved at Hotel until" in response.content.decode()
    assert Placement.objects.filter(household=household).exists()


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_refuge_allocate_plans_on_files(tmp_path, capsys):
    write(tmp_path / "sites.csv", [["site_ref", "name", "province", "beds", "taken", "step_free"],
                                   ["G", "Goris hotel", "Syunik", "10", "8", "no"],
                                   ["K", "Abovyan centre", "Kotayk", "6", "0", "yes"]])
    write(tmp_path / "households.csv", [["household_ref", "adults", "children", "needs",
                                         "province", "note"],
                                        ["A", "2", "2", "", "Kotayk", "ignored"],
                                        ["B", "1", "0", "DIS", "Syunik", ""],
                                        ["C", "2", "0", "", "", ""]])
    call_command("allocate", sites=tmp_path / "sites.csv",
                 households=tmp_path / "households.csv", out=tmp_path / "plan.csv")
    with open(tmp_path / "plan.csv", encoding="utf-8") as f:
        plan = {row["household_ref"]: row for row in csv.DictReader(f)}
    assert plan["A"]["site_ref"] == "K" and plan["B"]["site_ref"] == "K"
    assert plan["C"]["site_ref"] == "G"
    assert "Planned 3 of 3 households (7 people)" in capsys.readouterr().out


def test_refuge_allocate_reports_bad_rows_and_plans_nothing(tmp_path, capsys):
    write(tmp_path / "sites.csv", [["name", "province", "beds"], ["Hotel", "Lori", "-3"]])
    write(tmp_path / "households.csv", [["household_ref", "adults"], ["A", "two"]])
    with pytest.raises(CommandError, match="1 problem"):
        call_command("allocate", sites=tmp_path / "sites.csv",
                     households=tmp_path / "households.csv", out=tmp_path / "plan.csv")
    assert "line 2: beds must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "plan.csv").exists()
    write(tmp_path / "sites.csv", [["name", "province"], ["Hotel", "Lori"]])
    with pytest.raises(CommandError):
        call_command("allocate", sites=tmp_path / "sites.csv",
                     households=tmp_path / "households.csv", out=tmp_path / "plan.csv")
    assert "no column beds" in capsys.readouterr().err

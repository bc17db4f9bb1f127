"""The whole-registry search, the review queue, merge and unmerge with history, the desk's
check and link, and the people import."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import household_payload, make_household, member, queued_pair
from refuge.lib.errors import Invalid
from refuge.matching import queries, services
from refuge.matching.models import CandidatePair, HouseholdMatch
from refuge.registry import corrections
from refuge.registry import services as registry
from refuge.registry.counting import registrations_count_check
from refuge.registry.models import Person
from refuge.registry.tests.test_offline_queue import send_household, signed_in


@pytest.fixture
def twice(reception, registrar):
    """A family registered in Armenian, then again in Russian at another desk."""
    first = make_household(reception, registrar,
                           member("Հայկ", "Հովհաննիսյան", patronymic="Սամվելի", sex="M",
                                  birth_date="1980-03-14", phone="+37477123456"),
                           member("Անի", "Հովհաննիսյան", patronymic="Արմենի", sex="F",
                                  birth_date="1982-07-01", relationship="spouse"))
    again = make_household(reception, registrar,
                           member("Айк", "Оганесян", patronymic="Самвелович", sex="M",
                                  birth_date="1980-03-14",
                                  documents=[{"kind": "passport", "number": "AN1234567"}]),
                           member("Ани", "Оганесян", patronymic="Арменовна", sex="F",
                                  birth_date="1982-07-01", relationship="spouse"))
    return first, again


def test_dedupe_queues_the_people_registered_twice_and_proposes_a_household_link(twice):
    result = services.dedupe()
    assert result.people == 4 and result.queued == 2
    pairs = list(queries.review_queue())
    assert {(p.person_a.household_id, p.person_b.household_id) for p in pairs} == {
        (twice[0].pk, twice[1].pk)}
    assert all(p.probability >= 0.9 for p in pairs)
    match = HouseholdMatch.objects.get()
    assert match.people == 2


def test_merge_and_unmerge_keep_both_records_and_the_figures_exact(twice, registrar):
    services.dedupe()
    pair = CandidatePair.objects.get(person_a__given_name="Հայկ")
    merge = services.merge_pair(pair, user=registrar)
    kept, merged = Person.objects.get(pk=pair.person_a_id), Person.objects.get(pk=pair.person_b_id)
    assert merged.status == Person.MERGED
    assert kept.documents.get().number == "AN1234567"
    assert registrations_count_check() == (3, 3)
    assert merged.history.first().status == Person.MERGED
    assert services.merge_pair(pair, user=registrar) == merge  # a retry changes nothing
    assert kept.documents.count() == 1

    services.unmerge(merge, user=registrar)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.status == Person.REGISTERED
    assert merged.documents.get().number == "AN1234567"
    assert not kept.documents.exists()
    assert registrations_count_check() == (4, 4)
    assert CandidatePair.objects.get(pk=pair.pk).status == CandidatePair.OPEN


def test_the_person_pages_say_which_record_was_merged_into_which(twice, registrar):
    services.dedupe()
    pair = CandidatePair.objects.get(person_a__given_name="Հայկ")
    merge = services.merge_pair(pair, user=registrar)
    client = Client()
    client.force_login(registrar)
    merged_page = client.get(f"/people/{merge.merged.uuid}/").content.decode()
    assert 'data-testid="merged-into"' in merged_page
    assert f"/people/{merge.kept.uuid}/" in merged_page
    assert f"/duplicates/merges/{merge.uuid}/undo/" in merged_page
    kept_page = client.get(f"/people/{merge.kept.uuid}/").content.decode()
    assert "Records merged into this one" in kept_page
    assert f"/people/{merge.merged.uuid}/" in kept_page

    with pytest.raises(Invalid) as refused:  # only the review merges and unmerges
        corrections.update_person(merge.merged, {"status": Person.REGISTERED}, user=registrar)
    assert refused.value.errors[0].field == "status"

    services.unmerge(merge, user=registrar)
    assert 'data-testid="merged-into"' not in client.get(
        f"/people/{merge.merged.uuid}/").content.decode()


def test_a_rejected_pair_is_never_proposed_again(twice, registrar):
    services.dedupe()
    pair = queries.review_queue().first()
    services.reject_pair(pair, user=registrar)
    services.dedupe()
    assert CandidatePair.objects.get(pk=pair.pk).status == CandidatePair.REJECTED
    assert pair.pk not in {p.pk for p in queries.review_queue()}


def test_a_skipped_pair_goes_to_the_back(twice, registrar):
    services.dedupe()
    first = queries.review_queue().first()
    services.skip_pair(first, user=registrar)
    assert list(queries.review_queue())[-1].pk == first.pk


def test_linking_the_households_puts_them_in_one_group(twice, registrar):
    services.dedupe()
    services.decide_household_match(HouseholdMatch.objects.get(), link=True, user=registrar)
    first, again = (h.__class__.objects.get(pk=h.pk) for h in twice)
    assert first.group == again.group


def test_the_desk_check_finds_a_registered_person_in_another_script(twice, registrar):
    client = Client()
    client.force_login(registrar)
    response = client.post("/api/matching/check", {"members": [
        {"given_name": "Hayk", "family_name": "Hovhannisyan", "patronymic": "Samveli",
         "birth_date": "1980-03-14", "sex": "M"}]}, content_type="application/json")
    assert response.status_code == 200
    matches = response.json()["members"][0]
    assert matches and matches[0]["probability"] >= 0.9
    assert {e["field"] for e in matches[0]["evidence"]} >= {"given", "family", "birth"}


def test_dedupe_keeps_the_registry_s_frequencies_for_the_desk(twice, monkeypatch):
    services.dedupe()
    model = queries.current_model()
    assert model.frequencies["size"] == 4
    used = []
    original = queries.Records

    def recording(rows, frequencies=None):
        used.append(frequencies)
        return original(rows, frequencies)

    monkeypatch.setattr(queries, "Records", recording)
    queries.desk_matches([{"given_name": "Hayk", "family_name": "Hovhannisyan",
                           "birth_date": "1980-03-14"}])
    assert used and used[0].size == 4


def test_the_desk_reads_candidates_as_matching_reads_the_registry(twice):
    typed = [queries._typed_row(0, {"given_name": "Hayk", "family_name": "Hovhannisyan",
                                    "patronymic": "Samveli", "phone": "+37477123456"})]
    found, values_of = queries._candidates(typed, None)
    assert found[0]
    read = {row.record_id: row for row in queries._with_documents(
        [values_of[pk] for pk in found[0]])}
    expected = {row.record_id: row for row in queries.record_rows(
        Person.objects.filter(pk__in=found[0]))}
    assert read == expected


def test_the_desk_check_reads_a_russian_g_as_the_armenian_h(reception, registrar):
    make_household(reception, registrar,
                   member("Վահան", "Գրիգորյան", sex="M", birth_date="1975-05-02"))
    typed = [{"given_name": "Ваган", "family_name": "Григорян", "sex": "M",
              "birth_date": "1975-05-02"}]
    matches = queries.desk_matches(typed)[0]
    assert [m.person.given_name for m in matches] == ["Վահան"]
    assert matches[0].probability >= 0.9


def test_a_member_linked_at_the_desk_stays_in_the_household_he_belongs_to(
        twice, reception, registrar):
    hayk = twice[0].members.get(given_name="Հայկ")
    payload = household_payload(member("Gohar", "Hovhannisyan", sex="F"),
                                member("Hayk", "Hovhannisyan", relationship="spouse",
                                       same_as=str(hayk.uuid)),
                                member("Lilit", "Hovhannisyan", relationship="child"))
    before = Person.objects.count()
    household = registry.register_household(payload, user=registrar, post=reception).household
    assert Person.objects.count() == before + 2
    hayk.refresh_from_db()
    assert hayk.household == twice[0] and hayk.relationship == "focal_point"
    assert household.members.count() == 2 and household.group == twice[0].group
    assert registry.register_household(payload, user=registrar, post=reception).created is False


def test_linking_to_an_unknown_person_names_the_field(reception, registrar):
    payload = household_payload(member("Gohar", same_as=str(uuid.uuid4())))
    with pytest.raises(registry.Invalid) as raised:
        registry.register_household(payload, user=registrar, post=reception)
    assert raised.value.errors[0].field == "members[0].same_as"


CSV = """\
record_id,household_ref,given_name,family_name,patronymic,sex,birth_date,place_of_origin,extra
r1,h1,Armen,Grigoryan,Suren,M,1970-01-10,Shushi,ignored
r2,h1,Lusine,Grigoryan,Ashot,F,1974-02,Shushi,
r3,h2,Армен,Григорян,Суренович,M,1970-01-10,Шуши,
r4,h2,,,,F,1980,,
r5,h3,Nare,Petrosyan,,X,1980,,
r6,h3,Nare,Petrosyan,,F,31.12.1980,,
r7,,Lilit,Avagyan,,F,,,
"""


def test_import_reports_bad_rows_by_line_keeps_good_ones_and_adds_nothing_twice(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_people", str(path), skip_bad_rows=True, stdout=out, stderr=err)
    problems = err.getvalue()
    assert "line 5: given_name a person needs a given name or a family name" in problems
    assert "line 6: sex must be F, M or empty" in problems
    assert "line 7: birth_date 31.12.1980 is not YYYY, YYYY-MM or YYYY-MM-DD" in problems
    assert Person.objects.count() == 4
    assert Person.objects.get(record_id="r2").household == Person.objects.get(
        record_id="r1").household
    assert "4 people in 3 new households" in out.getvalue()
    call_command("import_people", str(path), skip_bad_rows=True, stdout=StringIO(),
                 stderr=StringIO())
    assert Person.objects.count() == 4


def test_duplicates_exports_pairs_and_clusters_with_record_ids(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_people", str(path), skip_bad_rows=True, stdout=StringIO(),
                 stderr=StringIO())
    with pytest.raises(CommandError, match="run `refuge dedupe` first"):
        call_command("duplicates", export=str(tmp_path / "pairs.csv"))
    call_command("dedupe", stdout=StringIO())
    call_command("duplicates", export=str(tmp_path / "pairs.csv"),
                 clusters=str(tmp_path / "clusters.csv"), stdout=StringIO())
    pairs = (tmp_path / "pairs.csv").read_text().splitlines()
    assert pairs[0] == "record_id_a,record_id_b,probability"
    assert pairs[1].startswith("r1,r3,")
    clusters = dict(line.split(",") for line in (tmp_path / "clusters.csv").read_text()
                    .splitlines()[1:])
    assert set(clusters) == {"r1", "r2", "r3", "r7"}
    assert clusters["r1"] == clusters["r3"] != clusters["r2"]


def test_a_merge_that_fills_the_birth_date_and_needs_keeps_every_figure_exact(
        reception, registrar):
    from refuge.registry import counting
    from refuge.registry.models import RegistrationFigure

    def figures():
        return set(RegistrationFigure.objects.filter(people__gt=0).values_list(
            "hour", "post_id", "sex", "age_band", "need", "people"))

    kept = make_household(reception, registrar, member("Gohar", sex="F")).members.get()
    later = make_household(reception, registrar, member(
        "Gohar", sex="F", birth_date="1940-05-05", needs=["OP"])).members.get()
    pair = queued_pair(kept, later, probability=0.95,
                       levels={"given": 3, "family": 3})
    merge = services.merge_pair(pair, user=registrar)
    kept.refresh_from_db()
    assert kept.birth_date.year == 1940 and kept.need_codes == ["OP"]
    after_merge = figures()
    counting.recount()
    assert after_merge == figures()

    services.unmerge(merge, user=registrar)
    after_unmerge = figures()
    counting.recount()
    assert after_unmerge == figures()


def _desk_form(**member_fields) -> dict:
    fields = {"relationship": "focal_point", "sex": "M", **member_fields}
    return {"household_uuid": str(uuid.uuid4()),
            **{f"members-0-{name}": value for name, value in fields.items()}}


def _desk_client(registrar, reception) -> Client:
    desk = Client()
    desk.force_login(registrar)
    session = desk.session
    session["post_id"], session["desk"] = reception.pk, "3"
    session.save()
    return desk


def test_every_possible_duplicate_is_queued_for_review_at_once(twice, registrar, reception):
    desk = _desk_client(registrar, reception)
    queue = signed_in(registrar, reception)  # the desk's offline queue, through the API
    form = _desk_form(given_name="Hayk", family_name="Hovhannisyan", patronymic="Samveli",
                      birth_date="1980")
    assert send_household(queue, form, reception).status_code == 201
    arrived = Person.objects.get(given_name="Hayk")
    queued = CandidatePair.objects.filter(person_b=arrived)
    assert {p.person_a.given_name for p in queued} == {"Հայկ", "Айк"}
    assert all(p.probability >= 0.5 and p.status == CandidatePair.OPEN for p in queued)
    send_household(queue, form, reception)  # sent twice: nothing queued twice
    assert CandidatePair.objects.filter(person_b=arrived).count() == 2
    # At the desk, online, the registrar saw the warning and saved anyway: queued at once,
    # without waiting for `refuge dedupe`.
    desk.post("/desk/", _desk_form(given_name="Hayk", family_name="Hovhannisyan",
                                   birth_date="1980"))
    online = Person.objects.exclude(pk=arrived.pk).get(given_name="Hayk")
    assert CandidatePair.objects.filter(person_b=online, status=CandidatePair.OPEN).exists()


def test_a_certain_duplicate_from_an_offline_queue_is_sent_back_to_the_registrar(
        twice, registrar, reception):
    queue = signed_in(registrar, reception)
    form = _desk_form(given_name="Hayk", family_name="Hovhannisyan", patronymic="Samveli",
                      birth_date="1980-03-14")
    refused = send_household(queue, form, reception)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "members[0].same_as"
    assert not Person.objects.filter(given_name="Hayk").exists()


def test_household_links_over_the_api_are_idempotent(twice, registrar):
    services.dedupe()
    client = Client()
    client.force_login(registrar)
    listed = client.get("/api/matching/households").json()["items"]
    assert len(listed) == 1 and listed[0]["people"] == 2
    link = f"/api/matching/households/{listed[0]['uuid']}/link"
    first, again = client.post(link), client.post(link)
    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "linked"
    refused = client.post(f"/api/matching/households/{listed[0]['uuid']}/reject")
    assert refused.status_code in (400, 409, 422)
    assert "match" in refused.content.decode()
    twice[0].refresh_from_db(), twice[1].refresh_from_db()
    assert twice[0].group == twice[1].group


def test_a_passport_both_records_hold_is_listed_once_after_a_merge(reception, registrar):
    passport = [{"kind": "passport", "number": "AN7654321"}]
    first = make_household(reception, registrar, member("Գարեգին", "Խաչենց", sex="M",
                                                        birth_date="1996-11-07",
                                                        documents=passport)).members.get()
    again = make_household(reception, registrar, member("Garegin", "Khachents", sex="M",
                                                        birth_date="1996-11-07",
                                                        documents=passport)).members.get()
    pair = queued_pair(first, again, probability=0.99,
                       levels={"given": 3, "family": 3, "document": 1})
    merge = services.merge_pair(pair, user=registrar)
    assert [d.number for d in first.documents.all()] == ["AN7654321"]
    services.unmerge(merge, user=registrar)
    assert first.documents.count() == again.documents.count() == 1


def test_recent_merges_show_no_name_and_are_logged_as_seen(twice, registrar):
    services.dedupe()
    pair = CandidatePair.objects.get(person_a__given_name="Հայկ")
    merge = services.merge_pair(pair, user=registrar)
    client = Client()
    client.force_login(registrar)
    page = client.get("/duplicates/households/").content.decode()
    assert "Recent merges" in page
    assert merge.kept.household.registration_number in page
    assert merge.kept.full_name not in page and "Հովհաննիսյան" not in page
    assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_uuid=merge.kept.uuid,
                                     detail__via="recent merges").exists()

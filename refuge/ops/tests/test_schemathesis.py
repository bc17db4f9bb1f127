"""Schemathesis against the live server's /api/openapi.json, as an administrator and as a
registrar, bounded in time: no request, however odd, is answered with a server error, and
every answer is one the schema documents (its status, content type, headers and body).

A partner's client is generated from this schema: an undocumented status or a body that
does not match is a client that breaks in the field."""

import time
from collections import Counter

import pytest

from refuge.conftest import make_household, member, token_for

pytestmark = [pytest.mark.api_fuzz, pytest.mark.django_db(transaction=True)]

SECONDS = 240  # a bound, not the budget: about a minute on 2 cores, double that when loaded
EXAMPLES = 2  # per operation, caller and path parameters (generated, or seeded records)


def seeded(personas, reception, crossing) -> dict:
    """A record of each kind the API's paths name, so that the probe reaches the answers
    about real records (their bodies, their 409s) and not only 404s; by the path segment
    before the parameter, or by the parameter's own name."""
    from refuge.aid import eligibility, payments
    from refuge.aid import services as aid
    from refuge.aid.tests.helpers import make_programme
    from refuge.forecast import services as forecast
    from refuge.matching import services as matching
    from refuge.matching.models import CandidatePair, HouseholdMatch
    from refuge.registry.models import Tally
    from refuge.shelter import services as shelter
    from refuge.shelter.models import Proposal, Site
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate
    from refuge.tracing.tests.helpers import enquiry, sought

    admin = personas["administrator"]

    def household(given: str, family: str, **fields):
        return make_household(reception, admin, member(given, family, **fields))

    first = make_household(reception, admin, member("Հայկ", "Հովհաննիսյան", sex="M",
                                                    birth_date="1980-03-14"),
                           member("Անի", "Հովհաննիսյան", sex="F", birth_date="1982-07-01",
                                  relationship="spouse"))
    again = make_household(reception, admin,
                           member("Айк", "Оганесян", sex="M", birth_date="1980-03-14"),
                           member("Ани", "Оганесян", sex="F", birth_date="1982-07-01",
                                  relationship="spouse"))
    waiting = household("Armen", "Petrosyan", sex="M", birth_date="1990")
    # Records of their own for the acts that change them, so an act done before (a
    # check-out, a link, a move) does not leave the next one only a 422 to answer.
    moved, linked, other = (household(given, "Grigoryan", sex="F", birth_date=year)
                            for given, year in (("Lilit", "1995"), ("Nare", "1970"),
                                                ("Siranush", "1950")))
    matching.dedupe()
    pairs = CandidatePair.objects.order_by("pk")
    merge = matching.merge_pair(pairs.last(), user=admin)
    # A second family registered twice, for the rejections: the first pair and household
    # match are merged and linked by the operations before them.
    decided = set(pairs.values_list("pk", flat=True))
    for given, family in (("Գոհար", "Մկրտչյան"), ("Гоар", "Мкртчян")):
        make_household(reception, admin, member(given, family, sex="F", birth_date="1975-09-02"),
                       member("Տիգրան" if family[0] == "Մ" else "Тигран", family, sex="M",
                              birth_date="1973-01-20", relationship="spouse"))
    matching.dedupe()
    to_reject = pairs.exclude(pk__in=decided).first()
    match_to_reject = HouseholdMatch.objects.order_by("pk").last()
    site = Site.objects.create(name="School 4", province="Syunik", beds=40)
    other_site = Site.objects.create(name="School 5", province="Syunik", beds=40)
    placement = shelter.reserve(first, site, user=admin)
    to_move = shelter.reserve(other, site, user=admin)
    run = shelter.propose_placements(user=admin, time_limit=2)
    proposals = run.proposals.order_by("pk")
    # For the proposals accepted and rejected, households no other operation places, and
    # proposals of no run (as a reunion's): the allocation run the probe makes supersedes
    # every run's proposals still open.
    accepting, rejecting = (household(given, "Avetisyan", sex="F", birth_date="1988")
                            for given in ("Karine", "Lusine"))
    undecided = {h: Proposal.objects.create(household=h, site=other_site,
                                            proposed_site=other_site, adults=1, children=0)
                 for h in (accepting, rejecting)}
    programme = make_programme(admin)
    eligibility.generate(programme.rounds.get(number=1))
    paying = make_programme(admin, name="Winter support")  # approved: its list is a file
    eligibility.generate(paying.rounds.get(number=1))
    aid.approve(paying.rounds.get(number=1), user=admin)
    payments.payment_list_csv(paying.rounds.get(number=1))  # its payments, sent
    kits = make_programme(admin, name="Blankets", kind="in_kind", unit="kit", per_person=1)
    eligibility.generate(kits.rounds.get(number=1))
    aid.approve(kits.rounds.get(number=1), user=admin)
    officer = personas["tracing_officer"]
    case = enquiry(officer, sought("Armen", "Petrosyan", age=36))
    # A found child (the exception), and a found wife whose husband asked (reunification).
    aram = household("Արամ", "Սահակյան", sex="M", birth_date="2016-05-01",
                     needs=["UAC"]).members.get()
    child_case = enquiry(officer, sought("Aram", "Sahakyan", sex="M", birth_date="2016-05-01"))
    samvel = household("Samvel", "Hakobyan", sex="M", birth_date="1970-05-02").members.get()
    nune = household("Nune", "Hakobyan", sex="F", birth_date="1972-03-14").members.get()
    wife_case = enquiry(officer, sought("Nune", "Hakobyan", sex="F", birth_date="1972-03-14"),
                        enquirer=str(samvel.uuid))
    for found, person in ((child_case, aram), (wife_case, nune)):
        tracing.confirm(Candidate.objects.update_or_create(
            sought=found.sought.get(), person=person, defaults={"probability": 0.9})[0],
            user=officer)
    tally = Tally.objects.create(post=reception, people_aboard=3, recorded_by=admin)
    Tally.objects.create(post=crossing, people_aboard=40, recorded_by=admin)
    forecast.set_expected({"likely": 5000}, user=admin)  # so GET /api/forecast has one
    return {
        "households": linked.uuid, "people": moved.members.get().uuid,
        "number": first.registration_number, "registration_number": waiting.registration_number,
        "tallies": tally.uuid, "sites": site.uuid, "placements": placement.uuid,
        "allocations": run.uuid, "proposals": proposals.first().uuid,
        "pairs": pairs.first().uuid, "merges": merge.uuid,
        "matching/households": HouseholdMatch.objects.first().uuid,
        "programmes": programme.uuid, "cycles": 1,
        "code": reception.code, "purpose": "tracing", "enquiries": case.uuid,
        "sought": case.sought.first().uuid,
        "candidates": getattr(case.sought.first().candidates.first(), "uuid", None),
        # by the operation's whole path, before the rules above
        "/api/shelter/placements/{uuid}/move": {"uuid": to_move.uuid},
            "/api/aid/payment-lists/{programme}/{cycle}": {"programme": paying.uuid, "cycle": 1},
        "/api/aid/payment-lists/{programme}/{cycle}/results": {"programme": paying.uuid,
                                                               "cycle": 1},
        "/api/shelter/proposals/{uuid}/accept": {"uuid": undecided[accepting].uuid},
        "/api/shelter/proposals/{uuid}/reject": {"uuid": undecided[rejecting].uuid},
        "/api/matching/pairs/{uuid}/reject": {"uuid": to_reject.uuid},
        "/api/matching/households/{uuid}/reject": {"uuid": match_to_reject.uuid},
        # (not the person the probe erases: an erasure drops their undecided candidacies)
        "/api/tracing/candidates/{uuid}/reject": {"uuid": Candidate.objects.create(
            sought=case.sought.first(), person=samvel, probability=0.2).uuid},
        "/api/tracing/sought/{uuid}/exception": {"uuid": child_case.sought.get().uuid},
        "/api/tracing/sought/{uuid}/reunify": {"uuid": wife_case.sought.get().uuid},
        # what the valid bodies name
        "payment": paying.rounds.get(number=1).payments.first().uuid,
        "kits": [str(e.uuid) for e in kits.rounds.get(number=1).entitlements.filter(
            household=accepting.pk)],
        "receiver": accepting.members.get().uuid,
        # what the valid bodies name
        "waiting": waiting.uuid, "again": again.uuid, "site": site.uuid,
        "other_site": other_site.uuid,
    }


def valid_requests(seeds: dict) -> dict[str, dict]:
    """A body (or query) each create or act accepts, by operation: generated ones are
    almost all refused (a made-up post code, a made-up household), so without these the
    answers that say "created" or "done" would go unchecked. Each is sent more than once,
    as a client retries: the first acts, the next are answered as a retry."""
    bodies = {
        "POST /api/households": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000001", "post": "GOR",
                                 "accommodation": "needs_place",
                                 "members": [member("Gayane", "Sargsyan", sex="F",
                                                    birth_date="1961-02-03")]},
        "POST /api/tallies": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000002", "post": "KOR",
                              "people_aboard": 12},
        "POST /api/shelter/sites": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000003",
                                    "name": "Hotel Goris", "province": "Syunik", "beds": 30},
        "POST /api/shelter/placements": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000004",
                                         "household": str(seeds["waiting"]),
                                         "site": str(seeds["site"])},
        "POST /api/forecast/expected": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000005",
                                        "low": 100, "likely": 200, "high": 400},
        "POST /api/tracing/enquiries": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000006",
                                        "enquirer_given_name": "Samvel",
                                        "sought": [{"given_name": "Ani", "age": 40}]},
        "POST /api/aid/programmes": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000007",
                                     "name": "Winter support", "kind": "cash", "unit": "AMD",
                                     "per_person": 50_000, "starts_on": "2023-10-01"},
        "POST /api/people/{uuid}/consents": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000008",
                                             "purpose": "tracing_disclosure", "given": True},
        "PUT /api/legal-bases/{purpose}": {"basis": "vital_interest"},
        "POST /api/matching/check": {"members": [member("Հայկ", "Հովհաննիսյան",
                                                        birth_date="1980-03-14")]},
        "POST /api/search": {"q": "Hovhannisyan"},
        "POST /api/households/{uuid}/link": {"other": str(seeds["again"])},
        "POST /api/people/{uuid}/move": {"household": str(seeds["waiting"])},
        "POST /api/shelter/placements/{uuid}/move": {"site": str(seeds["other_site"])},
        "POST /api/shelter/proposals/{uuid}/accept": {},
        "POST /api/people/{uuid}/erase": {"reason": "in_error"},
        "POST /api/tracing/sought/{uuid}/fate": {"fate": "missing"},
        "POST /api/tracing/sought/{uuid}/exception": {"reason": "alone at the crossing, "
                                                                "aged 9"},
        "POST /api/tracing/sought/{uuid}/reunify": {"how": "link"},
        "POST /api/aid/distributions": {"uuid": "7f1e0c1a-9d5b-4c55-9d3a-000000000009",
                                        "point": "GOR", "entitlements": seeds["kits"],
                                        "received_by": str(seeds["receiver"])},
        "POST /api/aid/payment-lists/{programme}/{cycle}/results": {
            "file": f"payment,status,reference\n{seeds['payment']},paid,BANK-1\n"},
    }
    return {"GET /api/name-index": {"query": {"post": "GOR"}},
            "GET /api/aid/payment-lists/{programme}/{cycle}": {"query": {"format": "csv"}},
            **{label: {"body": body} for label, body in bodies.items()}}


def known_path(path: str, seeds: dict) -> dict | None:
    """The path parameters that name seeded records; None if one names none."""
    if path in seeds:
        return {name: str(value) for name, value in seeds[path].items()}
    segments = path.strip("/").split("/")
    values = {}
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            for key in (name, f"{segments[i - 2]}/{segments[i - 1]}", segments[i - 1]):
                if seeds.get(key) is not None:
                    values[name] = str(seeds[key])
                    break
            else:
                return None
    return values


def conformance_checks():
    """Schemathesis's own checks of one answer against the schema."""
    from schemathesis import checks

    return [checks.not_a_server_error, checks.status_code_conformance,
            checks.content_type_conformance, checks.response_headers_conformance,
            checks.response_schema_conformance]


def described(failure) -> str:
    """What a check found, without the body: a body can hold a person's name. So a schema
    violation says where and which rule, and a server error or unreadable JSON (whose
    messages quote the body) only what it was."""
    from schemathesis.core.failures import MalformedJson, ServerError
    from schemathesis.openapi.checks import ContentDeserializationError, JsonSchemaError

    if isinstance(failure, JsonSchemaError):
        where = "/".join(map(str, failure.instance_path)) or "(body)"
        rule = "/".join(map(str, failure.schema_path))
        return f"{failure.title}: at {where}, schema rule {rule}"
    if isinstance(failure, ServerError):
        return f"{failure.title}: {failure.status_code}"
    if isinstance(failure, MalformedJson | ContentDeserializationError):
        return failure.title
    return f"{failure.title}: {' '.join(failure.message.split())[:300]}"


def calls(operation, role: str, headers: dict, failures: set, counts: dict, mode,
          path_parameters: dict | None = None, given: dict | None = None):
    """A few generated requests to one operation as one caller, of valid or invalid data,
    on generated or given path parameters (and body or query); every failed check
    noted."""
    import hypothesis
    from hypothesis import HealthCheck, settings
    from schemathesis.core.failures import FailureGroup

    checks = conformance_checks()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @hypothesis.given(case=operation.as_strategy(mode, path_parameters=path_parameters,
                                                 **(given or {})))
    def call(case):
        counts["requests"] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=checks, timeout=30)
            counts["statuses"][response.status_code // 100] += 1
            counts["answers"].setdefault(operation.label, set()).add(response.status_code)
        except FailureGroup as group:
            counts["failed"] += 1
            for failure in group.exceptions:
                failures.add(f"{role}: {case.method} {operation.path}: {described(failure)}")

    return call


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
        live_server, personas, reception, crossing):
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json", timeout=60)
    operations = [result.ok() for result in schema.get_all_operations()]
    callers = {role: {"Authorization": f"Bearer {token_for(personas[role])}"}
               for role in ("administrator", "registrar")}
    seeds = seeded(personas, reception, crossing)
    failures, tried = set(), set()
    counts = {"requests": 0, "failed": 0, "statuses": Counter(), "on records": 0,
              "answers": {}, "seconds": Counter()}
    started = time.monotonic()
    valid = valid_requests(seeds)
    for operation in operations:
        known = known_path(operation.path, seeds)
        began = time.monotonic()
        for role, headers in callers.items():
            if time.monotonic() > started + SECONDS:
                break
            for mode in GenerationMode.POSITIVE, GenerationMode.NEGATIVE:
                # On made-up path parameters every answer is a 404 or a 422, whatever the
                # rest: valid data is enough there when seeded records take the invalid.
                if not known or mode == GenerationMode.POSITIVE:
                    calls(operation, role, headers, failures, counts, mode)()
                if known:
                    calls(operation, role, headers, failures, counts, mode, known)()
            if known:
                counts["on records"] += 1
            if operation.label in valid and known is not None:
                calls(operation, role, headers, failures, counts, GenerationMode.POSITIVE,
                      known, valid[operation.label])()
            tried.add(operation.label)
        counts["seconds"][operation.label] = time.monotonic() - began
    answered = {label for label, got in counts["answers"].items() if min(got) < 300}
    statuses = ", ".join(f"{k}xx {n}" for k, n in sorted(counts["statuses"].items()))
    print(f"\nschemathesis: {len(tried)} of {len(operations)} operations "
          f"({counts['on records'] // len(callers)} also on seeded records), "
          f"{len(answered)} answered with a 2xx, "
          f"{counts['requests']} requests ({statuses}), {counts['failed']} failed, "
          f"{len(failures)} distinct failures, {time.monotonic() - started:.0f} s")
    print("never a 2xx:", {label: sorted(counts["answers"].get(label, ()))
                           for label in sorted(tried - answered)})
    print("slowest:", ", ".join(f"{label} {seconds:.1f} s"
                                for label, seconds in counts["seconds"].most_common(5)))
    assert not failures, "\n".join(sorted(failures))
    assert len(tried) == len(operations), f"only {len(tried)} operations in {SECONDS} s"
    # Each operation's success is checked too, not only its errors: a seeded record or a
    # valid body reaches it.
    assert tried == answered, f"never a 2xx: {sorted(tried - answered)}"

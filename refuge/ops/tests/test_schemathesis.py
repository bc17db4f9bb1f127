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

SECONDS = 75  # in all, shared by the two callers
EXAMPLES = 3  # per operation, caller and path parameters (generated, or seeded records)


def seeded(personas, reception) -> dict:
    """A record of each kind the API's paths name, so that the probe reaches the answers
    about real records (their bodies, their 409s) and not only 404s; by the path segment
    before the parameter, or by the parameter's own name."""
    from refuge.aid import eligibility
    from refuge.aid.tests.helpers import make_programme
    from refuge.matching import services as matching
    from refuge.matching.models import CandidatePair, HouseholdMatch
    from refuge.registry.models import Tally
    from refuge.shelter import services as shelter
    from refuge.shelter.models import Site
    from refuge.tracing.tests.helpers import enquiry, sought

    admin = personas["administrator"]
    first = make_household(reception, admin, member("Հայկ", "Հովհաննիսյան", sex="M",
                                                    birth_date="1980-03-14"),
                           member("Անի", "Հովհաննիսյան", sex="F", birth_date="1982-07-01",
                                  relationship="spouse"))
    make_household(reception, admin, member("Айк", "Оганесян", sex="M", birth_date="1980-03-14"),
                   member("Ани", "Оганесян", sex="F", birth_date="1982-07-01",
                          relationship="spouse"))
    waiting = make_household(reception, admin, member("Armen", "Petrosyan", sex="M",
                                                      birth_date="1990"))
    matching.dedupe()
    pairs = CandidatePair.objects.order_by("pk")
    merge = matching.merge_pair(pairs.last(), user=admin)
    site = Site.objects.create(name="School 4", province="Syunik", beds=40)
    placement = shelter.reserve(first, site, user=admin)
    run = shelter.propose_placements(user=admin, time_limit=2)
    programme = make_programme(admin)
    eligibility.generate(programme.rounds.get(number=1))
    case = enquiry(personas["tracing_officer"], sought("Armen", "Petrosyan", age=36))
    tally = Tally.objects.create(post=reception, people_aboard=3, recorded_by=admin)
    return {
        "households": first.uuid, "people": first.members.order_by("pk").first().uuid,
        "number": first.registration_number, "registration_number": waiting.registration_number,
        "tallies": tally.uuid, "sites": site.uuid, "placements": placement.uuid,
        "allocations": run.uuid, "proposals": run.proposals.first().uuid,
        "pairs": pairs.first().uuid, "merges": merge.uuid,
        "matching/households": HouseholdMatch.objects.first().uuid,
        "programmes": programme.uuid, "programme": programme.uuid, "cycles": 1, "cycle": 1,
        "code": reception.code, "enquiries": case.uuid,
        "sought": case.sought.first().uuid,
        "candidates": getattr(case.sought.first().candidates.first(), "uuid", None),
    }


def known_path(path: str, seeds: dict) -> dict | None:
    """The path parameters that name seeded records; None if one names none."""
    segments = path.strip("/").split("/")
    values = {}
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            for key in (f"{segments[i - 2]}/{segments[i - 1]}", segments[i - 1], name):
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
    """What a check found, without the body: a body can hold a person's name."""
    from schemathesis.openapi.checks import JsonSchemaError

    if isinstance(failure, JsonSchemaError):
        where = "/".join(map(str, failure.instance_path)) or "(body)"
        rule = "/".join(map(str, failure.schema_path))
        return f"{failure.title}: at {where}, schema rule {rule}"
    return f"{failure.title}: {' '.join(failure.message.split())[:300]}"


def calls(operation, role: str, headers: dict, failures: set, counts: dict,
          path_parameters: dict | None = None):
    """A few generated requests to one operation as one caller, on generated or given
    path parameters; every failed check noted."""
    from hypothesis import HealthCheck, given, settings
    from schemathesis.core.failures import FailureGroup

    checks = conformance_checks()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def call(case):
        counts["requests"] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=checks, timeout=30)
            counts["statuses"][response.status_code // 100] += 1
            if response.status_code < 300:
                counts["answered"].add(operation.label)
        except FailureGroup as group:
            counts["failed"] += 1
            for failure in group.exceptions:
                failures.add(f"{role}: {case.method} {operation.path}: {described(failure)}")

    return call


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
        live_server, personas, reception, crossing):
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json", timeout=60)
    operations = [result.ok() for result in schema.get_all_operations()]
    callers = {role: {"Authorization": f"Bearer {token_for(personas[role])}"}
               for role in ("administrator", "registrar")}
    seeds = seeded(personas, reception)
    failures, tried = set(), set()
    counts = {"requests": 0, "failed": 0, "statuses": Counter(), "on records": 0,
              "answered": set()}
    started = time.monotonic()
    for operation in operations:
        for role, headers in callers.items():
            if time.monotonic() > started + SECONDS:
                break
            calls(operation, role, headers, failures, counts)()
            known = known_path(operation.path, seeds)
            if known:
                calls(operation, role, headers, failures, counts, known)()
                counts["on records"] += 1
            tried.add(operation.label)
    statuses = ", ".join(f"{k}xx {n}" for k, n in sorted(counts["statuses"].items()))
    print(f"\nschemathesis: {len(tried)} of {len(operations)} operations "
          f"({counts['on records'] // len(callers)} also on seeded records), "
          f"{len(counts['answered'])} answered with a 2xx, "
          f"{counts['requests']} requests ({statuses}), {counts['failed']} failed, "
          f"{len(failures)} distinct failures, {time.monotonic() - started:.0f} s")
    print("no 2xx:", sorted(set(tried) - counts["answered"]))
    assert not failures, "\n".join(sorted(failures))
    assert len(tried) == len(operations), f"only {len(tried)} operations in {SECONDS} s"

"""Schemathesis against the live server's /api/openapi.json, as an administrator and as a
registrar, bounded in time: no request, however odd, is answered with a server error, and
every answer is one the schema documents (its status, content type, headers and body).

A partner's client is generated from this schema: an undocumented status or a body that
does not match is a client that breaks in the field."""

import time

import pytest

from refuge.conftest import token_for

pytestmark = [pytest.mark.api_fuzz, pytest.mark.django_db(transaction=True)]

SECONDS = 75  # in all, shared by the two callers
EXAMPLES = int(__import__("os").environ.get("FUZZ_EXAMPLES", 2))  # per operation and caller


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


def calls(operation, role: str, headers: dict, failures: list, counts: dict):
    """A few generated requests to one operation as one caller; every failed check noted."""
    from hypothesis import HealthCheck, given, settings
    from schemathesis.core.failures import FailureGroup

    checks = conformance_checks()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy())
    def call(case):
        counts["requests"] += 1
        try:
            case.call_and_validate(headers=headers, checks=checks, timeout=30)
        except FailureGroup as group:
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
    failures, tried, counts = set(), set(), {"requests": 0}
    started = time.monotonic()
    for operation in operations:
        for role, headers in callers.items():
            if time.monotonic() > started + SECONDS:
                break
            calls(operation, role, headers, failures, counts)()
            tried.add(operation.label)
    print(f"\nschemathesis: {len(tried)} of {len(operations)} operations, {counts['requests']} "
          f"requests, {len(failures)} failures, {time.monotonic() - started:.0f} s")
    assert not failures, "\n".join(sorted(failures))
    assert len(tried) == len(operations), f"only {len(tried)} operations in {SECONDS} s"

"""Schemathesis against the live server's /api/openapi.json, as an administrator and as a
registrar, bounded in time: no request, however odd, is answered with a server error."""

import time

import pytest

from refuge.conftest import token_for

pytestmark = [pytest.mark.api_fuzz, pytest.mark.django_db(transaction=True)]

SECONDS = 60  # in all, shared by the two callers
EXAMPLES = 2  # per operation and caller


def calls(operation, role: str, headers: dict, server_errors: list):
    """A few generated requests to one operation as one caller; server errors noted."""
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy())
    def call(case):
        response = case.call(headers=headers, timeout=30)
        if response.status_code >= 500:
            server_errors.append(f"{role}: {case.method} {case.formatted_path} "
                                 f"{response.status_code}")

    return call


def test_schemathesis_finds_no_server_error(live_server, personas, reception, crossing):
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json", timeout=60)
    operations = [result.ok() for result in schema.get_all_operations()]
    callers = {role: {"Authorization": f"Bearer {token_for(personas[role])}"}
               for role in ("administrator", "registrar")}
    server_errors, tried = [], set()
    ends = time.monotonic() + SECONDS
    for operation in operations:
        for role, headers in callers.items():
            if time.monotonic() > ends:
                break

            calls(operation, role, headers, server_errors)()
            tried.add(operation.label)
    assert not server_errors
    assert len(tried) == len(operations), f"only {len(tried)} operations in {SECONDS} s"

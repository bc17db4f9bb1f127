"""Who may do what in tracing: decided in refuge/accounts/roles.py, walked for every persona."""

import pytest

from refuge.accounts import roles

WHO_MAY = {
    roles.TAKE_ENQUIRY: {"registrar", "tracing_officer", "administrator"},
    roles.TRACE: {"tracing_officer", "administrator"},
    roles.READ_PFIF: {"tracing_officer", "aid_officer", "administrator"},
}


@pytest.mark.parametrize("capability", WHO_MAY)
def test_only_the_right_roles_take_enquiries_and_see_results(personas, capability):
    allowed = {name for name, user in personas.items() if roles.can(user, capability)}
    assert allowed == WHO_MAY[capability]


def test_an_analyst_can_neither_trace_nor_take_an_enquiry(personas):
    analyst = personas["analyst"]
    assert not roles.can(analyst, roles.TRACE)
    assert not roles.can(analyst, roles.TAKE_ENQUIRY)

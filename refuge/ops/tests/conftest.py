import pytest
from django.test import Client

from refuge.accounts import roles
from refuge.conftest import bearer


@pytest.fixture
def admin(personas) -> Client:
    """An API client with an administrator's token."""
    client = Client()
    client.defaults.update(bearer(personas[roles.ADMINISTRATOR]))
    return client

import pytest
from django.conf import settings
from django.utils import translation

from refuge.forecast import queries


@pytest.fixture(autouse=True)
def no_forecast_remembered():
    """Each test reads its own tallies, not a forecast remembered from another's."""
    queries.forget()
    yield
    queries.forget()


@pytest.fixture(autouse=True)
def default_language():
    """A request in another language leaves it active in the thread: start and end each
    test in the default one."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)

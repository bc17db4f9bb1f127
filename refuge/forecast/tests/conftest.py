import pytest

from refuge.forecast import queries


@pytest.fixture(autouse=True)
def no_forecast_remembered():
    """Each test reads its own tallies, not a forecast remembered from another's."""
    queries.forget()
    yield
    queries.forget()

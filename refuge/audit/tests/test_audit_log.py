import pytest
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member

pytestmark = pytest.mark.django_db


def test_viewing_and_changing_a_person_is_logged_for_administrators(reception, personas):
    household = make_household(reception, personas["registrar"], member("Anahit"))
    person = household.members.get()
    viewer = Client()
    viewer.force_login(personas["tracing_officer"])
    viewer.get(f"/people/{person.uuid}/")
    viewer.get(f"/households/{household.uuid}/")
    events = AuditEvent.objects.filter(object_uuid=person.uuid)
    assert sorted(events.values_list("action", "user__username")) == [
        ("view", "tracing_officer"), ("view", "tracing_officer")]
    assert AuditEvent.objects.filter(action="create", object_uuid=household.uuid).exists()

    admin = Client()
    admin.force_login(personas["administrator"])
    page = admin.get("/audit/").content.decode()
    assert "tracing_officer" in page and str(person.uuid)[:8] in page
    assert "Anahit" not in page


def test_a_search_is_logged_without_what_was_searched(reception, personas):
    make_household(reception, personas["registrar"], member("Anahit"))
    client = Client()
    client.force_login(personas["registrar"])
    client.post("/search/", {"q": "Anahit"})
    search = AuditEvent.objects.get(action="search")
    assert search.detail == {"results": 1}
    assert AuditEvent.objects.filter(action="view", detail__via="search").count() == 1

"""The household page shows how to reach the family, where it is going, and its documents."""

import pytest
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(reception, registrar):
    return make_household(
        reception, registrar,
        member("Anahit", documents=[{"kind": "passport", "number": "AN1234567"}],
               phone="+37477123456"),
        member("Nare", relationship="child", birth_date="2016",
               documents=[{"kind": "birth_certificate", "number": "II-ՎՄ 012345"}]),
        member("Armen", relationship="spouse", phone="+37491000111"),
        phone="077 12 34 56", origin="Stepanakert", destination="relatives, Kotayk")


def test_it_shows_phone_destination_and_documents(family, personas):
    client = Client()
    client.force_login(personas["tracing_officer"])
    page = client.get(f"/households/{family.uuid}/").content.decode()
    facts = page.split('data-testid="household-facts"')[1].split("</dl>")[0]
    assert '<a href="tel:+37477123456">+374 77 123456</a>' in facts
    assert "+374 91 000111" in facts  # another member's own number
    assert "Stepanakert" in facts and "relatives, Kotayk" in facts
    assert "<dd>3</dd>" in facts
    members = page.split('data-testid="members"')[1].split("</table>")[0]
    assert 'passport <span class="regno">AN1234567</span>' in members
    assert 'birth certificate <span class="regno">II-ՎՄ 012345</span>' in members
    viewed = AuditEvent.objects.filter(action="view", detail__via="household page")
    assert viewed.count() == 3


def test_a_household_without_a_phone_says_so(reception, registrar, personas):
    household = make_household(reception, registrar, member("Karine"))
    client = Client()
    client.force_login(personas["registrar"])
    page = client.get(f"/households/{household.uuid}/").content.decode()
    assert "none given" in page


def test_an_analyst_sees_no_household_page(family, personas):
    client = Client()
    client.force_login(personas["analyst"])
    assert client.get(f"/households/{family.uuid}/").status_code == 403

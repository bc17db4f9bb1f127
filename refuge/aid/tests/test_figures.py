"""Aid's figures: people entitled and reached, and amounts given, per programme and
province; in the situation picture, and for partners with small cells left blank."""

import pytest

from refuge.accounts.models import Post
from refuge.aid import services, situation
from refuge.aid.tests.helpers import approved_cycle, hand_over_body
from refuge.conftest import bearer, make_household, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(reception, registrar, personas):
    """Six people in Syunik, five of them reached; two in Lori, none reached."""
    lori = Post.objects.create(kind=Post.RECEPTION, code="VAN", name="Vanadzor",
                               province="Lori")
    syunik = [make_household(reception, registrar, member(n, birth_date="1980"))
              for n in ("Anahit", "Armen", "Gayane", "Hayk", "Lilit", "Nare")]
    for name in ("Karen", "Tigran"):
        make_household(lori, registrar, member(name, birth_date="1980"))
    cycle = approved_cycle(personas["administrator"])
    for household in syunik[:5]:
        person = household.members.get()
        services.hand_over(hand_over_body(person.entitlements.all(), person),
                           user=personas["aid_officer"], point=reception)
    return cycle


def test_entitled_reached_and_given_per_programme_and_province(given):
    rows = {r["province"]: r for r in situation.by_programme_and_province()}
    assert (rows["Syunik"]["entitled"], rows["Syunik"]["reached"],
            rows["Syunik"]["given"]) == (6, 5, 500_000)
    assert (rows["Lori"]["entitled"], rows["Lori"]["reached"], rows["Lori"]["given"]) == (
        2, 0, 0)


def test_partners_see_cells_under_five_blank(client, personas, given):
    response = client.get("/api/aid/figures", **bearer(personas["analyst"]))
    rows = {r["province"]: r for r in response.json()}
    assert (rows["Syunik"]["entitled"], rows["Syunik"]["reached"]) == (6, 5)
    assert (rows["Lori"]["entitled"], rows["Lori"]["reached"]) == ("", 0)


def test_the_situation_picture_shows_aid(client, personas, given):
    response = client.get("/api/situation", **bearer(personas["analyst"]))
    programmes = response.json()["sections"]["aid"]["programmes"]
    assert {r["province"] for r in programmes} == {"Syunik", "Lori"}
    client.force_login(personas["analyst"])
    page = client.get("/dashboard/").content.decode()
    assert "Aid by programme and province" in page and "One-off support" in page

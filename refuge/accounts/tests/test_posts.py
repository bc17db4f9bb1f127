"""A registrar picks a reception centre for the desk and a crossing point for the tally once
each; moving between the two screens then asks nothing again."""

import uuid

import pytest
from django.test import Client

from refuge.accounts.models import Post
from refuge.registry.models import Household, Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(registrar):
    client = Client()
    client.force_login(registrar)
    return client


def choose(client, kind: str, post: Post, desk: str = ""):
    return client.post(f"/post/?kind={kind}&next=/{'desk' if kind == 'reception' else 'tally'}/",
                       {"post": post.pk, "desk": desk})


def test_desk_and_tally_each_keep_their_own_post(signed_in, reception, crossing):
    assert signed_in.get("/desk/")["Location"].startswith("/post/?kind=reception")
    assert choose(signed_in, "reception", reception, "3")["Location"] == "/desk/"
    assert signed_in.get("/tally/")["Location"].startswith("/post/?kind=crossing")
    assert choose(signed_in, "crossing", crossing, "1")["Location"] == "/tally/"

    for _round in range(2):
        desk = signed_in.get("/desk/")
        assert desk.status_code == 200
        assert "Goris reception centre" in desk.content.decode()
        tally = signed_in.get("/tally/")
        assert tally.status_code == 200
        assert "Kornidzor crossing" in tally.content.decode()


def test_work_at_either_post_lands_where_it_belongs(signed_in, reception, crossing):
    choose(signed_in, "reception", reception, "3")
    choose(signed_in, "crossing", crossing, "1")
    signed_in.post("/tally/", {"people_aboard": "4", "uuid": str(uuid.uuid4())})
    assert Tally.objects.get().post == crossing
    signed_in.post("/desk/", {"household_uuid": str(uuid.uuid4()),
                              "members-0-relationship": "focal_point",
                              "members-0-given_name": "Anahit",
                              "members-0-family_name": "Hovhannisyan"})
    household = Household.objects.get()
    assert household.registered_at == reception
    assert household.events.get().desk == "3"


def test_the_top_bar_names_the_post_of_the_screen(signed_in, reception, crossing):
    choose(signed_in, "reception", reception, "3")
    choose(signed_in, "crossing", crossing, "1")
    desk = signed_in.get("/desk/").content.decode()
    assert "Goris reception centre · desk 3" in desk
    tally = signed_in.get("/tally/").content.decode()
    assert "Kornidzor crossing · desk 1" in tally


def test_the_picker_offers_the_post_chosen_before(signed_in, reception, crossing):
    Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk centre")
    vayk = Post.objects.get(code="VAY")
    choose(signed_in, "reception", vayk, "5")
    choose(signed_in, "crossing", crossing)
    page = signed_in.get("/post/?kind=reception").content.decode()
    assert f'<option value="{vayk.pk}" selected>' in page
    assert 'value="5"' in page
    options = page.split("<select")[1].split("</select>")[0]
    assert "Kornidzor" not in options  # only reception centres for the desk


def test_changing_the_reception_centre_keeps_the_crossing_point(signed_in, reception, crossing):
    choose(signed_in, "reception", reception, "3")
    choose(signed_in, "crossing", crossing)
    vayk = Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk centre")
    signed_in.post("/post/", {"post": vayk.pk, "desk": "2"})
    assert "Vayk centre" in signed_in.get("/desk/").content.decode()
    assert signed_in.get("/tally/").status_code == 200


def test_a_closed_post_is_asked_for_again(signed_in, reception, crossing):
    choose(signed_in, "crossing", crossing)
    Post.objects.filter(pk=crossing.pk).update(is_open=False)
    assert signed_in.get("/tally/")["Location"].startswith("/post/?kind=crossing")


def test_a_post_of_the_wrong_kind_is_never_used(signed_in, reception, crossing):
    choose(signed_in, "reception", reception)
    assert signed_in.get("/tally/")["Location"].startswith("/post/?kind=crossing")

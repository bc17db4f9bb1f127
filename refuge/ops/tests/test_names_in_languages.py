"""Posts, sites and provinces are shown in the page's language: Armenia's provinces
ship with their ISO codes and Armenian and Russian names, and the demo's posts and sites
have names in all three languages."""

import random

import pytest
from django.test import Client
from django.utils import translation

from refuge.accounts.models import Post
from refuge.conftest import bearer, make_household
from refuge.lib import provinces
from refuge.ops import demo as registry_demo
from refuge.shelter import demo as shelter_demo
from refuge.shelter import sites
from refuge.shelter.models import Site


def test_every_province_is_found_by_its_code_or_any_of_its_names():
    assert len(provinces.PROVINCES) == 11
    for province in provinces.PROVINCES:
        for name in (province.code, province.name, province.name_hy, province.name_ru,
                     province.name.upper(), f" {province.name_ru.lower()} "):
            assert provinces.find(name) is province, name
    assert provinces.find("Վայոց Ձոր").code == "AM-VD"
    assert provinces.find("Երեւան").code == "AM-ER"  # ե+ւ typed for the ligature և
    assert provinces.find("Stepanakert") is None and provinces.find("") is None


def test_a_province_is_shown_in_the_page_language_and_kept_in_english():
    assert [provinces.shown("Syunik", lang) for lang in ("en", "hy", "ru")] == [
        "Syunik", "Սյունիք", "Сюник"]
    with translation.override("hy"):
        assert provinces.shown("AM-VD") == "Վայոց ձոր"
        assert provinces.shown("Martuni") == "Martuni"  # not a province: as typed
    assert provinces.canonical("Սյունիք") == "Syunik" == provinces.canonical("am-su")
    assert provinces.code_of("Сюник") == "AM-SU" and provinces.code_of("Goris") == ""


@pytest.mark.django_db
def test_a_post_and_a_site_show_their_name_in_the_page_language_or_fall_back():
    post = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                               name_hy="Գորիսի ընդունման կենտրոն", province="Syunik")
    site = Site.objects.create(name="Goris hotel 1", name_ru="Горис, гостиница 1",
                               province="Syunik", beds=10)
    with translation.override("hy"):
        assert (post.shown_name, str(post)) == ("Գորիսի ընդունման կենտրոն",) * 2
        assert site.shown_name == "Goris hotel 1"  # no Armenian name given
    with translation.override("ru"):
        assert post.shown_name == "Goris reception centre"
        assert str(site) == "Горис, гостиница 1"


@pytest.mark.django_db
def test_pages_show_posts_sites_and_provinces_in_the_chosen_language(personas, registrar):
    post = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                               name_hy="Գորիսի ընդունման կենտրոն",
                               name_ru="Центр приёма в Горисе", province="Syunik")
    Site.objects.create(name="Goris hotel 1", name_hy="Գորիս, հյուրանոց 1",
                        name_ru="Горис, гостиница 1", province="Syunik", beds=10)
    household = make_household(post, registrar)
    client = Client()
    client.force_login(personas["administrator"])
    client.cookies["django_language"] = "hy"
    session = client.session
    session["post_id"] = post.pk
    session.save()
    dashboard = client.get("/dashboard/").content.decode()
    assert "Գորիսի ընդունման կենտրոն" in dashboard and "Սյունիք" in dashboard
    assert "Goris reception centre" not in dashboard
    card = client.get(f"/households/{household.uuid}/card/").content.decode()
    assert "Գորիսի ընդունման կենտրոն" in card
    client.cookies["django_language"] = "ru"
    board = client.get("/shelter/").content.decode()
    assert "Горис, гостиница 1" in board and "Сюник" in board


@pytest.mark.django_db
def test_a_site_keeps_its_province_in_english_however_it_was_typed(personas):
    manager = personas["shelter_manager"]
    site = sites.create_site({"name": "Kapan hotel", "name_hy": "Կապան, հյուրանոց",
                                 "province": "Սյունիք", "beds": 20}, user=manager)
    assert (site.province, site.name_hy) == ("Syunik", "Կապան, հյուրանոց")
    client = Client()
    answer = client.post("/api/shelter/sites", {
        "name": "Vayk dormitory", "name_ru": "Вайк, общежитие", "province": "AM-VD",
        "beds": 30}, content_type="application/json", **bearer(manager))
    assert answer.status_code == 201, answer.content
    assert answer.json()["province"] == "Vayots Dzor"
    assert answer.json()["name_ru"] == "Вайк, общежитие"


@pytest.mark.django_db
def test_the_demo_names_its_posts_and_sites_in_three_languages():
    posts = registry_demo.create_posts()
    assert {post.code for post in posts.values()} >= {"KOR", "GOR", "VAY", "YER"}
    for post in posts.values():
        assert post.name_hy and post.name_ru and provinces.find(post.province)
    assert posts["GOR"].name_hy == "Գորիսի ընդունման կենտրոն"
    sites = shelter_demo.create_sites(random.Random(3), 400)
    for site in sites:
        assert provinces.find(site.province), site.province
        assert site.name.split()[-1] == site.name_hy.split()[-1] == site.name_ru.split()[-1]
        assert any("\u0531" <= c <= "\u058f" for c in site.name_hy), site.name_hy
        assert any("\u0400" <= c <= "\u04ff" for c in site.name_ru), site.name_ru

"""The per-process memory of tokens, roles and posts (refuge.lib.recent)."""

import pytest
from django.contrib.auth.models import Group

from refuge.accounts import roles
from refuge.accounts.models import ApiToken, Post
from refuge.conftest import household_payload, member, token_for

pytestmark = pytest.mark.django_db


def register(client, key: str, post: str = "GOR"):
    return client.post("/api/households",
                       household_payload(member("Anahit", sex="F", birth_date="1972"),
                                         post=post),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_revoked_token_is_refused_at_once_by_the_process_that_revoked_it(
        client, registrar, reception):
    key = token_for(registrar)
    assert register(client, key).status_code == 201
    ApiToken.objects.filter(user=registrar).delete()
    assert register(client, key).status_code == 401


def test_a_role_taken_away_applies_at_once(client, registrar, reception):
    key = token_for(registrar)
    assert register(client, key).status_code == 201
    registrar.groups.remove(Group.objects.get(name=roles.REGISTRAR))
    assert register(client, key).status_code == 403


def test_a_closed_post_refuses_registrations_at_once(client, registrar, reception):
    key = token_for(registrar)
    assert register(client, key).status_code == 201
    reception.is_open = False
    reception.save()
    response = register(client, key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "post"


def test_a_change_made_elsewhere_is_seen_within_the_configured_seconds(
        client, registrar, reception, settings):
    """Another app server closes the post (no signal reaches this process): the post is
    reused until its seconds are up, and never with 0 seconds."""
    key = token_for(registrar)
    assert register(client, key).status_code == 201
    Post.objects.filter(pk=reception.pk).update(is_open=False)  # no signal, as elsewhere
    assert register(client, key).status_code == 201
    settings.REFUGE_LOOKUP_SECONDS = 0
    assert register(client, key).status_code == 422

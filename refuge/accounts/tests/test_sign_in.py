"""Sign-in: failed attempts limited, sessions that end when idle, and a
Content-Security-Policy that allows no inline script, with pages that need none."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from refuge.accounts import sessions

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR)


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_after_too_many_failures_even_the_right_password_is_refused(personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _attempt in range(3):
        assert sign_in(client, "registrar", "wrong").status_code in (200, 429)
    locked = sign_in(client, "registrar", "registrar-pass-1")
    assert locked.status_code == 429
    assert b'data-testid="locked-out"' in locked.content
    assert "_auth_user_id" not in client.session


def test_a_colleague_at_the_same_desk_is_not_locked_out(personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _attempt in range(3):
        sign_in(client, "registrar", "wrong")
    other = Client()
    assert sign_in(other, "analyst", "analyst-pass-1").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_user_in(personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    sign_in(client, "registrar", "wrong")
    assert sign_in(client, "registrar", "registrar-pass-1").status_code == 302


def test_odk_collect_passwords_are_limited_too(personas, reception, settings):
    from base64 import b64encode

    settings.AXES_FAILURE_LIMIT = 2
    wrong = b64encode(b"registrar:wrong").decode()
    right = b64encode(b"registrar:registrar-pass-1").decode()
    for _attempt in range(2):
        Client(HTTP_AUTHORIZATION=f"Basic {wrong}").get("/collect/formList")
    response = Client(HTTP_AUTHORIZATION=f"Basic {right}").get("/collect/formList")
    assert response.status_code in (401, 403, 429)


def test_a_session_is_renewed_while_used_and_ends_when_idle(personas, monkeypatch, settings):
    client = Client()
    assert sign_in(client, "registrar", "registrar-pass-1").status_code == 302
    assert client.get("/").status_code == 200
    first = Session.objects.get().expire_date
    assert abs((first - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    later = time.time() + 5 * 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    client.get("/")
    assert Session.objects.get().expire_date > first
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_is_not_saved_on_every_request(personas):
    client = Client()
    sign_in(client, "registrar", "registrar-pass-1")
    client.get("/")
    saved = Session.objects.get().expire_date
    client.get("/")
    assert Session.objects.get().expire_date == saved


def test_pages_send_a_policy_with_no_inline_script(personas):
    client = Client()
    client.force_login(personas["registrar"])
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert client.get("/login/").headers["Content-Security-Policy"] == policy


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>",
                           re.IGNORECASE)


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text) or INLINE_SCRIPT.search(text) or " style=" in text:
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []

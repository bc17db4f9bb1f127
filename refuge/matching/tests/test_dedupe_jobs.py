"""An administrator starts the search for duplicates from the duplicates page; it runs in a
process of its own, one at a time, and its progress is kept where every app server sees it."""

import json
import subprocess
import sys
import textwrap
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from refuge.conftest import make_household, member
from refuge.matching import jobs, services
from refuge.matching.models import CandidatePair, DedupeJob

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def twice(reception, registrar):
    for family in ("Hovhannisyan", "Оганесян"):
        make_household(reception, registrar, member("Hayk" if family[0] == "H" else "Айк",
                                                    family, sex="M", birth_date="1980-03-14",
                                                    patronymic="Samvel"))


@pytest.fixture
def launched(monkeypatch):
    """Jobs the page started, kept here instead of in a process of their own (a process
    cannot see the test's database)."""
    started = []
    monkeypatch.setattr(jobs, "launch", started.append)
    return started


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_starts_the_search_and_sees_what_it_found(
        twice, personas, launched, django_capture_on_commit_callbacks):
    admin = signed_in(personas["administrator"])
    page = admin.get("/duplicates/search/").content.decode()
    assert 'data-testid="start-dedupe"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/duplicates/search/")
    assert response["Location"] == "/duplicates/search/"
    job = DedupeJob.objects.get()
    assert launched == [job] and job.status == DedupeJob.QUEUED
    assert job.requested_by == personas["administrator"]
    waiting = admin.get("/duplicates/search/").content.decode()
    assert "Waiting to start" in waiting and "data-active" in waiting
    assert 'data-testid="start-dedupe" disabled' in waiting

    jobs.run(job)
    page = admin.get("/duplicates/search/").content.decode()
    assert "Finished" in page and "data-active" not in page
    assert "2 people compared: 1 pairs queued for review" in page
    assert CandidatePair.objects.count() == 1
    body = admin.get("/duplicates/search/progress/").json()
    assert body["job"]["status"] == "done" and body["job"]["percent"] == 100
    assert body["open_count"] == 1


def test_the_progress_is_in_the_database_while_the_search_runs(twice, personas):
    job = jobs.queue(personas["administrator"])
    seen = []

    def look(step):
        seen.append(jobs.progress(DedupeJob.objects.get(pk=job.pk)))

    jobs.run(job, say=look)
    assert [s["step"] for s in seen][:3] == ["reading", "blocking", "comparing"]
    assert seen[0]["status"] == "running" and seen[0]["active"]
    assert seen[-1]["step"] == "saving" and seen[-1]["step_label"] == "saving the pairs for review"
    percents = [s["percent"] for s in seen]
    assert percents == sorted(percents) and 0 <= percents[0] < percents[-1] < 100


def test_one_search_at_a_time(twice, personas, launched):
    admin = signed_in(personas["administrator"])
    admin.post("/duplicates/search/")
    again = admin.post("/duplicates/search/", follow=True).content.decode()
    assert "A search for duplicates is already running" in again
    assert DedupeJob.objects.count() == 1
    with pytest.raises(CommandError, match="already queued"):
        call_command("dedupe", stdout=StringIO())
    DedupeJob.objects.update(status=DedupeJob.RUNNING, heartbeat_at=timezone.now())
    with pytest.raises(jobs.AlreadyRunning):  # a second process for the same job
        jobs.run(DedupeJob.objects.get())


def test_a_registrar_sees_the_progress_but_may_not_start_it(twice, personas, launched):
    registrar = signed_in(personas["registrar"])
    page = registrar.get("/duplicates/search/").content.decode()
    assert 'data-testid="start-dedupe"' not in page
    assert "An administrator starts the search" in page
    assert registrar.post("/duplicates/search/").status_code == 403
    assert not DedupeJob.objects.exists()
    assert signed_in(personas["analyst"]).get("/duplicates/search/progress/").status_code == 403


def test_a_failed_search_says_why_and_the_next_may_start(twice, personas, monkeypatch,
                                                         launched):
    def broken(progress=None):
        progress("reading")
        raise MemoryError("out of memory")

    monkeypatch.setattr(services, "dedupe", broken)
    job = jobs.queue(personas["administrator"])
    with pytest.raises(MemoryError):
        jobs.run(job)
    page = signed_in(personas["administrator"]).get("/duplicates/search/").content.decode()
    assert "The search failed: MemoryError: out of memory" in page
    job.refresh_from_db()
    assert job.status == DedupeJob.FAILED and job.active is None
    assert jobs.queue(personas["administrator"]).status == DedupeJob.QUEUED


def test_a_search_whose_process_died_is_shown_failed_and_gives_way(twice, personas):
    job = jobs.queue(personas["administrator"])
    DedupeJob.objects.filter(pk=job.pk).update(
        status=DedupeJob.RUNNING, step="comparing",
        heartbeat_at=timezone.now() - jobs.STALE_AFTER - timedelta(seconds=1))
    page = signed_in(personas["registrar"]).get("/duplicates/search/").content.decode()
    assert "The search stopped without finishing" in page and "data-active" not in page
    newer = jobs.queue(personas["administrator"])
    job.refresh_from_db()
    assert job.status == DedupeJob.FAILED and newer.active


def test_errors_that_may_quote_data_are_named_only_by_their_kind():
    from django.db import IntegrityError

    assert jobs.describe(IntegrityError("Key (given_name)=(Anahit) exists")) == "IntegrityError"
    assert jobs.describe(MemoryError()) == "MemoryError"


def test_the_command_line_run_is_a_job_too(twice):
    out = StringIO()
    call_command("dedupe", stdout=out)
    assert "1 queued for review" in out.getvalue()
    job = DedupeJob.objects.get()
    assert job.status == DedupeJob.DONE and job.requested_by is None and job.run is not None
    with pytest.raises(CommandError, match="no search for duplicates has the id"):
        call_command("dedupe", job="not-a-job")


def test_the_page_starts_a_real_process_that_finishes_the_search(tmp_path):
    """The launcher as the app servers use it: `refuge dedupe --job` in its own process,
    on a SQLite file both processes share."""
    script = textwrap.dedent("""
        import json, time
        from django.contrib.auth.models import User
        from django.db import transaction
        from refuge.conftest import make_household, member
        from refuge.matching import jobs
        from refuge.accounts.models import Post
        post = Post.objects.create(kind="reception", code="GOR", name="Goris")
        user = User.objects.create_user("admin")
        for given, family in (("Hayk", "Hovhannisyan"), ("Айк", "Оганесян")):
            make_household(post, user, member(given, family, birth_date="1980-03-14"))
        with transaction.atomic():
            job = jobs.start(user)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not job.active:
                break
            time.sleep(0.5)
        print(json.dumps(jobs.progress(job)))
    """)
    env = {"REFUGE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "refuge.cli", "migrate", "-v", "0"], env=env,
                   cwd=REPO, check=True, timeout=120)
    done = subprocess.run([sys.executable, "-m", "refuge.cli", "shell", "-c", script], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stderr
    progress = json.loads(done.stdout.strip().splitlines()[-1])
    assert progress["status"] == "done", progress
    assert progress["queued"] == 1 and progress["people"] == 2

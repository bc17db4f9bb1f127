"""The search for duplicates as a background job: started from the duplicates page (or by
`refuge dedupe`), run by a process of its own, its progress kept in the database.

A process rather than a thread of an app server: at a million people the search holds
about 1.7 GB for half a minute (docs/benchmarks.md), which a web worker would keep long
after, and a worker restarted by gunicorn would take the job with it. The process is
`refuge dedupe --job UUID`; while it lives it touches the job's heartbeat, so a job
whose process died (killed, out of memory, the machine restarted) is seen as failed by
every app server, and the next one may start.
"""

import subprocess
import sys
import threading
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.matching import services
from refuge.matching.models import DedupeJob, MatchingRun

# The steps services.dedupe reports, in order, and how the page names them.
STEPS = {
    "reading": gettext_lazy("reading the registry"),
    "blocking": gettext_lazy("finding candidate pairs"),
    "comparing": gettext_lazy("comparing names, dates and places"),
    "estimating": gettext_lazy("estimating the model from the registry"),
    "family evidence": gettext_lazy("weighing family evidence"),
    "saving": gettext_lazy("saving the pairs for review"),
}
HEARTBEAT = timedelta(seconds=10)
# A job whose heartbeat is older than this has lost its process. Generous: on SQLite the
# heartbeat waits for the writers' lock while the search saves its pairs.
STALE_AFTER = timedelta(minutes=3)


class AlreadyRunning(Exception):
    def __init__(self, job: DedupeJob):
        super().__init__(f"a search for duplicates is already {job.status}")
        self.job = job


def latest() -> DedupeJob | None:
    return DedupeJob.objects.select_related("requested_by", "run").first()


def is_stale(job: DedupeJob, now=None) -> bool:
    """Queued or running, but its process has not been heard of for too long."""
    if job.status not in (DedupeJob.QUEUED, DedupeJob.RUNNING):
        return False
    last = job.heartbeat_at or job.requested_at
    return (now or timezone.now()) - last > STALE_AFTER


def progress(job: DedupeJob) -> dict:
    """The job as the page and its poller show it: nothing personal, only counts."""
    stale = is_stale(job)
    status = DedupeJob.FAILED if stale else job.status
    error = job.error or (_("The search stopped without finishing: its process ended. "
                            "Start it again.") if stale else "")
    return {
        "uuid": str(job.uuid), "status": status,
        "status_label": str(dict(DedupeJob.STATUSES)[status]),
        "step": job.step, "step_label": str(STEPS.get(job.step, job.step)),
        "steps_done": job.steps_done, "steps": len(STEPS),
        "percent": 100 if status == DedupeJob.DONE else round(
            100 * job.steps_done / len(STEPS)),
        "error": error, "active": status in (DedupeJob.QUEUED, DedupeJob.RUNNING),
        "queued": job.run.queued if job.run else None,
        "people": job.run.people if job.run else None,
        "household_links": job.run.household_links if job.run else None,
    }


def _give_up_stale() -> None:
    for job in DedupeJob.objects.filter(active=True):
        if is_stale(job):
            _finish(job, DedupeJob.FAILED, _("The search stopped without finishing: its "
                                             "process ended."))


def queue(user) -> DedupeJob:
    """Record a new job, or raise AlreadyRunning with the one queued or running."""
    try:
        with transaction.atomic():
            _give_up_stale()
            return DedupeJob.objects.create(requested_by=user if user and
                                            user.is_authenticated else None)
    except IntegrityError:  # `active` is unique: another job holds it
        raise AlreadyRunning(DedupeJob.objects.get(active=True)) from None


def start(user) -> DedupeJob:
    """Queue a job and start its process once the job is committed (so it can read it)."""
    job = queue(user)
    transaction.on_commit(lambda: launch(job))
    return job


def launch(job: DedupeJob) -> None:
    """Start `refuge dedupe --job UUID` in a session of its own: it outlives the request,
    and a restart of the app server does not stop it."""
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "refuge.cli", "dedupe", "--job", str(job.uuid)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True)
    except OSError as error:
        _finish(job, DedupeJob.FAILED, _("The search could not start: %(error)s")
                % {"error": error.strerror or type(error).__name__})
        return
    # Collect its exit status when it ends, so no finished process lingers as a zombie.
    threading.Thread(target=process.wait, daemon=True).start()


def run(job: DedupeJob, say=None) -> services.DedupeResult:
    """Run a queued job here and now, keeping its progress; `say(step)` hears each step
    too (the command's progress bar)."""
    now = timezone.now()
    claimed = DedupeJob.objects.filter(pk=job.pk, status=DedupeJob.QUEUED).update(
        status=DedupeJob.RUNNING, started_at=now, heartbeat_at=now)
    if not claimed:
        raise AlreadyRunning(DedupeJob.objects.get(pk=job.pk))
    beating = _Heartbeat(job.pk)
    beating.start()

    def step(name: str) -> None:
        done = list(STEPS).index(name) if name in STEPS else None
        changes = {"step": name[:40], "heartbeat_at": timezone.now()}
        if done is not None:
            changes["steps_done"] = done
        DedupeJob.objects.filter(pk=job.pk).update(**changes)
        if say:
            say(name)

    try:
        result = services.dedupe(progress=step)
    except BaseException as error:
        _finish(job, DedupeJob.FAILED, _("The search failed: %(error)s")
                % {"error": describe(error)})
        raise
    finally:
        beating.stop()
    _finish(job, DedupeJob.DONE, "", run=MatchingRun.objects.first())
    return result


def describe(error: BaseException) -> str:
    """An error in words fit for the page: its kind, and its text unless that may quote
    data (a constraint or a value the database refused)."""
    from django.db import DataError

    if isinstance(error, IntegrityError | DataError):
        return type(error).__name__
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _finish(job: DedupeJob, status: str, error: str, run: MatchingRun | None = None) -> None:
    DedupeJob.objects.filter(pk=job.pk).update(
        status=status, active=None, error=error[:300], finished_at=timezone.now(),
        **({"run": run, "steps_done": len(STEPS)} if run else {}))


class _Heartbeat(threading.Thread):
    """Touches the job's heartbeat while the search runs, on a connection of its own."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT.total_seconds()):
                try:
                    DedupeJob.objects.filter(pk=self.job_id).update(
                        heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001  a busy database: next beat
                    pass
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)

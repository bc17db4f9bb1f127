"""One set of personas and helpers for every test.

Personas: a registrar, a shelter manager, a tracing officer, an aid officer,
an analyst, an administrator, and an outsider with no role at all.
"""

import os
import threading
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User

from refuge.accounts import roles
from refuge.accounts.models import ApiToken, Post
from refuge.lib.env import prepare_var_dir
from refuge.lib.recent import forget_everything
from refuge.registry import services
from refuge.registry.models import Person

# The test database is a file under var/, which a fresh clone does not have yet (reading
# the settings writes nothing).
prepare_var_dir()

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PERSONAS = [*roles.ROLES, "outsider"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close connections after each request, so live-server threads leave none open
    and PostgreSQL can drop the test database at the end."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session", autouse=True)
def no_stray_connections(django_db_setup, django_db_blocker):
    """Live-server threads can leave a PostgreSQL session open, which stops the test
    database from being dropped; end them before it is."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Real hashing costs a third of a second per user; tests need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_search_after_bulk_loads(settings):
    """An import or the demo starts a real search process after it (the bulk load's
    arrival check); a test that looks at that turns it back on."""
    settings.REFUGE_SEARCH_AFTER_BULK = False


@pytest.fixture(autouse=True)
def nothing_remembered():
    """Each test starts with no token, role or post remembered from another's rolled-back
    data (refuge.lib.recent)."""
    forget_everything()


@pytest.fixture(autouse=True)
def no_language_left_over():
    """A request in Armenian leaves Armenian active in the thread (LocaleMiddleware does
    not undo it); the next test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


def make_user(username: str, role: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-pass-1")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def personas(db) -> dict[str, User]:
    users = {role: make_user(role, role) for role in roles.ROLES}
    users["outsider"] = make_user("outsider")
    return users


@pytest.fixture
def registrar(personas) -> User:
    return personas[roles.REGISTRAR]


@pytest.fixture
def reception(db) -> Post:
    return Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                               province="Syunik")


@pytest.fixture
def crossing(db) -> Post:
    return Post.objects.create(kind=Post.CROSSING, code="KOR", name="Kornidzor crossing",
                               province="Syunik")


def token_for(user: User) -> str:
    return ApiToken.objects.issue(user)[1]


def bearer(user: User) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


def at_once(copies: int, act: Callable[[int], object]) -> list:
    """Run `act(i)` in `copies` real threads released together, each on its own database
    connection; what each returned or raised, in order. For the "at most one" tests,
    which need `django_db(transaction=True)`."""
    from django.db import connection

    barrier = threading.Barrier(copies)
    outcomes: list = [None] * copies

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = act(i)
        except Exception as error:  # noqa: BLE001 - the test looks at what was raised
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def member(given: str, family: str = "Hovhannisyan", **fields) -> dict:
    return {"given_name": given, "family_name": family, **fields}


def household_payload(*members: dict, **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "members": list(members), **fields}


def make_household(post: Post, user: User, *members: dict, **fields):
    """A household registered as data arrives from the field: a person registered twice
    is saved, as from ODK Collect, and queued for review (a test of the desk's question
    "same person?" calls the service itself). It needs a place to stay unless told."""
    members = members or (member("Anahit", patronymic="Samvel", sex="F", birth_date="1972"),)
    payload = household_payload(*members, **{"accommodation": "needs_place", **fields})
    return services.register_household(payload, user=user, post=post,
                                       ask_about_duplicates=False).household


def queued_pair(first: Person, second: Person, **fields):
    """The review pair of two people registered as one: their registration queued it
    already, or it is made now, with the scores a test needs."""
    from refuge.matching.models import CandidatePair

    a, b = sorted((first, second), key=lambda person: person.pk)
    return CandidatePair.objects.update_or_create(person_a=a, person_b=b, defaults=fields)[0]


def sign_in(page, base_url: str, username: str) -> None:
    """Sign in through the login form, in any language, and wait for the home page."""
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(f"{username}-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def open_desk(page, base_url: str, username: str, desk: str = "2") -> None:
    """Sign in at /desk/ with the keyboard, take the one open reception centre and a desk
    number, and wait for the desk screen."""
    import re

    page.goto(f"{base_url}/desk/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/"))
    page.wait_for_function("document.activeElement && document.activeElement.name === 'post'")
    page.keyboard.press("Tab")
    page.keyboard.type(desk)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/desk/")


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM}: scripts/test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield watched(chromium)
        chromium.close()


def watched(chromium):
    """The browser, each page of which collects its CSP violations (watch_csp), whatever
    test opens it."""
    new_context = chromium.new_context

    def watched_context(**options):
        context = new_context(**options)
        new_page = context.new_page

        def watched_page():
            page = new_page()
            watch_csp(page)
            return page

        context.new_page = watched_page
        return context

    chromium.new_context = watched_context
    return chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    page = context.new_page()
    # Generous: CI runs the SQLite and PostgreSQL suites side by side on two cores, and a
    # wait that succeeds ends as soon as it does.
    page.set_default_timeout(30_000)
    yield page
    context.close()


# Each script file that loads is noted once it has run (its load event fires after it
# runs; a script the policy refuses fires an error instead). Playwright adds this script
# itself, so the page's policy does not apply to it.
NOTE_SCRIPTS_RUN = """
window.refugeScriptsRun = [];
document.addEventListener("load", (event) => {
  if (event.target.tagName === "SCRIPT") window.refugeScriptsRun.push(event.target.src);
}, true);
"""


def watch_csp(page) -> None:
    """Collect on `page.csp_violations` what the Content-Security-Policy refused, as the
    browser says it in the console, and the page's uncaught errors (a refused script
    often shows only as one)."""
    page.csp_violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            page.csp_violations.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.csp_violations.append(f"page error: {error}"))
    page.add_init_script(NOTE_SCRIPTS_RUN)
    page.wait_for_function = polled(page)


def polled(page):
    """`page.wait_for_function` that works under the policy: Playwright's own polls a
    string expression with eval() inside the page, which the policy refuses ("'unsafe-eval'
    is not an allowed source"); page.evaluate is not. Asked from here every 100 ms."""
    import time

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def wait_for_function(expression: str, arg=None, timeout: float | None = None, **_ignored):
        limit = (timeout if timeout is not None else 30_000) / 1000
        ends = time.monotonic() + limit
        while True:
            try:
                value = page.evaluate(expression, arg)
            except PlaywrightError as error:
                # Asked while the page was being replaced (a form posted): ask the next one.
                if "context was destroyed" not in str(error):
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > ends:
                raise PlaywrightTimeout(f"waiting for {expression} ({limit:g} s)")
            page.wait_for_timeout(100)

    return wait_for_function


def scripts_not_run(page) -> list[str]:
    """The page's script files that have not run (see NOTE_SCRIPTS_RUN)."""
    return page.evaluate("""() => [...document.querySelectorAll("script[src]")]
        .map((script) => script.src)
        .filter((src) => !window.refugeScriptsRun.includes(src))""")

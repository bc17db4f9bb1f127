"""Refuge's settings, all driven by environment variables with safe defaults.

SQLite under var/ by default so a laptop at a crossing point needs no server;
PostgreSQL whenever DATABASE_URL is set.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from refuge.lib.env import (
    SECRET_FILE,
    env_bool,
    env_days,
    env_int,
    env_list,
    env_secret,
    env_str,
    var_dir,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = var_dir()

SECRET_KEY = env_secret("REFUGE_SECRET_KEY", VAR_DIR / SECRET_FILE)
DEBUG = env_bool("REFUGE_DEBUG", False)
ALLOWED_HOSTS = env_list("REFUGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("REFUGE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",  # failed sign-ins limited
    "ninja",  # serves /api/docs' Swagger UI from its own static files, not a CDN
    "refuge.accounts",
    "refuge.audit",
    "refuge.registry",
    "refuge.reports",
    "refuge.shelter",
    "refuge.collect",
    "refuge.matching",
    "refuge.forecast",
    "refuge.aid",
    "refuge.tracing",
    "refuge.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "refuge.lib.middleware.api_body_limit",
    "refuge.lib.middleware.no_nul_bytes",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "refuge.accounts.sessions.idle_expiry",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "refuge.urls"
WSGI_APPLICATION = "refuge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "refuge.accounts.context.current_post_and_roles",
            ],
            "builtins": ["refuge.lib.template_filters"],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            # Django's own SQLite backend, opened through SQLCipher when REFUGE_DB_KEY is
            # set (refuge/lib/sqlite). With IMMEDIATE transactions and SQLite's busy
            # timeout, 20 clients registering at once got no error (docs/benchmarks.md),
            # so the writers' queue this project once kept beside it is retired.
            "ENGINE": "refuge.lib.sqlite",
            "NAME": VAR_DIR / "refuge.sqlite3",
            # Kept open between requests, as PostgreSQL's are: opening one per request
            # cost each registration about half a millisecond.
            "CONN_MAX_AGE": 60,
            # Tests use a file too, not shared memory: there a second writer fails at
            # once ("table is locked") instead of queueing, so the "at most one" tests
            # could not run real threads against it. One per test run (its process), so
            # two runs side by side do not share it.
            "TEST": {"NAME": str(VAR_DIR / f"test-refuge-{os.getpid()}.sqlite3")},
            "OPTIONS": {
                # WAL lets readers carry on while one desk writes; IMMEDIATE
                # takes the write lock at BEGIN so concurrent writers queue
                # instead of failing half-way through a registration. FULL syncs
                # the WAL at every commit: a registration acknowledged survives a power
                # cut (reception laptops run on generators); cost in docs/benchmarks.md.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # Encrypted with SQLCipher when set (refuge/lib/sqlite/cipher.py).
                "key": env_str("REFUGE_DB_KEY"),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed sign-ins for one username from one address (the sign-in page,
# the admin site and ODK Collect alike), that pair is refused for the cool-off time. A
# whole reception centre shares one address, so the address alone is never locked.
AXES_FAILURE_LIMIT = env_int("REFUGE_SIGNIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("REFUGE_SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # its start-up line would open every command's output
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# A session ends after this long without a request (refuge.accounts.sessions).
SESSION_COOKIE_AGE = env_int("REFUGE_IDLE_MINUTES", 8 * 60) * 60
# No script but the app's own files, no inline script or style, nothing from elsewhere:
# enforced, and the browser tests walk every page with it (refuge/ops/tests/test_csp.py).
# Swagger UI (/api/docs) and the admin site bring inline scripts of their own.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs", "/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("REFUGE_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("hy", _("Armenian")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers as each language writes them (refuge/formats/<language>/).
FORMAT_MODULE_PATH = ["refuge.formats"]
TIME_ZONE = env_str("REFUGE_TIME_ZONE", "Asia/Yerevan")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve assets straight from the apps as well, so tests and a fresh checkout
# work before `collectstatic` has run; `refuge serve` collects them anyway.
WHITENOISE_USE_FINDERS = True

# An API request larger than this is refused with a JSON 413 before parsing.
REFUGE_API_MAX_BODY_BYTES = env_int("REFUGE_API_MAX_BODY_BYTES", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(REFUGE_API_MAX_BODY_BYTES, 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# A submission from ODK Collect or KoboCollect larger than this (the form's XML and any
# attachments together) is refused with an OpenRosa message.
REFUGE_COLLECT_MAX_BYTES = env_int("REFUGE_COLLECT_MAX_BYTES", 10_000_000)
# Hours a reserved bed is held for a household that has not yet arrived.
# A desk kept offline sends when it registered a household; no earlier than this many
# days ago. And the figures' day by day series shows this many days at most.
REFUGE_OFFLINE_DAYS = env_int("REFUGE_OFFLINE_DAYS", 30)
REFUGE_FIGURE_DAYS = env_int("REFUGE_FIGURE_DAYS", 120)
REFUGE_RESERVATION_HOURS = env_int("REFUGE_RESERVATION_HOURS", 12)
# Seconds an app process reuses an API token's user and roles, and a post, before
# reading them again (refuge.lib.recent); 0 reads them on every request.
REFUGE_LOOKUP_SECONDS = env_int("REFUGE_LOOKUP_SECONDS", 10)
# Country whose numbering plan applies to phone numbers typed without a +code.
REFUGE_PHONE_REGION = env_str("REFUGE_PHONE_REGION", "AM")
# The domain of this Refuge's PFIF record ids (`DOMAIN/local-id`), as partners know it.
REFUGE_PFIF_DOMAIN = env_str("REFUGE_PFIF_DOMAIN", "refuge.example.org")

# The legal basis of each purpose until an administrator records one (refuge.registry.
# consent): REFUGE_LEGAL_BASIS="tracing=consent,payments=public_interest" overrides some.
REFUGE_LEGAL_BASIS = {"registration": "vital_interest", "tracing": "vital_interest",
                      "payments": "public_interest", "audit": "public_interest",
                      **dict(item.split("=", 1) for item in env_list("REFUGE_LEGAL_BASIS", []))}
# Days each purpose keeps what it holds (refuge.registry.retention): registrations count
# from the household's closing; 0 keeps without limit. REFUGE_RETENTION="audit=730".
REFUGE_RETENTION_DAYS = env_days("REFUGE_RETENTION", {
    "registration": 5 * 365, "tracing": 2 * 365, "payments": 7 * 365, "audit": 3 * 365})

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("REFUGE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Logs carry no personal data: request lines only name UUIDs, and error
# reports are not mailed with request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request_data": {"()": "refuge.lib.logs.DropRequestData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_request_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("REFUGE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # fontTools reports every table it subsets while a PDF is written.
        "fontTools": {"level": "WARNING"},
    },
}
ADMINS: list = []

# After an import or the demo, start a search of the whole registry for duplicates (the
# bulk load's arrival check), as the duplicates page would.
REFUGE_SEARCH_AFTER_BULK = env_bool("REFUGE_SEARCH_AFTER_BULK", True)

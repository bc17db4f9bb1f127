"""Read settings from environment variables, failing loudly on bad values."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """Where the SQLite file, the secret key and the collected static files live."""
    return Path(os.environ.get("REFUGE_VAR_DIR") or Path.cwd() / "var")


SECRET_FILE = "secret_key"


def env_secret(name: str, keep_in: Path) -> str:
    """The secret from the environment, or the one kept in a file by prepare_var_dir().

    Reading settings writes nothing: without either (a test run, a one-off script) the
    secret lives only as long as the process.
    """
    given = os.environ.get(name)
    if given:
        return given
    if keep_in.exists():
        return keep_in.read_text().strip()
    return secrets.token_urlsafe(50)


def prepare_var_dir(directory: Path | None = None) -> None:
    """Make var/ with its static folder, and a secret key kept there once: run by the
    `refuge` command and the WSGI application before they start, so sessions survive a
    restart and every server process signs with the same key."""
    directory = directory or var_dir()
    (directory / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns without
    keep_in = directory / SECRET_FILE
    if not keep_in.exists():
        keep_in.write_text(secrets.token_urlsafe(50))
        keep_in.chmod(0o600)

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


def env_secret(name: str, keep_in: Path) -> str:
    """The secret from the environment, or one generated once and kept in a file.

    Keeping it in a file means sessions survive a restart of `refuge serve`
    without the operator having to invent a key.
    """
    given = os.environ.get(name)
    if given:
        return given
    if keep_in.exists():
        return keep_in.read_text().strip()
    keep_in.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(50)
    keep_in.write_text(secret)
    keep_in.chmod(0o600)
    return secret


def env_days(name: str, default: dict[str, int | None]) -> dict[str, int | None]:
    """A schedule in days per key, "registration=1825,audit=1095", over the default;
    0 means kept without limit."""
    schedule = dict(default)
    for item in env_list(name, []):
        key, _equals, days = item.partition("=")
        if key.strip() not in default or not days.strip().isdecimal():
            raise ImproperlyConfigured(f"{name}: {item!r} is not one of "
                                       f"{', '.join(default)} = a number of days")
        schedule[key.strip()] = int(days) or None
    return schedule

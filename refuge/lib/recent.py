"""Look-ups that every API request repeats, remembered for a few seconds per process.

A desk's offline queue or a partner system sends many requests a second with the same
token to the same post. Reading the token, its user's roles and the post on each one
cost about a third of a registration's server time. They are kept for
`REFUGE_LOOKUP_SECONDS` (10 by default; 0 turns this off): a revoked token, a changed
role or a closed post takes effect within that time on every app server, and at once
in the process that made the change.
"""

import functools
import threading
from collections.abc import Callable, Hashable

from cachetools import TTLCache
from django.conf import settings
from django.db import transaction

_everything: list[Callable[[], None]] = []


def remembered(lookup: Callable[[Hashable], object]) -> Callable[[Hashable], object]:
    """Wrap a one-argument look-up so that its answers (None included) are reused for a
    few seconds. `.forget()` drops them."""
    lock = threading.Lock()
    held: dict[int, TTLCache] = {}

    @functools.wraps(lookup)
    def wrapper(key):
        seconds = settings.REFUGE_LOOKUP_SECONDS
        if not seconds:
            return lookup(key)
        with lock:
            cache = held.get(seconds)
            if cache is None:
                held.clear()
                cache = held[seconds] = TTLCache(maxsize=1024, ttl=seconds)
            if key in cache:
                return cache[key]
        value = lookup(key)
        with lock:
            cache[key] = value
        return value

    def forget() -> None:
        with lock:
            held.clear()

    wrapper.forget = forget
    _everything.append(forget)
    return wrapper


def forget_all(*_args, **_kwargs) -> None:
    """Drop every remembered look-up (connected to the signals of what they read): now,
    and again once the change is committed, in case another thread of this process read
    the old row in between."""
    forget_everything()
    transaction.on_commit(forget_everything)


def forget_everything() -> None:
    """Drop every remembered look-up now."""
    for forget in _everything:
        forget()

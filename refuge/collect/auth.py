"""HTTP authentication as ODK Collect and KoboCollect do it: Digest, or Basic.

Collect sends Basic credentials only over HTTPS; over a crossing point's local network
it answers a Digest challenge. Digest nonces are stateless: a timestamp signed with the
secret key, good for a few minutes, so any app server behind a load balancer accepts
them.
"""

import hashlib
import hmac
import time
from base64 import b64decode

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model

from refuge.collect.models import CollectCredential

REALM = "Refuge"
NONCE_SECONDS = 300


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def ha1(username: str, password: str) -> str:
    return _md5(f"{username}:{REALM}:{password}")


def new_nonce(now: float | None = None) -> str:
    stamp = str(int(now or time.time()))
    return f"{stamp}.{_signature(stamp)}"


def _signature(stamp: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), stamp.encode(), hashlib.sha256).hexdigest()


def _fresh(nonce: str, now: float | None = None) -> bool:
    stamp, _dot, signature = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _signature(stamp)):
        return False
    return 0 <= (now or time.time()) - int(stamp) <= NONCE_SECONDS


def challenge() -> str:
    return (f'Digest realm="{REALM}", qop="auth", algorithm=MD5, '
            f'nonce="{new_nonce()}", opaque="{_md5(REALM)}"')


def _digest_parts(header: str) -> dict[str, str]:
    parts = {}
    for item in header.split(","):
        key, _eq, value = item.strip().partition("=")
        parts[key.strip()] = value.strip().strip('"')
    return parts


def user_from(request):
    """The signed-in user the request's Authorization header proves, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, credentials = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            username, _colon, password = b64decode(credentials).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return authenticate(request, username=username, password=password)
    if scheme.lower() == "digest":
        return _digest_user(request, _digest_parts(credentials))
    return None


def _digest_user(request, parts: dict[str, str]):
    needed = ("username", "nonce", "uri", "response", "nc", "cnonce", "qop")
    if any(not parts.get(key) for key in needed) or not _fresh(parts["nonce"]):
        return None
    credential = (CollectCredential.objects.select_related("user")
                  .filter(user__username=parts["username"], user__is_active=True).first())
    if credential is None:
        return None
    ha2 = _md5(f"{request.method}:{parts['uri']}")
    expected = _md5(f"{credential.ha1}:{parts['nonce']}:{parts['nc']}:{parts['cnonce']}:"
                    f"{parts['qop']}:{ha2}")
    if not hmac.compare_digest(expected, parts["response"]):
        return None
    return credential.user


def set_password(username: str, password: str) -> None:
    user = get_user_model().objects.get(username=username)
    CollectCredential.objects.update_or_create(user=user,
                                               defaults={"ha1": ha1(username, password)})

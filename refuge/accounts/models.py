import hashlib
import secrets
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.lib.languages import NamedInLanguages
from refuge.lib.recent import remembered


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user, name: str = "") -> tuple["ApiToken", str]:
        """Create a token; the key itself is returned once and only its hash is kept."""
        key = "rfg_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_hash=hash_token(key))
        return token, key

    def user_for_key(self, key: str):
        return _user_for_hash(hash_token(key))


@remembered
def _user_for_hash(key_hash: str):
    """The active user a token belongs to, or None. The user object is reused for a few
    seconds, with the roles cached on it (refuge.lib.recent)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class ApiToken(models.Model):
    """A bearer token for offline clients and partner systems."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)

    objects = ApiTokenQuerySet.as_manager()


class Post(NamedInLanguages):
    """A crossing point or a reception centre: where staff count or register people."""

    CROSSING = "crossing"
    RECEPTION = "reception"
    KINDS = [(CROSSING, _("crossing point")), (RECEPTION, _("reception centre"))]

    uuid = models.UUIDField(unique=True, default=uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=KINDS)
    code = models.CharField(max_length=8, unique=True, help_text=_("Short code, e.g. GOR"))
    name = models.CharField(max_length=100)
    province = models.CharField(max_length=100, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        # Kept where it was made, when posts belonged to the registry.
        db_table = "registry_post"

"""Posts: the crossing points and reception centres, and a reception centre's name index
for desks working offline."""

from datetime import datetime
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema

from refuge.accounts.models import Post
from refuge.accounts.roles import (
    REGISTER,
    VIEW_FIGURES,
    ensure,
)
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import FieldError, Invalid, referenced
from refuge.lib.recent import remembered
from refuge.registry import queries

router = Router(tags=["registry"])


@remembered
def _open_post(code: str) -> Post | None:
    return Post.objects.filter(code=code, is_open=True).first()


def open_post(code: str, where: str = "post") -> Post:
    post = _open_post(code)
    if post is None:
        raise Invalid([FieldError(where, gettext("%(code)s is not an open post")
                                  % {"code": code})])
    return post


class PostOut(Schema):
    uuid: UUID
    code: str
    name: str
    kind: str
    province: str
    is_open: bool


class NameIndexOut(Schema):
    post: str
    generated_at: datetime
    entries: list[str]


@router.get("/name-index", response=NameIndexOut)
def name_index(request, post: str):
    """The name keys of people already registered at a reception centre and in its
    province ("family key|given key|birth year|registration number"), for a desk to
    warn of likely duplicates with no network. Refresh it while online."""
    ensure(request.user, REGISTER)
    centre = referenced(Post, "post", code=post.upper(), kind=Post.RECEPTION)
    audit.record(request.user, AuditEvent.EXPORT, "person", None, what="name index",
                 post=centre.code)
    return {"post": centre.code, "generated_at": timezone.now(),
            "entries": queries.name_index(centre)}


@router.get("/posts", response=list[PostOut])
def list_posts(request):
    ensure(request.user, VIEW_FIGURES)
    return list(Post.objects.all())

"""Tallies: the people in one vehicle at a crossing point, counted, corrected and listed."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import (
    COUNT_CROSSINGS,
    ensure,
)
from refuge.lib import names
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Patch, Strict
from refuge.registry import crossings, queries
from refuge.registry.api.people import ChangeOut
from refuge.registry.api.posts import open_post
from refuge.registry.models import Tally

router = Router(tags=["registry"])


class TallyIn(Strict):
    uuid: UUID
    post: str
    people_aboard: int
    vehicle_ref: str = ""
    note: str = ""
    counted_at: datetime | None = None
    device_id: str = ""


class TallyOut(Schema):
    uuid: UUID
    post: str
    counted_at: datetime
    people_aboard: int
    vehicle_ref: str
    note: str


def tally_out(tally: Tally) -> dict:
    return {"uuid": tally.uuid, "post": tally.post.code, "counted_at": tally.counted_at,
            "people_aboard": tally.people_aboard, "vehicle_ref": tally.vehicle_ref,
            "note": tally.note}


@router.post("/tallies", auth=authorized(COUNT_CROSSINGS),
             response={200: TallyOut, 201: TallyOut, 409: Errors, 422: Errors})
def record_tally(request, payload: TallyIn):
    ensure(request.user, COUNT_CROSSINGS)
    post = open_post(payload.post)
    body = payload.model_dump(mode="json", exclude={"post"})
    tally, created = crossings.record_tally(body, user=request.user, post=post)
    return Status(201 if created else 200, tally_out(tally))


@router.get("/tallies/{uuid}", response=TallyOut)
def get_tally(request, uuid: UUID):
    ensure(request.user, COUNT_CROSSINGS)
    return tally_out(get_object_or_404(Tally.objects.select_related("post"), uuid=uuid))


class TallyPatch(Patch):
    people_aboard: int | None = None
    vehicle_ref: str | None = None
    note: str | None = None


@router.patch("/tallies/{uuid}", auth=authorized(COUNT_CROSSINGS),
              response={200: TallyOut, 422: Errors})
def correct_tally(request, uuid: UUID, payload: TallyPatch):
    """Correct a count; the crossing figures follow."""
    ensure(request.user, COUNT_CROSSINGS)
    tally = get_object_or_404(Tally.objects.select_related("post"), uuid=uuid)
    crossings.correct_tally(tally, payload.model_dump(exclude_unset=True), user=request.user)
    return tally_out(tally)


class TallyFieldChangeOut(Schema):
    field: str
    before: int | str
    after: int | str


class TallyChangeOut(ChangeOut):
    fields: list[TallyFieldChangeOut]


@router.get("/tallies/{uuid}/history", response=list[TallyChangeOut])
def tally_history(request, uuid: UUID):
    """Every version of a count, newest first: when, by whom, and each field's value
    before and after."""
    ensure(request.user, COUNT_CROSSINGS)
    return queries.tally_changes(get_object_or_404(Tally, uuid=uuid))


class TallyPage(Schema):
    items: list[TallyOut]
    next_cursor: str | None


@router.get("/tallies", response=TallyPage)
def list_tallies(request, post: str | None = None, cursor: str | None = None,
                 size: int = DEFAULT_PAGE_SIZE):
    ensure(request.user, COUNT_CROSSINGS)
    tallies = Tally.objects.select_related("post")
    if post and names.forbidden_char(post) is None:
        tallies = tallies.filter(post__code=post)
    items, next_cursor = page(tallies, cursor, size)
    return {"items": [tally_out(t) for t in items], "next_cursor": next_cursor}

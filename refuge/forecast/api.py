from datetime import datetime, timedelta
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import CONFIGURE, VIEW_FIGURES, ensure
from refuge.forecast import impact, queries, services
from refuge.forecast.flow import Band, Forecast
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.errors import Conflict
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Strict

router = Router(tags=["forecast"])


class BandOut(Schema):
    p10: int
    p50: int
    p90: int


class HorizonOut(Schema):
    hours: float
    at: datetime
    p10: int
    p50: int
    p90: int


class OverOut(Schema):
    """From when fewer than 1 % of the expected total will arrive in a day, for good; null:
    not within three weeks."""

    p10: datetime | None
    p50: datetime | None
    p90: datetime | None


class ExpectedOut(Schema):
    uuid: UUID
    low: int
    likely: int
    high: int
    floor: int
    ceiling: int
    note: str
    set_at: datetime
    set_by: str | None


class AlertOut(Schema):
    code: str
    params: dict
    message: str


class ForecastOut(Schema):
    issued_at: datetime
    crossed: int
    rate_per_hour: float
    capacity_per_hour: float
    horizons: list[HorizonOut]
    total: BandOut
    still_to_come: BandOut
    over: OverOut
    range_exceeded: bool
    stalled_hours: float | None
    reopen_chance: float | None
    path: list[HorizonOut]
    expected: ExpectedOut
    alerts: list[AlertOut]


class ExpectedIn(Strict):
    uuid: UUID | None = None
    low: int | None = None
    likely: int
    high: int | None = None
    note: str = ""


class ExpectedPage(Schema):
    items: list[ExpectedOut]
    next_cursor: str | None


def expected_out(row: ExpectedPopulation) -> dict:
    return {"uuid": row.uuid, "low": row.low, "likely": row.likely, "high": row.high,
            "floor": row.range.floor, "ceiling": row.range.ceiling, "note": row.note,
            "set_at": row.set_at, "set_by": row.set_by.get_username() if row.set_by else None}


def _rounded(band: Band) -> dict:
    return {"p10": round(band.p10), "p50": round(band.p50), "p90": round(band.p90)}


def forecast_out(forecast: Forecast, expected: ExpectedPopulation) -> dict:
    over = forecast.over_at()
    return {
        "issued_at": forecast.issued_at, "crossed": forecast.crossed,
        "rate_per_hour": round(forecast.rate, 1),
        "capacity_per_hour": round(forecast.capacity, 1),
        "horizons": [{"hours": h, "at": forecast.issued_at + timedelta(hours=h),
                      **_rounded(b)} for h, b in sorted(forecast.horizons.items())],
        "total": _rounded(forecast.total), "still_to_come": _rounded(forecast.still_to_come),
        "over": {"p10": over[0], "p50": over[1], "p90": over[2]},
        "range_exceeded": forecast.range_exceeded,
        "stalled_hours": None if forecast.stalled_hours is None
        else round(forecast.stalled_hours, 1),
        "reopen_chance": None if forecast.reopen_chance is None
        else round(forecast.reopen_chance, 3),
        "path": [{"hours": round((at - forecast.issued_at).total_seconds() / 3600, 3), "at": at,
                  **_rounded(b)} for at, b in forecast.path],
        "expected": expected_out(expected),
        "alerts": [a.as_dict() for a in impact.alerts(forecast)],
    }


@router.get("", response={200: ForecastOut, 409: Errors})
def current(request):
    """People crossed in all by +6, +12, +24 and +48 h, the total still to come and when
    the influx is likely to be over, each with a median and an 80 % interval; the hourly
    path for two days; alerts as codes with parameters (and their message in the request's
    language). Aggregates only, for every role. 409 until an expected population is set and
    a tally counted."""
    ensure(request.user, VIEW_FIGURES)
    expected = ExpectedPopulation.objects.current()
    if expected is None:
        raise Conflict("expected", _("no expected population is set yet "
                                     "(POST /api/forecast/expected)"))
    forecast = queries.current_forecast()
    if forecast is None:
        raise Conflict("crossed", _("no crossing has been counted yet"))
    return forecast_out(forecast, expected)


@router.post("/expected", auth=authorized(CONFIGURE),
             response={200: ExpectedOut, 201: ExpectedOut, 409: Errors, 422: Errors})
def set_expected(request, payload: ExpectedIn):
    """Set how many people are expected to cross in all: `likely`, and `low` and `high`
    when known (each defaults to `likely`; the forecast widens the range by a fifth either
    way). Each setting is kept; the newest is in force. Idempotent on the client's UUID."""
    ensure(request.user, CONFIGURE)
    row, created = services.set_expected(payload.model_dump(), user=request.user)
    return Status(201 if created else 200, expected_out(row))


@router.get("/expected", response=ExpectedPage)
def expected_history(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    """Every expected population set, newest (the one in force) first."""
    ensure(request.user, VIEW_FIGURES)
    rows, next_cursor = page(ExpectedPopulation.objects.select_related("set_by"), cursor, size)
    return {"items": [expected_out(r) for r in rows], "next_cursor": next_cursor}

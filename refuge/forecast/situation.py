"""The forecast's part of the situation picture (refuge.lib.situation): people crossed in
all by +6, +12, +24 and +48 h and still to come, when the influx is likely to be over,
what it means for free beds by province (shelter's figures, the section before) and for
the registration desks, and the alerts it raises; on the dashboard with its chart, in
/api/situation under `sections.forecast` and in the daily report.

The figures are plain JSON (times in ISO 8601, hours that never come as null) and the
alerts are codes with parameters, translated when shown. The forecast reads the
pre-counted crossing figures, and is made again only when a tally arrives, the expected
range changes or a minute has passed (refuge.forecast.queries.current).
"""

import math
import threading
from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from refuge.forecast import charts, impact, queries
from refuge.forecast.flow import Band
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.formats import grouped
from refuge.lib.provinces import shown as province_shown
from refuge.lib.situation import Context, Section, Table

HORIZONS = (6, 12, 24, 48)
CLEAR_WITHIN = 12  # hours: the desks that would clear the backlog by then
NO_EXPECTED, NO_CROSSING, READY = "no_expected", "no_crossing", "ready"


def _band(band: Band) -> dict:
    return {q: round(getattr(band, q)) for q in ("p10", "p50", "p90")}


def _hours(band: Band) -> dict:
    return {q: None if not math.isfinite(getattr(band, q)) else round(getattr(band, q), 1)
            for q in ("p10", "p50", "p90")}


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def figures(context: Context) -> dict:
    found = queries.current(context.now, counts=queries.figure_counts)
    if found is None:
        expected = ExpectedPopulation.objects.current()
        if expected is None:
            return {"status": NO_EXPECTED}
        return {"status": NO_CROSSING,
                "expected": {"low": expected.low, "likely": expected.likely,
                             "high": expected.high}}
    forecast, reports = found
    registered = queries.registered()
    shelter = context.earlier.get("shelter", {})
    # The same forecast (remembered for a minute at most), people registered and beds: the
    # same figures, without reading the desks again.
    key = (registered, repr(shelter.get("provinces")))
    with _lock:
        if _last.get("forecast") is forecast and _last["key"] == key:
            return _last["figures"]
    result = _figures(context, forecast, reports, registered, shelter)
    with _lock:
        _last.update(forecast=forecast, key=key, figures=result)
    return result


_lock = threading.Lock()
_last: dict = {}


def _figures(context: Context, forecast, reports, registered: int, shelter: dict) -> dict:
    beds_rows, needing, measured = _beds(forecast, shelter)
    desks_open, per_desk, paced = queries.desk_pace(context.now)
    outlook = impact.desks(forecast, registered, desks_open, per_desk,
                           forecast.issued_at + timedelta(hours=CLEAR_WITHIN), HORIZONS)
    over = forecast.over_at()
    return {
        "status": READY,
        "issued_at": forecast.issued_at.isoformat(),
        "crossed": forecast.crossed,
        "rate_per_hour": round(forecast.rate, 1),
        "capacity_per_hour": round(forecast.capacity, 1),
        "expected": {"low": forecast.expected.low, "likely": forecast.expected.likely,
                     "high": forecast.expected.high},
        "horizons": [{"hours": h, "at": (forecast.issued_at + timedelta(hours=h)).isoformat(),
                      **_band(forecast.horizons[h])} for h in HORIZONS],
        "total": _band(forecast.total),
        "still_to_come": _band(forecast.still_to_come),
        "over": {"p10": _moment(over[0]), "p50": _moment(over[1]), "p90": _moment(over[2])},
        "beds": {
            "needing_share": round(needing, 3), "needing_share_measured": measured,
            "provinces": [{"province": row.province, "free": row.free,
                           "need": [{"hours": h, **_band(row.need[h])} for h in HORIZONS],
                           "runs_out_in": _hours(row.runs_out_in)} for row in beds_rows],
        },
        "desks": {
            "registered": registered, "backlog": outlook.backlog,
            "desks_open": outlook.desks_open, "per_desk": round(outlook.per_desk, 1),
            "per_desk_measured": paced,
            "backlog_at": [{"hours": h, **_band(outlook.backlog_at[h])} for h in HORIZONS],
            "cleared_in": _hours(outlook.cleared_in),
            "clear_by": outlook.clear_by.isoformat(),
            "desks_needed": _band(outlook.desks_needed),
        },
        "alerts": [{"code": a.code, "params": a.params}
                   for a in impact.alerts(forecast, beds_rows, outlook)],
        "chart": charts.series(forecast, reports),
    }


def _beds(forecast, shelter: dict) -> tuple[list[impact.Beds], float, bool]:
    """Beds by province where there are shelter sites, arrivals sent to each in the
    shares households were placed so far (by free beds before anyone was)."""
    provinces = [p for p in shelter.get("provinces", []) if p["beds"] > 0]
    needing, measured = queries.needing_share()
    if not provinces:
        return [], needing, measured
    placed = {p["province"]: p["households_placed"] for p in provinces}
    all_placed = sum(placed.values())
    shares = {p: n / all_placed for p, n in placed.items()} if all_placed else None
    free = {p["province"]: p["free"] for p in provinces}
    return impact.beds(forecast, needing, free, shares, HORIZONS), needing, measured


def alert_text(alert: dict) -> str:
    """An alert of the figures in the reader's language."""
    return impact.alert_message(impact.Alert(alert["code"], alert["params"]))


def _when(text: str | None) -> str:
    if text is None:
        return _("not within three weeks")
    return date_format(localtime(datetime.fromisoformat(text)), "j E H:i")


def _people(band: dict) -> dict:
    """A band of people as shown: the median, and the 80 % interval as a range."""
    return {"p50": grouped(band["p50"]),
            "range": f'{grouped(band["p10"])}–{grouped(band["p90"])}'}


def _in_full(shown: dict) -> str:
    return _("%(p50)s (80 %%: %(range)s)") % shown


def _within(hours: dict) -> dict:
    """Hours until something happens (null: not within two days), as shown."""
    if hours["p50"] is None:
        return {"p50": _("not within two days"), "range": ""}
    low = round(hours["p10"])
    if hours["p90"] is None:
        spread = _("%(low)s h to later than two days") % {"low": low}
    else:
        spread = _("%(low)s–%(high)s h") % {"low": low, "high": round(hours["p90"])}
    return {"p50": _("about %(hours)s h") % {"hours": round(hours["p50"])}, "range": spread}


def shown(figures: dict) -> dict:
    """The figures as the dashboard and the report show them, in the reader's language."""
    if figures.get("status") != READY:
        return {}
    by = {h["hours"]: h for h in figures["horizons"]}
    return {
        "horizons": [(_("by %(when)s (+%(hours)s h)") % {"when": _when(h["at"]),
                                                          "hours": h["hours"]}, _people(h))
                     for h in figures["horizons"]],
        "day": _people(by[24]),
        "still_to_come": _people(figures["still_to_come"]),
        "total": _people(figures["total"]),
        "over": _when(figures["over"]["p50"]),
        "beds": [(province_shown(p["province"]) if p["province"] else _("All provinces"),
                  grouped(p["free"]), _people(next(n for n in p["need"] if n["hours"] == 24)),
                  _within(p["runs_out_in"])) for p in figures["beds"]["provinces"]],
        "alerts": [alert_text(a) for a in figures["alerts"]],
        "needing_percent": round(100 * figures["beds"]["needing_share"]),
    }


def tables(figures: dict) -> list[Table]:
    text = shown(figures)
    if not text:  # no range or no count yet: the dashboard says which
        return []
    arrivals = Table(_("Arrival forecast"), [_("People crossed in all"), _("Median (p10–p90)")],
                     [*([label, _in_full(people)] for label, people in text["horizons"]),
                      [_("Still to come"), _in_full(text["still_to_come"])],
                      [_("In all"), _in_full(text["total"])],
                      [_("Likely over by"), text["over"]]])
    beds = Table(_("Free beds in the forecast"),
                 [_("Province"), _("Free beds"), _("Needing a place within 24 h"),
                  _("Free beds run out in")],
                 [[province, free, _in_full(need), _in_full(runs_out) if runs_out["range"]
                   else runs_out["p50"]] for province, free, need, runs_out in text["beds"]],
                 empty=_("No shelter sites are recorded yet."))
    alerts = Table(_("Forecast alerts"), [_("Alert")], [[line] for line in text["alerts"]],
                   empty=_("No alerts."))
    return [arrivals, beds, alerts]


def facts(figures: dict) -> list[tuple[str, str]]:
    text = shown(figures)
    if not text:
        return []
    return [(_("Crossed in all in 24 h (forecast)"), _in_full(text["day"])),
            (_("Still to come (forecast)"), _in_full(text["still_to_come"]))]


SECTION = Section(key="forecast", order=50, figures=figures,
                  template="forecast/_situation.html", tables=tables, facts=facts)

from datetime import date, datetime

from ninja import Router, Schema

from refuge.accounts.roles import VIEW_FIGURES, ensure
from refuge.reports import queries

router = Router(tags=["situation"])
# The home page's totals per post, at /api/figures.
figures_router = Router(tags=["situation"])


class DayOut(Schema):
    day: date
    crossed: int
    registered: int
    placed: int
    crossed_total: int
    registered_total: int
    placed_total: int


class PostFiguresOut(Schema):
    code: str
    name: str
    kind: str
    province: str
    crossed: int
    crossed_today: int
    registered: int
    registered_today: int


class SituationOut(Schema):
    as_of: datetime
    expected: int
    crossed: int
    registered: int
    backlog: int
    placed: int
    households: int
    households_waiting: int
    households_not_asked: int
    days: list[DayOut]
    posts: list[PostFiguresOut]
    pyramid: list[dict]
    needs: list[dict]
    shelter: list[dict]
    # Every app's part of the picture, by key (shelter, and what other apps provide).
    sections: dict[str, dict]


@router.get("", response=SituationOut)
def situation(request):
    """The situation picture as numbers: aggregates only, for every role."""
    ensure(request.user, VIEW_FIGURES)
    picture = queries.situation_figures()
    # Shelter's figures also stay where the API had them before they were its section.
    shelter = picture.sections.get("shelter", {})
    return {
        **{name: getattr(picture, name) for name in (
            "as_of", "expected", "crossed", "registered", "backlog", "placed", "households",
            "days", "posts", "pyramid", "sections")},
        "households_waiting": shelter.get("households_waiting", 0),
        "households_not_asked": shelter.get("households_not_asked", 0),
        "shelter": shelter.get("provinces", []),
        "needs": [{**n, "label": str(n["label"])} for n in picture.needs],
    }


class PostFigures(Schema):
    code: str
    name: str
    kind: str
    crossed_today: int
    crossed: int
    households_registered: int
    people_registered: int


class FiguresOut(Schema):
    crossed: int
    registered: int
    backlog: int
    posts: list[PostFigures]


@figures_router.get("", response=FiguresOut)
def get_figures(request):
    """Aggregates only: open to every role, analysts included."""
    ensure(request.user, VIEW_FIGURES)
    return queries.overview()

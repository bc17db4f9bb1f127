"""The checks every arrival goes through, whatever brought it in (desk, API, ODK, offline
queue, import): who each new person may already be.

The registry's registration service calls these; the app that knows how to answer
(matching) provides them in its AppConfig.ready(), so imports keep pointing one way and
no entry point can forget a check. With no provider installed, nobody is anybody.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PossibleMatch:
    """A registered person one typed member may be."""

    person_id: int
    probability: float
    # At or above the documented threshold for "certainly the same person": such a
    # member is not saved as new without the registrar's explicit choice.
    certain: bool
    registration_number: str = ""
    levels: dict = field(default_factory=dict, compare=False)


@dataclass
class ArrivalCheck:
    """The functions an app provides; see `provide`."""

    # members as the API takes them (names, sex, birth_date as typed, documents, phone,
    # origin) -> for each member, the registered people they may be, likeliest first
    find: Callable[[list[dict]], list[list[PossibleMatch]]]
    # (possible matches per saved person, the saved people, the pairs the registrar
    # declared different people, user) -> queue what needs review, record decisions
    record: Callable[[list[list[PossibleMatch]], list, list[tuple[int, int]], object], None]
    # (people saved, user) -> after a bulk load (an import, the demo), where each person is
    # not checked as they are saved: check them all, as soon as the load is committed
    queue: Callable[[int, object], None] | None = None


_provided: list[ArrivalCheck] = []


def provide(check: ArrivalCheck) -> None:
    if check not in _provided:
        _provided.append(check)


def possible_matches(members: list[dict]) -> list[list[PossibleMatch]]:
    found: list[list[PossibleMatch]] = [[] for _member in members]
    for check in _provided:
        for mine, theirs in zip(found, check.find(members), strict=True):
            mine.extend(theirs)
    return found


def record(matches: list[list[PossibleMatch]], people: list, different: list[tuple[int, int]],
           user) -> None:
    for check in _provided:
        check.record(matches, people, different, user)


def queue(people: int, user) -> None:
    """People saved in bulk, unchecked: each provider checks them after the load."""
    for check in _provided:
        if check.queue is not None:
            check.queue(people, user)

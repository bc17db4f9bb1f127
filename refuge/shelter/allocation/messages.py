"""What the allocator says: why each proposal was made, why a household has none, and
what a run found. Each is a `Message`, a code with parameters, stored as such and put
into words in the language of whoever reads it, not of whoever ran the allocator.

A message stored by an earlier version as text, in whatever language its author used,
is shown as it was stored.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refuge.registry.models import SpecificNeed

LEGACY = "text"  # a message stored as text: its one parameter is that text


@dataclass(frozen=True)
class Message:
    """A code and its parameters. It reads, compares and searches as its words in the
    active language, as Django's lazy translations do."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, code: str, **params) -> "Message":
        if "needs" in params:
            params["needs"] = tuple(params["needs"])
        return cls(code, tuple(sorted(params.items())))

    @classmethod
    def stored(cls, value: dict | str) -> "Message":
        """A message as `as_json` stored it, or as an earlier version stored its text."""
        if isinstance(value, str):
            return cls.of(LEGACY, text=value)
        return cls.of(**value)

    @staticmethod
    def known(code: str) -> bool:
        return code in TEXTS

    def as_json(self) -> dict:
        return {"code": self.code, **{name: list(value) if isinstance(value, tuple) else value
                                      for name, value in self.params}}

    def __str__(self) -> str:
        params = dict(self.params)
        words = TEXTS.get(self.code)
        return words(params) if words else str(params.get("text", self.code))

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            return str(self) == other
        return isinstance(other, Message) and (self.code, self.params) == (other.code,
                                                                            other.params)

    def __hash__(self) -> int:
        return hash((self.code, self.params))

    def __contains__(self, words: str) -> bool:
        return words in str(self)


def _needs(codes) -> str:
    return ", ".join(str(SpecificNeed.CODES.get(code, code)) for code in codes)


def _could_add(p: dict) -> str:
    return _("a perfect plan could place at most %(people)s (%(households)s)") % {
        "people": ngettext("%(people)s more person", "%(people)s more people",
                           p["people"]) % p,
        "households": ngettext("%(households)s more household", "%(households)s more "
                               "households", p["households"]) % p}


TEXTS = {
    # Why a proposal was made.
    "placed_first": lambda p: _("placed first: %(needs)s") % {"needs": _needs(p["needs"])},
    "step_free": lambda p: _("needs step-free access, which %(site)s has") % p,
    "relatives_here": lambda p: _("relatives are already at %(site)s") % p,
    "requested_province": lambda p: _("in the requested province, %(province)s") % p,
    "requested_province_full": lambda p: _(
        "%(province)s was asked for but had no fitting free beds") % p,
    "split": lambda p: ngettext(
        "part %(part)s of %(parts)s: no open site had beds for all %(people)s together",
        "part %(part)s of %(parts)s: no open site had beds for all %(people)s together",
        p["people"]) % p,
    "site_free": lambda p: ngettext(
        "%(free)s of %(beds)s bed free at %(site)s (%(share)s%% taken)",
        "%(free)s of %(beds)s beds free at %(site)s (%(share)s%% taken)", p["beds"]) % p,
    # Why a household has no proposal.
    "too_large": lambda p: ngettext(
        "all open sites together have fewer free beds than its %(people)s person",
        "all open sites together have fewer free beds than its %(people)s people",
        p["people"]) % p,
    "too_large_step_free": lambda p: ngettext(
        "no open step-free site has beds for %(people)s person, even split",
        "no open step-free site has beds for %(people)s people, even split",
        p["people"]) % p,
    "beds_taken": lambda p: _("the free beds it could use went to more vulnerable or "
                              "longer-waiting households"),
    "beds_scattered": lambda p: ngettext(
        "%(free)s bed it could use is still free, but at most %(most)s at any one site",
        "%(free)s beds it could use are still free, but at most %(most)s at any one site",
        p["free"]) % p,
    # What a run found.
    "optimal": lambda p: _("optimal, proven for every household waiting and every free bed"),
    "best_found": lambda p: _("best found"),
    "out_of_time": lambda p: _("the solver ran out of time; the households left wait for "
                               "the next run"),
    "nobody_waiting": lambda p: _("nobody is waiting"),
    # How far from perfect a plan may be.
    "none_more": lambda p: _("no plan could place more people or households"),
    "could_add": _could_add,
    "smaller_instead": lambda p: ngettext(
        "no plan could place more people; one placing smaller households instead of "
        "larger could place at most %(households)s more household",
        "no plan could place more people; one placing smaller households instead of "
        "larger could place at most %(households)s more households", p["households"]) % p,
}

"""The scoring of tracing's candidates (refuge.tracing.matching's module docstring has the
formula): rows for sought persons and enquirers, with the enquirer's own family name and
village standing in, as a weaker hint, for what a request leaves out; and the posterior
of each pair of sought person and candidate."""

from dataclasses import dataclass

import numpy as np

from refuge.matching import normalise, queries
from refuge.matching.comparison import FIELDS, NULL, RecordRow, Records, compare
from refuge.matching.fellegi_sunter import Model, discounted
from refuge.tracing.models import Enquiry, SoughtPerson

# The share of sought people registered somewhere: in the benchmark two in three.
REGISTERED_SHARE = 0.5
# The people a sought person may be among, at least: about the number who crossed in 2023.
POPULATION = 100_000
# Birth levels (comparison.birth_levels): "agree as far as known", "one part off".
BIRTH_AGREE = 4
BIRTH_PART_OFF = 2
# When an enquiry leaves the sought person's family name or place of origin out, the
# enquirer's own stands in for it (a relative asking): how often a relative who is sought
# has them. A guess about families, not fitted: children, parents, brothers and wives
# share the surname and the village, married sisters and the mother's side often do not.
ENQUIRER_SHARES = 0.6
# The fields an enquirer's own registration can stand in for.
HINTED = ("family", "place")


@dataclass
class Scored:
    """One candidate of one sought person: the probability, and the levels behind it."""

    key: tuple  # (kind, id)
    probability: float
    levels: dict[str, int]


def sought_row(sought: SoughtPerson) -> RecordRow:
    return RecordRow(record_id=("sought", sought.pk), registration=("enquiry", sought.enquiry_id),
                     household=("enquiry", sought.enquiry_id), given_name=sought.given_name,
                     family_name=sought.family_name, patronymic=sought.patronymic,
                     sex="" if sought.sex == "U" else sought.sex,
                     birth=normalise.birth_from_date(sought.birth_date, sought.birth_precision),
                     place=sought.origin)


def enquirers_hints(sought: SoughtPerson) -> tuple[str, str]:
    """The enquirer's family name and place of origin, for a relative sought."""
    if sought.relation == "unrelated":
        return "", ""
    enquiry = sought.enquiry
    if enquiry.enquirer_id:
        return enquiry.enquirer.family_name, enquiry.enquirer.origin
    return enquiry.enquirer_family_name, ""


def with_hints(row: RecordRow, family: str, place: str) -> tuple[RecordRow, tuple]:
    """The sought person's row with the enquirer's family name and place of origin where
    the enquiry leaves them out, and which fields those are (weighed as hints, `score`)."""
    hinted = []
    if not row.family_name and family:
        row, hinted = row._replace(family_name=family), [*hinted, "family"]
    if not row.place and place:
        row, hinted = row._replace(place=place), [*hinted, "place"]
    return row, tuple(hinted)


def enquirer_row(enquiry: Enquiry) -> RecordRow:
    return RecordRow(record_id=("enquirer", enquiry.pk), registration=("enquiry", enquiry.pk),
                     household=("enquiry", enquiry.pk), given_name=enquiry.enquirer_given_name,
                     family_name=enquiry.enquirer_family_name, phone=enquiry.phone)


def model() -> Model:
    """The registry's model (the last `refuge dedupe`, or the start model)."""
    return queries.current_model()


def score(rows: list[RecordRow], estimated: list[bool], pairs: list[tuple[int, int]],
          population: int, tracing_model: Model | None = None,
          hinted: dict[int, tuple] | None = None, alone: bool = False) -> list[Scored]:
    """Score the pairs (sought row index, candidate row index) of `rows`; `estimated`
    says which rows' birth years come from an age; `hinted`, which fields of which rows
    are the enquirer's rather than the sought person's (`with_hints`). Each
    sought row's candidates share the posterior (module docstring); with `alone`, each
    pair's probability is as if its candidate were the only one, which bounds it above."""
    if not pairs:
        return []
    tracing_model = tracing_model or model()
    records = Records(rows)
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    levels = compare(records, a, b)
    # An age is a year either way: its own year agrees as far as an age can say, a year
    # off is one part off (ages are a year off more often than typed dates, but the
    # year the age says is still the likeliest).
    rough = np.array(estimated, dtype=bool)
    apart = np.abs(records.year[a] - records.year[b])
    known = (rough[a] | rough[b]) & (levels["birth"] != NULL)
    for years, level in ((0, BIRTH_AGREE), (1, BIRTH_PART_OFF)):
        where = known & (apart == years)
        levels["birth"][where] = np.maximum(levels["birth"][where], level)
    levels["family_evidence"][:] = NULL
    even = Model(prior=0.5, m=tracing_model.m, u=tracing_model.u,
                 relatives_rule=True)
    hints = _hinted_pairs(hinted or {}, len(rows), a, b)
    bits = even.match_weight({name: np.where(hints[name], NULL, level) if name in hints
                              else level for name, level in levels.items()})
    bits += _hint_weight(even, levels, hints)
    ratio = np.exp2(np.clip(bits, -200, 200))
    prior = REGISTERED_SHARE / max(population, POPULATION)
    totals = (ratio if alone else
              np.bincount(a, weights=ratio, minlength=len(rows))[a])
    probability = prior * ratio / (prior * totals + 1 - REGISTERED_SHARE)
    result = []
    for i in range(len(pairs)):
        found = {name: int(levels[name][i]) for name in FIELDS}
        if any(hints[name][i] for name in HINTED):
            found["hinted"] = [name for name in HINTED if hints[name][i]]
        result.append(Scored(records.ids[b[i]], float(probability[i]), found))
    return result


def _hinted_pairs(hinted: dict[int, tuple], size: int, a: np.ndarray, b: np.ndarray,
                  ) -> dict[str, np.ndarray]:
    """Per hinted field, the pairs where one side's field is the enquirer's."""
    pairs = {}
    for name in HINTED:
        rows = np.zeros(size, dtype=bool)
        rows[[i for i, fields in hinted.items() if name in fields]] = True
        pairs[name] = rows[a] | rows[b]
    return pairs


def hint_weight(weight: np.ndarray | float) -> np.ndarray:
    """The weight of a level seen on the enquirer's field instead of the sought person's:
    with ENQUIRER_SHARES = s, the odds are s·m/u + (1 − s), since when the sought person
    does not share it the enquirer's field says nothing of the candidate. Agreeing counts
    nearly as much as the sought person's own; differing, much less against."""
    return np.log2(ENQUIRER_SHARES * np.exp2(weight) + 1 - ENQUIRER_SHARES)


def _hint_weight(model: Model, levels: dict[str, np.ndarray], hints: dict[str, np.ndarray],
                 ) -> np.ndarray:
    """The hinted fields' weights (`hint_weight`), under the relatives rule like the rest."""
    weights = model.weights()
    total = np.zeros(len(levels[FIELDS[0]]))
    for name, where in hints.items():
        level = levels[name]
        present = where & (level != NULL)
        weight = np.where(present, hint_weight(weights[name][np.where(present, level, 0)]), 0.0)
        total += np.where(discounted(name, levels), np.minimum(weight, 0.0), weight)
    return total

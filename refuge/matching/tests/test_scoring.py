"""Scoring: duplicates across scripts are found; relatives are not merged."""

from refuge.matching.engine import SHIPPED_THRESHOLD, clusters, link, rows_from_dicts


def person(record_id, household, given, family, father="", sex="", born="", place="", **more):
    return {"record_id": record_id, "household_ref": household, "given_name": given,
            "family_name": family, "patronymic": father, "sex": sex, "birth_date": born,
            "place_of_origin": place, **more}


def probabilities(rows):
    linkage = link(rows_from_dicts(rows))
    return {frozenset(p[:2]): p[2] for p in linkage.pairs()}, linkage


def test_the_same_person_in_armenian_and_russian_is_a_match():
    found, _ = probabilities([
        person("a", "H1", "Հայկ", "Հովհաննիսյան", "Սամվելի", "M", "1980-03-14", "Մարտունի"),
        person("b", "H2", "Айк", "Оганесян", "Самвелович", "M", "1980-03-14", "Мартуни"),
    ])
    assert found[frozenset("ab")] >= SHIPPED_THRESHOLD


def test_day_and_month_swapped_and_a_partial_date_still_match():
    found, _ = probabilities([
        person("a", "H1", "Anahit", "Hakobyan", "Samvel", "F", "1972-04-11", "Martuni"),
        person("b", "H2", "Анаит", "Акопян", "Самвеловна", "F", "1972-11-04", "Мартуни"),
        person("c", "H3", "Anahit", "Hakopian", "Samveli", "F", "1972", "Martuni"),
    ])
    assert found[frozenset("ab")] >= SHIPPED_THRESHOLD
    assert found[frozenset("ac")] >= SHIPPED_THRESHOLD


def test_twins_entered_together_are_never_candidates():
    found, _ = probabilities([
        person("a", "H1", "Aram", "Sargsyan", "Levon", "M", "2015-06-01", "Askeran"),
        person("b", "H1", "Narek", "Sargsyan", "Levon", "M", "2015-06-01", "Askeran"),
    ])
    assert frozenset("ab") not in found


def test_twins_registered_apart_are_not_merged():
    found, _ = probabilities([
        person("a", "H1", "Aram", "Sargsyan", "Levon", "M", "2015-06-01", "Askeran"),
        person("b", "H2", "Davit", "Sargsyan", "Levon", "M", "2015-06-01", "Askeran"),
    ])
    assert found.get(frozenset("ab"), 0) < 0.5


def test_siblings_and_a_grandson_named_after_his_grandfather_are_not_merged():
    found, _ = probabilities([
        person("grandfather", "H1", "Vardan", "Petrosyan", "Hrant", "M", "1948", "Hadrut"),
        person("grandson", "H2", "Վարդան", "Պետրոսյան", "Արմենի", "M", "2012-02-02", "Հադրութ"),
        person("sister", "H3", "Ani", "Petrosyan", "Armen", "F", "2009-05-05", "Hadrut"),
        person("brother", "H4", "Arman", "Petrosyan", "Armen", "M", "2010-05-05", "Hadrut"),
    ])
    assert found.get(frozenset(["grandfather", "grandson"]), 0) < 0.5
    assert found.get(frozenset(["sister", "brother"]), 0) < 0.5


def test_a_father_and_son_of_one_name_are_not_merged():
    found, _ = probabilities([
        person("father", "H1", "Armen", "Grigoryan", "Suren", "M", "1970-01-10", "Shushi"),
        person("son", "H2", "Armen", "Grigoryan", "Armenovich", "M", "1995-03-10", "Shushi"),
    ])
    assert found.get(frozenset(["father", "son"]), 0) < 0.5


def test_a_family_registered_twice_brings_family_evidence():
    rows = [
        person("a1", "H1", "Armen", "Grigoryan", "Suren", "M", "1970-01-10", "Shushi"),
        person("a2", "H1", "Lusine", "Grigoryan", "Ashot", "F", "1974-02-11", "Shushi"),
        person("b1", "H2", "Армен", "Григорян", "Суренович", "M", "1970-01-10", "Шуши"),
        person("b2", "H2", "Лусине", "Григорян", "Ашотовна", "F", "1974-02-11", "Шуши"),
    ]
    found, linkage = probabilities(rows)
    index = [i for i in range(len(linkage.a))
             if {linkage.records.ids[linkage.a[i]], linkage.records.ids[linkage.b[i]]}
             == {"a1", "b1"}][0]
    assert linkage.levels_of(index)["family_evidence"] == 1
    assert found[frozenset(["a1", "b1"])] >= SHIPPED_THRESHOLD


def test_evidence_says_why_in_words():
    _found, linkage = probabilities([
        person("a", "H1", "Aram", "Sargsyan", "Levon", "M", "2015-06-01", "Askeran"),
        person("b", "H2", "Aram", "Sargsyan", "Levon", "M", "1950-06-01", "Askeran"),
    ])
    evidence = {row["field"]: row for row in linkage.model.evidence(linkage.levels_of(0))}
    assert evidence["birth"]["weight"] < 0
    assert evidence["family"]["discounted"] and evidence["family"]["weight"] == 0


def test_clusters_never_join_two_people_of_one_registration():
    pairs = [("a", "x", 0.99), ("b", "x", 0.98)]  # a and b were entered together
    found = clusters(["a", "b", "x", "lone"], pairs, 0.9,
                     registrations={"a": "H1", "b": "H1", "x": "H2", "lone": "H3"})
    assert found["a"] == found["x"]
    assert found["b"] != found["a"]
    assert len({found["lone"], found["a"], found["b"]}) == 3


def test_many_pairs_are_weighed_by_pattern_exactly_as_one_by_one(monkeypatch):
    import numpy as np

    from refuge.matching import fellegi_sunter as model
    from refuge.matching.comparison import FIELDS, LEVELS

    rng = np.random.default_rng(3)
    levels = {name: rng.integers(-1, LEVELS[name], 5000).astype(np.int8) for name in FIELDS}
    trained = model.Model(prior=0.002)
    one_by_one = model.probability_of(trained.match_weight(levels))
    monkeypatch.setattr(model, "MANY_PAIRS", 1000)
    assert np.array_equal(trained.probability(levels), one_by_one)
    patterns, counts, pattern_of = model._patterns(levels)
    assert counts.sum() == 5000 and len(counts) < 5000
    assert all(np.array_equal(patterns[name][pattern_of], levels[name]) for name in FIELDS)


def _registry_registered_again(with_their_own: bool) -> list[dict]:
    """400 couples, then 200 of them registered again: each with their own spouse, or
    (with_their_own False) with someone of another couple, who comes back too."""
    import random

    rng = random.Random(7)
    syllables = ["ar", "ben", "ka", "lo", "mi", "nor", "sa", "ti", "var", "zo", "ge", "ha"]

    def name() -> str:
        return "".join(rng.choice(syllables) for _ in range(3)).capitalize()

    couples = [[(name(), "M", f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-"
                 f"{rng.randint(1, 28):02d}"), (name(), "F", f"{rng.randint(1940, 2000)}-"
                 f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")] for _ in range(400)]
    surnames = [name() + "yan" for _ in couples]
    rows = [person(f"c{i}-{j}", f"H{i}", given, surnames[i], "", sex, born)
            for i, couple in enumerate(couples) for j, (given, sex, born) in enumerate(couple)]
    for k in range(200):
        i = 2 * k
        together = [(i, 0), (i, 1)] if with_their_own else [(i, 0), (i + 1, 1)]
        for i2, j in together:
            given, sex, born = couples[i2][j]
            rows.append(person(f"again{k}-{i2}-{j}", f"A{k}", given, surnames[i2], "", sex,
                               born))
    return rows


def test_the_weight_of_no_other_match_in_the_households_is_learned_from_the_registry():
    # Issue 20, item 4: "no one else of the two households matches" is as strong a sign
    # against a match as the registry shows it to be, not a fixed penalty.
    weights = {}
    for with_their_own in (True, False):
        rows = _registry_registered_again(with_their_own)
        found, linkage = probabilities(rows)
        weights[with_their_own] = linkage.model.weights()["family_evidence"][0]
        again = [r["record_id"] for r in rows if r["record_id"].startswith("again")]
        matched = sum(found.get(frozenset([a, "c{}-{}".format(*a.split("-")[1:])]), 0)
                      >= SHIPPED_THRESHOLD for a in again)
        assert matched == len(again)
    assert weights[True] < -3
    assert weights[False] > weights[True] + 3

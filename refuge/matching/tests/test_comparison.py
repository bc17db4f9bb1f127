"""Field comparisons that need the registry around them: names typed in each other's
boxes, how rare a shared name or address word is, and u without the matches hidden among
random pairs."""

from importlib import import_module

import numpy as np
import pytest
from django.apps import apps

from refuge.conftest import make_household, member, queued_pair
from refuge.matching import fellegi_sunter as fs
from refuge.matching.comparison import Frequencies, Records, compare
from refuge.matching.engine import candidate_pairs, rows_from_dicts


def row(record_id, given, family, place="", born=""):
    return {"record_id": record_id, "household_ref": record_id, "given_name": given,
            "family_name": family, "birth_date": born, "place_of_origin": place}


def levels_of(rows, first, second, frequencies=None):
    records = Records(rows_from_dicts(rows), frequencies)
    ids = list(records.ids)
    a, b = np.array([ids.index(first)]), np.array([ids.index(second)])
    return {name: int(values[0]) for name, values in compare(records, a, b).items()}


def crowd(size, place="Stepanakert"):
    """People with other names from one town, so names and words have a frequency."""
    return [row(f"x{i}", f"Given{i % 97}", f"Family{i % 89}", place) for i in range(size)]


def test_names_in_each_other_s_boxes_with_a_typo_still_agree():
    levels = levels_of([row("a", "Hovhannes", "Sargsyan"), row("b", "Sargsian", "Hovanes")],
                       "a", "b")
    assert levels["given"] >= 2 and levels["family"] >= 2


def test_one_name_in_the_other_box_and_another_given_name_do_not_agree():
    levels = levels_of([row("a", "Hovhannes", "Sargsyan"), row("b", "Sargsyan", "Davtyan")],
                       "a", "b")
    assert levels["given"] == 0 and levels["family"] == 0


def test_a_common_name_agrees_less_than_a_rare_one():
    rows = [*crowd(200), row("a", "Armen", "Grigoryan"), row("b", "Armen", "Grigoryan"),
            *(row(f"g{i}", f"Other{i}", "Grigoryan") for i in range(5))]
    levels = levels_of(rows, "a", "b")
    assert levels["given"] == 4  # two Armens in 207
    assert levels["family"] == 3  # seven Grigoryans


def test_a_shared_rare_address_word_says_more_than_a_shared_town():
    rows = [*crowd(300),
            row("a", "Ani", "Avetisyan", "Stepanakert Kalinin street 14"),
            row("b", "Anna", "Avetyan", "Stepanakert Kalinin str. 14"),
            row("c", "Lilit", "Harutyunyan", "Stepanakert Tumanyan 3")]
    rare, common = levels_of(rows, "a", "b")["place"], levels_of(rows, "a", "c")["place"]
    assert common == 1  # only the town, which hundreds share
    assert rare > common


def test_the_desk_weighs_names_and_words_by_the_registry_not_by_its_few_rows():
    registry = [*crowd(300), *(row(f"g{i}", "Armen", f"Family{i}") for i in range(5)),
                row("a", "Armen", "Mkrtchyan", "Stepanakert Kalinin 14"),
                row("b", "Armen", "Mkrtchyan", "Stepanakert Kalinin 14a")]
    frequencies = Frequencies.of(Records(rows_from_dicts(registry)))
    stored = Frequencies.from_dict(frequencies.as_dict())
    few = [registry[-2], registry[-1]]
    assert levels_of(few, "a", "b", stored) == levels_of(registry, "a", "b")
    assert levels_of(few, "a", "b")["given"] == 4  # on its own, two rows: no name is common
    assert levels_of(few, "a", "b", stored)["given"] == 3


def test_u_without_matches_takes_out_what_the_matches_among_random_pairs_add():
    model = fs.Model(prior=0.001)
    model.m = {name: [0.5] * len(values) for name, values in model.m.items()}
    model.m["birth"] = [0.05, 0.0, 0.0, 0.0, 0.0, 0.95]
    observed = {name: list(values) for name, values in model.u.items()}
    true_u = [0.95, 0.04, 0.009, 0.0005, 0.0003, 0.0002]
    # What random pairs show when one in a thousand of them is one person.
    observed["birth"] = list(0.001 * np.array(model.m["birth"]) + 0.999 * np.array(true_u))
    corrected = fs.u_without_matches(observed, model, floor=1e-7)
    assert corrected["birth"] == pytest.approx(true_u, rel=1e-3)
    assert fs.weights_moved(observed, corrected)


def test_addresses_find_records_whose_names_and_dates_all_differ():
    records = Records(rows_from_dicts([
        *crowd(50, "Goris"),
        row("a", "Zara", "Shepherd", "308 Solly place Fairway 2138"),
        row("b", "Zaruhi", "Matevosyan", "308 Solly pl. Fairway 2138"),
    ]))
    a, b = candidate_pairs(records)
    ids = list(records.ids)
    assert (ids.index("a"), ids.index("b")) in set(zip(a.tolist(), b.tolist(), strict=True))


def test_a_given_name_is_not_the_surname_made_from_it():
    levels = levels_of([row("a", "Grigor", "Hakobyan", "Goris 3", "1950"),
                        row("b", "Hakob", "Grigoryan", "Goris 3", "1951")], "a", "b")
    assert levels["given"] == 0 and levels["family"] == 0


def test_the_desk_counts_a_word_the_registry_held_once_as_dedupe_will():
    registry = [*crowd(300), row("a", "Ani", "Avetisyan", "Stepanakert Kalinin 14")]
    stored = Frequencies.from_dict(Frequencies.of(Records(rows_from_dicts(registry))).as_dict())
    typed = row("b", "Anna", "Avetyan", "Stepanakert Kalinin 14a")
    at_the_desk = levels_of([registry[-1], typed], "a", "b", stored)
    after_registering = levels_of([*registry, typed], "a", "b")
    assert at_the_desk["place"] == after_registering["place"]


def test_pairs_found_before_the_seven_place_levels_are_renumbered(reception, registrar):
    renumbering = import_module("refuge.matching.migrations.0002_renumber_place_levels")
    household = make_household(reception, registrar, member("Ani"), member("Anna"))
    first, second = household.members.order_by("pk")
    pair = queued_pair(first, second, probability=0.9,
                       levels={"given": 3, "place": 3})
    renumbering.renumber(renumbering.OLD_TO_NEW)(apps, None)
    pair.refresh_from_db()
    assert pair.levels == {"given": 3, "place": 5}  # "nearly the same" keeps its words


@pytest.mark.parametrize("few", [5_000, 0])
def test_codes_number_values_densely_in_the_order_first_seen(monkeypatch, few):
    from refuge.matching import comparison

    monkeypatch.setattr(comparison, "FEW_VALUES", few)  # both ways of numbering
    codes = comparison.Codes()
    first = codes(["x", "y", "", "x", "z"])
    second = codes(iter(["z", "w", "y", "q", "w"]))
    assert first.tolist() == [1, 2, 0, 1, 3] and second.tolist() == [3, 4, 2, 5, 4]
    assert codes.values().tolist() == ["", "x", "y", "z", "w", "q"]


def test_threads_find_and_compare_exactly_the_pairs_one_thread_does(monkeypatch):
    from refuge.matching import comparison

    rows = crowd(400) + [row("a", "Hovhannes", "Sargsyan", "Goris 3", "1950"),
                         row("b", "Оганес", "Саргсян", "Goris 3", "1950-03")]
    records = Records(rows_from_dicts(rows))
    a, b = candidate_pairs(records)
    alone = compare(records, a, b)
    monkeypatch.setattr(comparison, "SIDE_BY_SIDE", 0)
    a_threads, b_threads = candidate_pairs(records)
    assert np.array_equal(a, a_threads) and np.array_equal(b, b_threads) and len(a) > 100
    side_by_side = compare(records, a, b)
    assert list(side_by_side) == list(alone)
    assert all(np.array_equal(side_by_side[name], alone[name]) for name in alone)


def test_pairs_compared_a_few_at_a_time_get_the_levels_they_get_all_at_once(monkeypatch):
    from refuge.matching import comparison

    rows = crowd(300) + [row("a", "Hovhannes", "Sargsyan", "Goris 3", "1950"),
                         row("b", "Оганес", "Саргсян", "Goris 3", "1950-03")]
    records = Records(rows_from_dicts(rows))
    a, b = candidate_pairs(records)
    at_once = compare(records, a, b)
    monkeypatch.setattr(comparison, "COMPARED_AT_ONCE", 7)
    in_parts = compare(records, a, b)
    assert len(a) > 100 and list(in_parts) == list(at_once)
    assert all(np.array_equal(in_parts[name], at_once[name]) for name in at_once)

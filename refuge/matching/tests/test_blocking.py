"""Blocking that survives one edit in a name and a partial birth date (issue 20, item 1)."""

from refuge.matching import engine
from refuge.matching.comparison import Records


def _candidates(*rows: dict) -> set[tuple[str, str]]:
    records = Records(engine.rows_from_dicts(
        [{"record_id": f"r{i}", "household_ref": f"h{i}", **row} for i, row in enumerate(rows)]))
    a, b = engine.candidate_pairs(records)
    return {(records.ids[i], records.ids[j]) for i, j in zip(a.tolist(), b.tolist(),
                                                               strict=True)}


def test_a_surname_typo_with_a_year_only_birth_date_still_meets_its_twin():
    found = _candidates(
        {"given_name": "Արամ", "family_name": "Հայրապետյան", "birth_date": "1980-05-05"},
        {"given_name": "Արամ", "family_name": "Հայրապետյն", "birth_date": "1980"})
    assert found == {("r0", "r1")}


def test_a_given_name_typo_still_meets_its_twin_a_year_apart():
    found = _candidates(
        {"given_name": "Vardan", "family_name": "Mkrtchyan", "birth_date": "1975"},
        {"given_name": "Vartkan", "family_name": "Mkrtchyan", "birth_date": "1976-02-03"},
        {"given_name": "Vardan", "family_name": "Mkrtchyan", "birth_date": "1990"})
    assert ("r0", "r1") in found and ("r1", "r2") not in found


def test_keys_one_edit_apart_share_a_neighbour_and_two_edits_apart_do_not():
    texts = ["", "hrbd~", "hrbdn", "hrbdns", "kzr~"]
    owner, neighbour = engine.one_edit_codes(texts)
    of = {code: set(neighbour[owner == code].tolist()) for code in range(len(texts))}
    assert of[1] & of[2] and of[2] & of[3]
    assert not of[1] & of[3] and not of[4] & of[1] and not of[0]


def test_a_name_typo_meets_its_twin_when_one_has_no_birth_date():
    # Item 3: no date on one side, so no year to block on; the other name carries it.
    typed = {"given_name": "Андртник", "family_name": "Жуков", "birth_date": "1986-04-06"}
    again = {"given_name": "Андроник", "family_name": "Жуков"}
    assert ("r0", "r1") in _candidates(typed, again)
    typed = {"given_name": "Vasak", "family_name": "Karcmanukian"}
    again = {"given_name": "Վասակ", "family_name": "Կարամանուկյան", "birth_date": "2006-05-14"}
    assert ("r0", "r1") in _candidates(typed, again)


def test_variant_spellings_block_together():
    # Item 2: both names in variant spellings, so neither the keys nor one edit meet.
    one = {"given_name": "Eduard", "family_name": "Hambardzumyan", "birth_date": "1970-03-01"}
    other = {"given_name": "Edward", "family_name": "Амбарцумян", "birth_date": "1970-03-11"}
    assert ("r0", "r1") in _candidates(one, other)

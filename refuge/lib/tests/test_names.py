import pytest

from refuge.lib import names
from refuge.lib.names import detect_script, name_problem, search_key, to_latin

# Real variant spellings of one name each, from ../shared/DOMAIN.md.
VARIANTS = [
    ["Հովհաննիսյան", "Оганесян", "Hovhannisyan", "Oganesyan", "Ovanesyan", "Hovannisian"],
    ["Ղազարյան", "Казарян", "Ghazaryan", "Kazaryan", "Gazaryan"],
    ["Հակոբյան", "Акопян", "Hakobyan", "Akopyan", "Hakopian"],
    ["Հայկ", "Айк", "Hayk", "Haik", "Ayk"],
    ["Անահիտ", "Анаит", "Anahit"],
]


@pytest.mark.parametrize("spellings", VARIANTS)
def test_variant_spellings_share_a_search_key(spellings):
    assert len({search_key(s) for s in spellings}) == 1


def test_different_names_get_different_keys():
    keys = {search_key(v[0]) for v in VARIANTS} | {search_key("Grigoryan"),
                                                     search_key("Sargsyan")}
    assert len(keys) == len(VARIANTS) + 2


def test_a_given_name_is_not_confused_with_the_surname_built_on_it():
    assert search_key("Hovhannes") != search_key("Hovhannisyan")


@pytest.mark.parametrize(("name", "script"), [
    ("Հովհաննիսյան", "armenian"), ("Оганесян", "cyrillic"), ("Hovhannisyan", "latin"),
    ("Anna Ղազարյան", "mixed"), ("ნინო", "other"), ("", ""),
])
def test_it_detects_the_script(name, script):
    assert detect_script(name) == script


def test_it_gives_passport_style_latin():
    assert to_latin("Երևան") == "Yerevan"
    assert to_latin("Ոսկան Հովհաննիսյան") == "Voskan Hovhannisyan"
    assert to_latin("Щукина") == "Shchukina"


def test_unknown_scripts_are_kept_and_never_crash():
    assert search_key("ნინო") == "ნინო"
    assert to_latin("محمد") == "محمد"


@pytest.mark.parametrize("name", ["Anna\u200b", "An\u0000na", "Anna\u202e", "A\nnna"])
def test_it_rejects_invisible_and_control_characters(name):
    assert "invisible or control" in name_problem(name)


@pytest.mark.parametrize("name", ["Анна-Мария", "O'Neil", "Հովհաննիսյան", "Anna Ղազարյան",
                                  "Zoë", "ნინო"])
def test_it_accepts_names_in_any_script(name):
    assert name_problem(name) is None


def test_it_rejects_digits_in_names():
    assert "does not belong" in name_problem("Anna2")


def test_matching_folds_names_with_the_rules_of_the_search_key():
    from refuge.matching import normalise

    assert normalise.fold is names.fold
    assert names.FOLD_DIGRAPHS == [(d, "k" if d == "gh" else s) for d, s in names.DIGRAPHS]


@pytest.mark.parametrize("spellings", [
    ("Հովհաննիսյան", "Hovhannisyan", "Hovannisian"),
    ("Ղազարյան", "Ghazaryan", "Gazaryan", "Kazaryan"),
    ("Оганесян", "Ованесян"),
    ("Ծատուրյան", "Tsaturyan", "Caturian"),
])
def test_spellings_that_fold_alike_share_a_search_key(spellings):
    folded = {names.fold(s) for s in spellings}
    keys = {names.search_key(s) for s in spellings}
    assert len(keys) <= len(folded)

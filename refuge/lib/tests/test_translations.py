"""The Armenian and Russian catalogues are complete, compiled, and used by the desk."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["hy", "ru"]
NPLURALS = {"hy": 2, "ru": 3}
SCRIPT = {"hy": re.compile("[\u0531-\u058f]"), "ru": re.compile("[\u0400-\u04ff]")}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
DESK_STRINGS = [
    "New household",
    "Given name",
    "Father's name",
    "Registration card",
    "%(text)s is in the future",
]


def catalogue(lang: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES"


def po_entries(path: Path) -> list[dict]:
    """Each entry of a .po file: flags, msgid, msgid_plural and msgstr (list of forms)."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#~"):
            continue  # obsolete entries are not shown to anyone
        elif line.startswith("#,"):
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _space, text = line.partition(" ")
            if key.startswith("msgstr"):
                key = f"msgstr{key[6:] or '[0]'}"
            entry[key] = ast.literal_eval(text)
    for entry in entries:
        entry["msgstr"] = [entry[k] for k in sorted(entry) if k.startswith("msgstr[")]
    return entries


def messages(lang: str) -> list[dict]:
    return [e for e in po_entries(catalogue(lang) / "django.po") if e["msgid"]]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("text", DESK_STRINGS)
def test_desk_strings_are_translated(lang, text):
    with translation.override(lang):
        translated = translation.gettext(text)
    assert translated and translated != text
    assert PLACEHOLDER.findall(translated) == PLACEHOLDER.findall(text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_translation(lang):
    entries = messages(lang)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", ())]
    assert fuzzy == []
    wrong_forms = [e["msgid"] for e in entries
                   if "msgid_plural" in e and len(e["msgstr"]) != NPLURALS[lang]]
    assert wrong_forms == []
    not_in_script = [e["msgid"] for e in entries
                     if not all(SCRIPT[lang].search(s) for s in e["msgstr"])]
    assert not_in_script == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    changed = [
        e["msgid"] for e in messages(lang)
        if any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(e["msgid"]))
               for s in e["msgstr"])
    ]
    assert changed == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    """The .mo is committed: it must hold what the .po says (run compilemessages)."""
    with open(catalogue(lang) / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.info()["language"] == lang
    stale = []
    for entry in messages(lang):
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2, 5)]
            want = [entry["msgstr"][0], entry["msgstr"][1], entry["msgstr"][-1]]
        elif "msgctxt" in entry:
            got, want = compiled.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"][0]
        else:
            got, want = compiled.gettext(entry["msgid"]), entry["msgstr"][0]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == []


def test_russian_plural_forms():
    with translation.override("ru"):
        found = [translation.ngettext("%(n)s person found", "%(n)s people found", n) % {"n": n}
                 for n in (1, 3, 5, 11, 21)]
    assert found == ["Найден 1 человек", "Найдено 3 человека", "Найдено 5 человек",
                     "Найдено 11 человек", "Найден 21 человек"]

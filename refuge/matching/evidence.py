"""Evidence in words: what each field's level means, for reviewers and the desk."""

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "given": _("given name"),
    "family": _("family name"),
    "father": _("father's name"),
    "birth": _("born"),
    "sex": _("sex"),
    "place": _("place of origin"),
    "phone": _("phone"),
    "document": _("document"),
    "family_evidence": _("household members"),
}
NAME_LEVELS = [_("different"), _("similar"), _("same name, other spelling"),
               _("same, a common name"), _("same, an uncommon name")]
LEVEL_WORDS = {
    "given": NAME_LEVELS,
    "family": NAME_LEVELS,
    "father": NAME_LEVELS,
    "birth": [_("more than two years apart"), _("within two years"), _("one part differs"),
              _("day and month swapped"), _("agree as far as known"), _("same day")],
    "sex": [_("different"), _("same")],
    "place": [_("different"), _("share only common words"), _("share a word few have"),
              _("share rare words"), _("similar"), _("nearly the same"), _("same")],
    "phone": [_("different"), _("same")],
    "document": [_("different"), _("same number")],
    "family_evidence": [_("no others match"), _("one other matches"),
                        _("two or more others match")],
}


def describe(row: dict) -> dict:
    """A model evidence row with its field and level in words."""
    field, level = row["field"], row["level"]
    return {**row, "label": str(FIELD_LABELS[field]), "says": str(LEVEL_WORDS[field][level]),
            "for": row["weight"] > 0, "against": row["weight"] < 0}

"""Names that exist in each of Refuge's languages: a post, a site, a province is shown
in the page's language, falling back to the name as it was first given."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(name: str, name_hy: str, name_ru: str, language: str | None = None) -> str:
    """The name for a language (the current one by default): its Armenian or Russian
    form where there is one, else `name`."""
    language = (language or get_language() or "en").split("-")[0]
    return {"hy": name_hy, "ru": name_ru}.get(language) or name


class NamedInLanguages(models.Model):
    """`name` as first given (the one imports, the API and exports use), with its
    Armenian and Russian forms beside it."""

    name_hy = models.CharField(_("name in Armenian"), max_length=200, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        return localised(self.name, self.name_hy, self.name_ru)

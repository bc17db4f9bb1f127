"""Armenia's provinces (marzer) and Yerevan, with their ISO 3166-2 codes and their names
in Armenian and Russian.

Records keep a province as it was typed (sites, posts, imports use the English name);
`find` reads any of the names or the code, and `shown` writes it in the page's language.
"""

from dataclasses import dataclass

from refuge.lib.languages import localised


@dataclass(frozen=True)
class Province:
    code: str  # ISO 3166-2, as HXL's #adm1+code
    name: str  # English, as records keep it
    name_hy: str
    name_ru: str

    def in_language(self, language: str | None = None) -> str:
        return localised(self.name, self.name_hy, self.name_ru, language)


PROVINCES = [
    Province("AM-AG", "Aragatsotn", "Արագածոտն", "Арагацотн"),
    Province("AM-AR", "Ararat", "Արարատ", "Арарат"),
    Province("AM-AV", "Armavir", "Արմավիր", "Армавир"),
    Province("AM-GR", "Gegharkunik", "Գեղարքունիք", "Гегаркуник"),
    Province("AM-KT", "Kotayk", "Կոտայք", "Котайк"),
    Province("AM-LO", "Lori", "Լոռի", "Лори"),
    Province("AM-SH", "Shirak", "Շիրակ", "Ширак"),
    Province("AM-SU", "Syunik", "Սյունիք", "Сюник"),
    Province("AM-TV", "Tavush", "Տավուշ", "Тавуш"),
    Province("AM-VD", "Vayots Dzor", "Վայոց ձոր", "Вайоц Дзор"),
    Province("AM-ER", "Yerevan", "Երևան", "Ереван"),
]


def _key(text: str) -> str:
    # "Vayots Dzor", "vayots-dzor", "ВАЙОЦ ДЗОР" and "Վայոց Ձոր" are one province; the
    # Armenian ligature և and its spelling ե+ւ are one letter pair.
    return " ".join(text.replace("-", " ").replace("եւ", "և").casefold().split())


_BY_KEY = {_key(value): province for province in PROVINCES
           for value in (province.code, province.name, province.name_hy, province.name_ru)}


def find(text: str) -> Province | None:
    """The province named by its code or by its name in English, Armenian or Russian."""
    return _BY_KEY.get(_key(text or ""))


def code_of(text: str) -> str:
    """The ISO 3166-2 code of a province named in any language, or "" for another place."""
    province = find(text)
    return province.code if province else ""


def shown(text: str, language: str | None = None) -> str:
    """A province as the page's language writes it; any other place as it was typed."""
    province = find(text)
    return province.in_language(language) if province else text



def canonical(text: str) -> str:
    """How records keep a province: its English name, whichever way it was typed
    ("Սյունիք", "AM-SU", "syunik"); any other place as typed."""
    province = find(text)
    return province.name if province else text

"""The household registration form Refuge ships, as ODK Collect and KoboCollect get it.

`forms/refuge_household.xlsx` is an XLSForm, edited in a spreadsheet as field teams do;
pyxform turns it into the XForm the phones download. Its reception centres come from
the database, as the `posts.csv` media file the form's manifest lists.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree
from pyxform.xls2xform import convert

from refuge.accounts.models import Post

FORMS = Path(__file__).parent / "forms"
FORM_ID = "refuge_household"


@dataclass(frozen=True)
class XForm:
    form_id: str
    version: str
    title: str
    xml: str

    @property
    def hash(self) -> str:
        return media_hash(self.xml)


@lru_cache
def household_form() -> XForm:
    xml = convert(FORMS / f"{FORM_ID}.xlsx").xform
    root = ElementTree.fromstring(xml)
    namespaces = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    instance = root.find("h:head/x:model/x:instance/x:data", namespaces)
    title = root.find("h:head/h:title", namespaces).text
    return XForm(instance.get("id"), instance.get("version"), title, xml)


def posts_csv() -> str:
    """The reception centres the form offers, as ODK's select_one_from_file reads them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "label"])
    for code, name in (Post.objects.filter(kind=Post.RECEPTION, is_open=True)
                       .order_by("name").values_list("code", "name")):
        writer.writerow([code, name])
    return out.getvalue()


def media_hash(text: str) -> str:
    return "md5:" + hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

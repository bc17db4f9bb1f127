"""A submission of the household form, read into the payload a desk registration sends."""

import uuid
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

from refuge.collect.xforms import household_form


class Rejected(Exception):
    """A submission Refuge cannot take; the message goes back to the phone."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Submission:
    instance_id: uuid.UUID
    post_code: str
    desk: str
    device_id: str
    payload: dict


def _text(element, name: str) -> str:
    found = element.find(name)
    return (found.text or "").strip() if found is not None and found.text else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read(xml: bytes) -> Submission:
    """The submission's household, or Rejected saying what is wrong with it."""
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise Rejected(_("the submission is not well-formed XML")) from None
    # Phones send the instance without a namespace; strip any, so either is read.
    for element in root.iter():
        element.tag = _local(element.tag)
    form = household_form()
    if root.get("id") != form.form_id:
        raise Rejected(_("this server has no form %(form)s") % {"form": root.get("id")}, 404)
    if root.get("version") != form.version:
        raise Rejected(_("this is version %(sent)s of the form, and the current version is "
                         "%(current)s: get the blank form again, then send the household "
                         "again") % {"sent": root.get("version"), "current": form.version}, 409)
    instance_id = _text(root, "meta/instanceID")
    try:
        parsed = uuid.UUID(instance_id.removeprefix("uuid:"))
    except ValueError:
        raise Rejected(_("the submission has no instanceID")) from None
    members = [_member(element) for element in root.findall("member")]
    payload = {"uuid": str(parsed), "members": members, "phone": _text(root, "phone"),
               "origin": _text(root, "origin"), "destination": _text(root, "destination")}
    if _text(root, "accommodation"):
        payload["accommodation"] = _text(root, "accommodation")
    return Submission(parsed, _text(root, "post"), _text(root, "desk"),
                      _text(root, "deviceid"), payload)


def _member(element) -> dict:
    member = {name: _text(element, name) for name in
              ("given_name", "family_name", "patronymic", "sex", "birth_date", "relationship")}
    member["needs"] = _text(element, "needs").split()
    number = _text(element, "document_number")
    if number:
        member["documents"] = [{"kind": _text(element, "document_kind") or "other",
                                "number": number}]
    return member

"""ODK Collect and KoboCollect: the form list, the form, its manifest, and submissions."""

import copy
import uuid
from base64 import b64encode
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from refuge.collect import auth
from refuge.collect.xforms import household_form
from refuge.conftest import make_user
from refuge.registry.models import Household, Person, RegistrationEvent

pytestmark = pytest.mark.django_db

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JR_TEMPLATE = "{http://openrosa.org/javarosa}template"


@pytest.fixture
def phone(registrar):
    """A client that signs in as ODK Collect does over HTTPS: Basic."""
    token = b64encode(b"registrar:registrar-pass-1").decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0")


def blank_instance() -> ET.Element:
    """The form's main instance, as the XForm the phone downloads defines it."""
    root = ET.fromstring(household_form().xml)
    data = root.find(f"{H}head/{XF}model/{XF}instance/{XF}data")
    return copy.deepcopy(data)


def filled(members: list[dict], instance_id: uuid.UUID, post: str = "GOR",
           **household) -> bytes:
    data = blank_instance()
    for element in data.iter():
        element.tag = element.tag.removeprefix(XF)
    template = next(m for m in data.findall("member") if m.get(JR_TEMPLATE) is not None)
    for member in data.findall("member"):
        data.remove(member)
    position = list(data).index(data.find("desk")) + 1
    for offset, fields in enumerate(members):
        element = copy.deepcopy(template)
        del element.attrib[JR_TEMPLATE]
        for name, value in fields.items():
            element.find(name).text = value
        data.insert(position + offset, element)
    values = {"post": post, "deviceid": "collect:abc123", **household}
    for name, value in values.items():
        data.find(name).text = value
    data.find("meta/instanceID").text = f"uuid:{instance_id}"
    return ET.tostring(data, encoding="utf-8", xml_declaration=True)


def submit(client, xml: bytes, **files):
    return client.post("/collect/submission", {
        "xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml"), **files})


FAMILY = [{"given_name": "Անահիտ", "family_name": "Հովհաննիսյան", "sex": "F",
           "birth_date": "1980", "relationship": "focal_point", "needs": "PREG",
           "document_kind": "passport", "document_number": "AN0123456"},
          {"given_name": "Арам", "family_name": "Оганесян", "sex": "M",
           "birth_date": "age 7", "relationship": "child"}]


def test_the_form_list_offers_the_shipped_form(phone, reception):
    response = phone.get("/collect/formList")
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    listing = ET.fromstring(response.content)
    ns = "{http://openrosa.org/xforms/xformsList}"
    assert listing.find(f"{ns}xform/{ns}formID").text == "refuge_household"
    assert listing.find(f"{ns}xform/{ns}hash").text == household_form().hash
    form = phone.get("/collect/forms/refuge_household.xml")
    assert form.status_code == 200 and b"jr://file-csv/posts.csv" in form.content
    manifest = phone.get("/collect/forms/refuge_household/manifest")
    assert b"<filename>posts.csv</filename>" in manifest.content
    posts = phone.get("/collect/forms/refuge_household/posts.csv")
    assert posts.content.decode().splitlines() == ["name,label", "GOR,Goris reception centre"]


def test_a_submission_built_from_the_form_is_stored_once(phone, reception):
    instance = uuid.uuid4()
    xml = filled(FAMILY, instance, phone="+37491123456", destination="relatives, Kotayk",
                 accommodation="relatives")
    head = phone.head("/collect/submission")
    assert head.status_code == 204 and head["X-OpenRosa-Accept-Content-Length"]
    response = submit(phone, xml)
    assert response.status_code == 201, response.content
    assert b"submit_success" in response.content
    household = Household.objects.get(uuid=instance)
    people = {p.given_name: p for p in household.members.all()}
    assert people["Անահիտ"].needs == "PREG" and people["Անահիտ"].documents.get().number
    assert people["Арам"].relationship == "child" and people["Арам"].birth_precision
    assert people["Арам"].destination == "relatives, Kotayk"
    assert household.accommodation == Household.RELATIVES
    event = RegistrationEvent.objects.get(uuid=instance)
    assert event.device_id == "collect:abc123"

    again = submit(phone, xml)
    assert again.status_code == 202 and b"already received" in again.content
    assert Household.objects.count() == 1 and Person.objects.count() == 2


def test_a_rejected_submission_says_why_and_stores_nothing(phone, reception):
    bad = [{**FAMILY[0], "birth_date": "2091"}]
    response = submit(phone, filled(bad, uuid.uuid4()))
    assert response.status_code == 400
    assert b"members[0].birth_date" in response.content
    assert not Household.objects.exists()


def test_malformed_xml_is_refused(phone, reception):
    response = submit(phone, b"<data id='refuge_household'><member>")
    assert response.status_code == 400 and b"not well-formed XML" in response.content
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;">]><data>&lol2;</data>')
    assert submit(phone, bomb).status_code == 400
    assert not Household.objects.exists()


def test_a_wrong_form_version_is_refused(phone, reception):
    xml = filled(FAMILY, uuid.uuid4()).replace(
        f'version="{household_form().version}"'.encode(), b'version="2020010101"')
    response = submit(phone, xml)
    assert response.status_code == 409
    assert b"get the blank form again" in response.content
    assert not Household.objects.exists()


def test_oversize_attachments_are_refused(phone, reception, settings):
    settings.REFUGE_COLLECT_MAX_BYTES = 50_000
    photo = SimpleUploadedFile("photo.jpg", b"\xff" * 60_000, "image/jpeg")
    response = submit(phone, filled(FAMILY, uuid.uuid4()), photo=photo)
    assert response.status_code == 413
    assert b"at most 50000" in response.content
    assert not Household.objects.exists()


def test_an_unknown_post_is_refused(phone, reception):
    response = submit(phone, filled(FAMILY, uuid.uuid4(), post="XXX"))
    assert response.status_code == 400 and b"not a reception centre" in response.content


def test_no_credentials_get_a_digest_challenge(reception):
    response = Client().get("/collect/formList")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Digest realm="Refuge"')
    assert response["X-OpenRosa-Version"] == "1.0"


def test_digest_sign_in_works_with_the_collect_password(registrar, reception):
    auth.set_password("registrar", "phone-secret-9")
    nonce = auth.new_nonce()
    ha2 = auth._md5("GET:/collect/formList")
    response_hash = auth._md5(f"{auth.ha1('registrar', 'phone-secret-9')}:{nonce}:00000001:"
                              f"c0ffee:auth:{ha2}")
    header = (f'Digest username="registrar", realm="Refuge", nonce="{nonce}", '
              f'uri="/collect/formList", qop=auth, nc=00000001, cnonce="c0ffee", '
              f'response="{response_hash}"')
    assert Client(HTTP_AUTHORIZATION=header).get("/collect/formList").status_code == 200
    wrong = header.replace(response_hash, "0" * 32)
    assert Client(HTTP_AUTHORIZATION=wrong).get("/collect/formList").status_code == 401


def test_a_role_that_may_not_register_is_refused(reception):
    make_user("ana", "analyst")
    token = b64encode(b"ana:ana-pass-1").decode()
    response = Client(HTTP_AUTHORIZATION=f"Basic {token}").get("/collect/formList")
    assert response.status_code == 403


def test_a_browser_session_alone_cannot_submit(registrar, reception):
    """A page on another site posting with a signed-in registrar's cookie registers
    nothing: submissions skip CSRF, so they need Collect's own credentials."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(registrar)
    assert browser.get("/collect/formList").status_code == 200  # reading is harmless
    response = submit(browser, filled(FAMILY, uuid.uuid4()))
    assert response.status_code == 401
    assert not Household.objects.exists()

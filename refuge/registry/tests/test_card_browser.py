"""The registration card's QR code scans: on screen, in print, and from the printed PDF,
decoded by a real decoder (zbarimg, from Debian's zbar-tools) as an aid desk would."""

import shutil
import subprocess

import pytest

from refuge.conftest import make_household, member, sign_in
from refuge.registry import cards


def decoded(png: bytes) -> list[str]:
    """Every QR code zbarimg finds in a PNG (an empty list when it finds none)."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg is missing: scripts/test installs Debian's zbar-tools")
    found = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                            "-"], input=png, capture_output=True, timeout=60)
    return found.stdout.decode().split()


def pdf_pages(pdf: bytes, tmp_path, dpi: int = 150) -> list[bytes]:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm is missing: scripts/test installs Debian's poppler-utils")
    (tmp_path / "card.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "card.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    return [path.read_bytes() for path in sorted(tmp_path.glob("page*.png"))]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_card_qr_code_scans_on_screen_in_print_and_from_the_pdf(
        live_server, page, reception, registrar, tmp_path):
    household = make_household(reception, registrar,
                               member("Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972"),
                               member("Armen", relationship="spouse", sex="M"))
    expected = cards.qr_payload(household)
    assert cards.household_uuid_from_payload(expected) == household.uuid
    sign_in(page, live_server.url, registrar.username)
    page.goto(f"{live_server.url}/households/{household.uuid}/card/")
    code = page.locator(".card .qr svg")

    # On screen, at the laptop's own scale.
    assert decoded(code.screenshot()) == [expected]
    # Printed: 30 mm wide and tall (113 CSS pixels), quiet zone included, all of it shown.
    page.emulate_media(media="print")
    box = code.bounding_box()
    assert abs(box["width"] - 113.4) < 2 and abs(box["height"] - 113.4) < 2
    assert decoded(page.screenshot(full_page=True)) == [expected]
    # On paper: the print rendered to A4 and rasterised at 150 dpi, as a printer would.
    pages = pdf_pages(page.pdf(format="A4", print_background=True), tmp_path)
    assert len(pages) == 1, "the card prints on one page"
    assert decoded(pages[0]) == [expected]
    assert page.get_by_role("button", name="Print").is_hidden()


@pytest.mark.django_db
def test_a_scanned_card_names_its_household_whether_printed_before_or_after(
        reception, registrar):
    household = make_household(reception, registrar)
    lower = f"REFUGE:HH:{household.uuid}"  # as the cards printed until now carry it
    assert cards.qr_payload(household) == f"REFUGE:HH:{str(household.uuid).upper()}"
    assert cards.household_uuid_from_payload(lower) == household.uuid
    assert cards.household_uuid_from_payload(cards.qr_payload(household)) == household.uuid
    assert cards.household_uuid_from_payload(f" {lower}\n") == household.uuid  # a scanner's
    for other in ("", "REFUGE:HH:", "REFUGE:HH:not-a-uuid", f"REFUGE:P:{household.uuid}",
                  str(household.uuid)):
        assert cards.household_uuid_from_payload(other) is None

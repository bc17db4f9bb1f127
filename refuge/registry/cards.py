"""The registration card's QR code: what it carries, how it is drawn, how it is read back.

The code carries `REFUGE:HH:` and the household's UUID in capitals, nothing personal.
Capitals fit QR's alphanumeric mode, so the code is version 3 (29 modules) even at the
Q level of error correction (a quarter of it may be torn or dirty), where the same text
in lower case needs version 4 (33 modules). Printed 30 mm wide with its quiet zone of 4
modules, a module is 0.8 mm: a phone or a hand scanner reads it from paper.
"""

import re
import uuid

import segno

from refuge.registry.models import Household

PREFIX = "REFUGE:HH:"
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
# Cards printed before the code was put in capitals carry the UUID in lower case.
PAYLOAD = re.compile(r"\s*REFUGE:HH:([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-"
                     r"[0-9A-F]{12})\s*", re.IGNORECASE)


def qr_payload(household: Household) -> str:
    """What the card's QR code carries: the household's identifier and nothing personal."""
    return f"{PREFIX}{str(household.uuid).upper()}"


def household_uuid_from_payload(text: str) -> uuid.UUID | None:
    """The household a scanned card names, from this card or one printed before; None
    when the text is not a card's code."""
    found = PAYLOAD.fullmatch(text or "")
    return uuid.UUID(found.group(1)) if found else None


def qr_svg(household: Household) -> str:
    """The code as an inline SVG that scales to any size: a viewBox in modules and no
    width or height of its own, so the card's CSS sets its printed size."""
    qr = segno.make(qr_payload(household), error="q", boost_error=False)
    return qr.svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, svgclass="qr-code",
                         lineclass=None, light="#fff")  # the quiet zone white on any paper

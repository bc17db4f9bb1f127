import segno

from refuge.registry.models import Household


def qr_payload(household: Household) -> str:
    """What the card's QR code carries: the household's identifier and nothing personal."""
    return f"REFUGE:HH:{household.uuid}"


def qr_svg(household: Household) -> str:
    qr = segno.make(qr_payload(household), error="m")
    return qr.svg_inline(scale=4, border=2)

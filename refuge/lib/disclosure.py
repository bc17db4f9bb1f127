"""Figures given to partners: small counts are left blank, so nobody can be singled out."""

SMALLEST_SHOWN = 5  # cells of 1 to 4 people could identify someone


def suppress(value: int) -> int | str:
    """Small counts are left blank in partner exports, so nobody can be singled out."""
    return "" if 0 < value < SMALLEST_SHOWN else value

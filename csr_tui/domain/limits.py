"""How long a piece of text may be: the width of the column that stores it.

PostgreSQL refuses longer text ("value too long", naming no field) and SQLite would store
it; so the domain refuses it first, the same on both, naming the field the agent typed it in.
"""

from __future__ import annotations

from csr_tui.domain.errors import ValidationError

NAME = 100  # a customer's first or last name, a cart's name, an agent
FULL_NAME = 200  # the name on an order without a customer account
EMAIL = 254  # RFC 5321's longest address
PHONE = 40
ADDRESS_LINE = 200  # an address's name and lines
CITY = 100  # also the region
POSTAL_CODE = 20
DESCRIPTION = 200  # a note's or a discount's description
NOTE_TEXT = 10_000  # a note's details
COUPON_CODE = 40


def checked_length(value: str, field: str, label: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(
            f"The {label} is {len(value):,} characters long: at most {limit:,} fit.", field
        )
    return value

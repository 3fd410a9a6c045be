"""Money is a Decimal in the currency of the order's market; never a float.

Every amount an agent or a caller gives (a price, a payment, a discount) is checked here
before any arithmetic: a number (not NaN or Infinity), not negative, at most MAX_AMOUNT in
the currency's major unit, with no more decimals than the currency has.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from csr_tui.domain.errors import ValidationError

ZERO = Decimal(0)
# The largest amount anything may be: a unit price, a line total, an order's subtotal, a
# payment, a discount. Far above any real order, far below what the columns hold (10^14).
MAX_AMOUNT = Decimal(1_000_000_000)


@dataclass(frozen=True)
class Currency:
    code: str
    minor_units: int

    @property
    def exponent(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    def round(self, amount: Decimal) -> Decimal:
        """Round to the currency's minor unit, halves away from zero (shop rounding)."""
        return amount.quantize(self.exponent, rounding=ROUND_HALF_UP)

    def format(self, amount: Decimal) -> str:
        return f"{self.round(amount):,.{self.minor_units}f} {self.code}"

    def parse(self, text: str, field: str = "amount", label: str | None = None) -> Decimal:
        """Read an amount typed by an agent ("1,234.50"), refusing more decimals than exist."""
        label = label or field
        cleaned = text.strip().replace(",", "").removesuffix(self.code).strip()
        if not cleaned:
            raise ValidationError(f"Enter {_article(label)} {label}.", field)
        not_one = f"'{text.strip()}' is not {_article(label)} {label}."
        if not cleaned.isascii() or "_" in cleaned:  # Decimal reads "1_000" and non-ASCII digits
            raise ValidationError(not_one, field)
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(not_one, field) from None
        if not amount.is_finite():
            raise ValidationError(not_one, field)
        return self.checked(amount, field, label)

    def checked(self, amount: object, field: str, label: str) -> Decimal:
        """The amount, if it is one this currency can hold: a finite number from 0 to
        MAX_AMOUNT with at most the currency's decimals. Else a ValidationError naming
        `field`; never decimal.InvalidOperation."""
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise ValidationError(f"The {label} must be a number.", field)
        amount = Decimal(amount)
        if not amount.is_finite():
            raise ValidationError(f"The {label} must be a number, not {amount}.", field)
        if amount < 0:
            raise ValidationError(f"The {label} cannot be negative.", field)
        amount = amount.copy_abs()  # "-0" is zero, not a "-0.00" on screen
        if amount > MAX_AMOUNT:
            raise ValidationError(f"The {label} cannot exceed {self.format(MAX_AMOUNT)}.", field)
        if amount != amount.quantize(self.exponent, rounding=ROUND_HALF_UP):
            if self.minor_units == 0:
                raise ValidationError(
                    f"{self.code} has no minor unit: enter a whole {label}.", field
                )
            raise ValidationError(
                f"{self.code} amounts have at most {self.minor_units} decimals (the {label}).",
                field,
            )
        return self.round(amount)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("USD", 2),
        Currency("EUR", 2),
        Currency("GBP", 2),
        Currency("SEK", 2),
        Currency("JPY", 0),
        Currency("CAD", 2),
        Currency("AUD", 2),
    )
}


def currency(code: str) -> Currency:
    try:
        return CURRENCIES[code]
    except KeyError:
        raise ValidationError(f"Unknown currency {code}.", "currency") from None

"""Money is a Decimal in the currency of the order's market; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from csr_tui.domain.errors import ValidationError

ZERO = Decimal(0)


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

    def parse(self, text: str, field: str = "amount") -> Decimal:
        """Read an amount typed by an agent ("1,234.50"), refusing more decimals than exist."""
        cleaned = text.strip().replace(",", "").removesuffix(self.code).strip()
        if not cleaned:
            raise ValidationError(f"Enter an {field}.", field)
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(f"'{text.strip()}' is not an {field}.", field) from None
        if not amount.is_finite():
            raise ValidationError(f"'{text.strip()}' is not an {field}.", field)
        if amount != amount.quantize(self.exponent, rounding=ROUND_HALF_UP):
            if self.minor_units == 0:
                raise ValidationError(
                    f"{self.code} has no minor unit: enter a whole {field}.", field
                )
            raise ValidationError(
                f"{self.code} amounts have at most {self.minor_units} decimals.", field
            )
        return self.round(amount)


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

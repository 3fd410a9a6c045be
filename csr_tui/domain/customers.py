"""Customer contacts and their address book. An Address is a value: orders keep a copy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from csr_tui.domain import limits
from csr_tui.domain.errors import ValidationError
from csr_tui.domain.limits import checked_length
from csr_tui.domain.search import PHONE_MIN_DIGITS, is_phone_text
from csr_tui.domain.text import refuse_control_characters

# ISO 3166-1 alpha-2, current codes.
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

_ADDRESS_LABELS = {
    "name": "name",
    "line1": "address line 1",
    "city": "city",
    "postal_code": "postal code",
    "country": "country",
}
# Every field of an address, its label and its longest length (the country is a code).
_ADDRESS_LIMITS = {
    "name": ("name", limits.ADDRESS_LINE),
    "line1": ("address line 1", limits.ADDRESS_LINE),
    "line2": ("address line 2", limits.ADDRESS_LINE),
    "city": ("city", limits.CITY),
    "region": ("region", limits.CITY),
    "postal_code": ("postal code", limits.POSTAL_CODE),
    "phone": ("phone", limits.PHONE),
}


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""

    def validated(self) -> Address:
        """Return a tidied copy, or raise naming every missing or wrong field."""
        tidy = replace(
            self,
            **{f.name: " ".join(str(getattr(self, f.name)).split()) for f in fields(self)},
        )
        tidy = replace(tidy, country=tidy.country.upper())
        for key, label in (_ADDRESS_LABELS | {k: v[0] for k, v in _ADDRESS_LIMITS.items()}).items():
            refuse_control_characters(getattr(tidy, key), key, label=label)
        missing = [label for key, label in _ADDRESS_LABELS.items() if not getattr(tidy, key)]
        if missing:
            raise ValidationError(
                "The address needs " + ", ".join(missing) + ".",
                next(k for k, label in _ADDRESS_LABELS.items() if label == missing[0]),
            )
        for key, (label, limit) in _ADDRESS_LIMITS.items():
            checked_length(getattr(tidy, key), key, label, limit)
        validate_phone(tidy.phone)
        if tidy.country not in ISO_COUNTRIES:
            raise ValidationError(
                f"'{tidy.country}' is not an ISO country code (for example US, GB, SE, JP).",
                "country",
            )
        return tidy

    def one_line(self) -> str:
        parts = [self.name, self.line1, self.line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p) + f" {self.country}"


def normalize_email(email: str | None) -> str | None:
    """Emails compare case-insensitively; an empty one is no email."""
    if email is None:
        return None
    email = email.strip()
    return email or None


def validate_email(email: str | None, field_name: str = "email") -> str | None:
    email = normalize_email(email)
    refuse_control_characters(email, field_name, label="email")
    if email is not None:
        checked_length(email, field_name, "email", limits.EMAIL)
    if email is not None and not _EMAIL.match(email):
        raise ValidationError(f"'{email}' is not an email address.", field_name)
    return email


def validate_phone(phone: str, field_name: str = "phone") -> str:
    """A phone number as people write it (or none): digits, with spaces, +, -, (, ), . or /
    between them, at least PHONE_MIN_DIGITS of them. "abc" or "US" was kept, and no phone
    search could find it."""
    phone = phone.strip()
    refuse_control_characters(phone, field_name, label="phone")
    phone = checked_length(phone, field_name, "phone", limits.PHONE)
    if phone and not is_phone_text(phone):
        raise ValidationError(
            f"'{phone}' is not a phone number: its digits (at least {PHONE_MIN_DIGITS}), "
            "with spaces, +, -, (, ), . or / between them.",
            field_name,
        )
    return phone


def contact_errors(
    first_name: str, last_name: str, email: str, phone: str, address: Address | None
) -> dict[str, str]:
    """Every problem of a new contact as typed, by field (Create Contact shows each one at
    its field, not only the first): the names, the email, the phone, the address."""
    checks = (
        lambda: Customer.new(first_name, last_name),
        lambda: validate_email(email),
        lambda: validate_phone(phone),
    )
    errors: dict[str, str] = {}
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors.setdefault(error.field or "", str(error))
    return {**address_errors(address), **errors} if address is not None else errors


def address_errors(address: Address) -> dict[str, str]:
    """Every problem of an address, by field: `validated` names the first; each field it
    names is set aside (given a value that passes) to find the next."""
    errors: dict[str, str] = {}
    for _ in fields(Address):
        try:
            address.validated()
        except ValidationError as error:
            field = error.field or ""
            if field in errors:
                break
            errors[field] = str(error)
            address = replace(address, **{field: "US" if field == "country" else "x"})
        else:
            break
    return errors


def full_name(first_name: str, last_name: str) -> str:
    return " ".join(part for part in (first_name.strip(), last_name.strip()) if part)


@dataclass(kw_only=True)
class Customer:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str = ""
    addresses: list[Address] = field(default_factory=list)
    id: int | None = None

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @classmethod
    def new(
        cls, first_name: str, last_name: str, email: str | None = None, phone: str = ""
    ) -> Customer:
        """A new contact as entered in the Create Contact dialog."""
        first_name, last_name = first_name.strip(), last_name.strip()
        if not first_name and not last_name:
            raise ValidationError("Enter the customer's first or last name.", "first_name")
        refuse_control_characters(first_name, "first_name")
        refuse_control_characters(last_name, "last_name")
        return cls(
            first_name=checked_length(first_name, "first_name", "first name", limits.NAME),
            last_name=checked_length(last_name, "last_name", "last name", limits.NAME),
            email=validate_email(email),
            phone=validate_phone(phone),
        )

    def add_address(self, address: Address) -> Address:
        address = address.validated()
        if address not in self.addresses:
            self.addresses.append(address)
        return address

    @property
    def default_address(self) -> Address | None:
        return self.addresses[0] if self.addresses else None

    def ship_to(self, address: Address | None = None) -> Address | None:
        """An address of the book (the default one unless given) as a shipment's ship-to:
        named, with a phone to call, the customer's own when the address has none."""
        address = address or self.default_address
        if address is None:
            return None
        return replace(
            address, name=address.name or self.full_name, phone=address.phone or self.phone
        )

"""What the text an agent types into a search field means, independent of any database.

Order search (DESIGN.md): the text is an order number (exact or prefix), a customer email
(exact, case-insensitive), a phone number, or a customer name: a case-insensitive prefix of
the full name as shown, first name then last name, in which `%` stands for any run of
characters. Every other character, `_` and `\\` included, is literal. Names and the text
typed are compared folded (`search_key`: accents, case, Unicode forms, apostrophes and
hyphens) and without their spaces (`compact`): `o neil`, `o'neil` and `oneil` are alike.

Phone numbers are compared by their digits, last digit first (`phone_key`): a number typed
in any form (`+1 (555) 010-2030`, `555-010-2030`, `5550102030`) or its last four digits or
more finds the numbers that end with those digits. Digits alone are an order number's when
one starts with them (order numbers keep priority), else a phone number's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from csr_tui.domain.errors import ValidationError

ORDER_NUMBER_PREFIX = "PO"  # then the number's sequence value (orders.format_order_number)
LIKE_ESCAPE = "\\"
MIN_SUBSTRING = 3  # trigram indexes need three characters; so does the seed's variant search

_ORDER_NUMBER = re.compile(rf"^(?:{ORDER_NUMBER_PREFIX})?\s*(\d+)$", re.IGNORECASE)


# What a phone number is written with. Text made only of these (and a leading `%`, "any
# digits before"), with PHONE_MIN_DIGITS digits or more, is a phone number or its end.
PHONE_CHARACTERS = frozenset("0123456789 +-()./")
PHONE_MIN_DIGITS = 4
# Leading zeros are a trunk prefix ("020 7946 0123") or an international one ("0044 ...")
# when this many digits or more follow them; fewer are the end of a number ("0123").
NATIONAL_MIN_DIGITS = 7


def phone_digits(text: str) -> str:
    """The digits of a phone number as typed or stored (full-width digits as well)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")


def phone_key(text: str) -> str:
    """The form in which phone numbers are stored for search and typed digits compared: the
    digits without a trunk or international prefix, last digit first, so that "the number
    ends with these digits" is a prefix of the key (a B-tree range)."""
    text = unicodedata.normalize("NFKC", text)
    digits = phone_digits(text)
    national = digits.lstrip("0")
    if not text.lstrip().startswith("+") and len(national) >= NATIONAL_MIN_DIGITS:
        digits = national
    return digits[::-1]


def is_phone_text(text: str, min_digits: int = PHONE_MIN_DIGITS) -> bool:
    """Text written as a phone number (or the end of one), with enough digits."""
    body = text.strip().removeprefix("%")
    return (
        bool(body)
        and set(unicodedata.normalize("NFKC", body)) <= PHONE_CHARACTERS
        and len(phone_digits(body)) >= min_digits
    )


# Letters a US keyboard lacks that Unicode does not decompose into a letter and an accent,
# as people type them (after case folding: Ø is ø, and ß is already "ss").
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
# Apostrophes and hyphens inside names, in every form a keyboard or a paste gives them:
# O'Neil, ONeil and O'Neil typed with a typographic apostrophe are one name, as are
# Smith-Jones and SmithJones.
_JOINERS = dict.fromkeys(map(ord, "'’‘ʼ`´′-‐‑‒–—―"), None)


def search_key(text: str) -> str:
    """The form in which names are stored for search and typed text is compared, as a person
    would compare them: Unicode compatibility forms alike (NFKC: a full-width A is A), case
    folded, accents removed (é, ö, å; kana keep their voicing marks), ø/æ/œ/ł/… as typed on a
    US keyboard, apostrophes and hyphens dropped, runs of spaces as one."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not "\u0300" <= ch <= "\u036f"
    )
    text = unicodedata.normalize("NFC", text).translate(_LETTERS).translate(_JOINERS)
    return " ".join(text.split())


def compact(key: str) -> str:
    """A search key without its spaces: the form in which names are matched, so that the
    words a caller splits or joins differently are one name (`o neil` and O'Neil, `mary
    jane` and Mary-Jane, `vanderberg` and Van der Berg). Matching the compact forms never
    finds less than matching the keys did: a part of a key is, without its spaces, a part
    of the key without its spaces. The databases keep it beside each key (`compact_key`,
    SQL `replace(name_key, ' ', '')`)."""
    return key.replace(" ", "")


def compact_key(text: str) -> str:
    return compact(search_key(text))


def escape_like(fragment: str) -> str:
    return (
        fragment.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


class SearchKind(StrEnum):
    ALL = "all"
    ORDER_NUMBER = "order number"
    EMAIL = "email"
    NAME = "name"
    PHONE = "phone"


@dataclass(frozen=True)
class OrderSearch:
    kind: SearchKind
    text: str = ""
    fragments: tuple[str, ...] = ()
    anchored: bool = True
    # PHONE: the phone key of the digits typed; ORDER_NUMBER: the same, if the digits can
    # also be the end of a phone number (searched when no order number starts with them).
    phone: str = ""

    @property
    def is_prefix(self) -> bool:
        """A plain prefix of the name ("Mer", "Mercy Tay"): a B-tree range answers it."""
        return self.kind is SearchKind.NAME and self.anchored and len(self.fragments) == 1

    def like_pattern(self) -> str:
        """The LIKE pattern (with ESCAPE '\\') that matches the same names as `matches`."""
        body = "%".join(escape_like(f) for f in self.fragments)
        return ("" if self.anchored else "%") + body + "%"

    def matches_name(self, name: str) -> bool:
        """The reference meaning of a name search; SQL must agree with it. The fragments
        are compact (`compact`), and so is the name they are matched in."""
        pattern = ("" if self.anchored else ".*") + ".*".join(map(re.escape, self.fragments))
        return re.match(pattern, compact_key(name), re.DOTALL) is not None

    def matches_phone(self, phone: str) -> bool:
        """The reference meaning of a phone search; SQL must agree with it."""
        return bool(self.phone) and phone_key(phone).startswith(self.phone)

    def as_phone(self) -> OrderSearch:
        """The phone search for the same digits (an ORDER_NUMBER search with `phone`)."""
        assert self.phone
        digits = self.text.removeprefix(ORDER_NUMBER_PREFIX)
        return OrderSearch(SearchKind.PHONE, digits, phone=self.phone)

    def describe(self) -> str:
        if self.kind is SearchKind.PHONE:
            return f"phone number ending {self.phone[::-1]}"
        if self.kind is SearchKind.ORDER_NUMBER:
            return f"order number {self.text}…"
        if self.kind is SearchKind.EMAIL:
            return f"email {self.text}"
        if self.kind is SearchKind.NAME:
            return f"name {self.text}"
        return "all orders"


def order_number(text: str) -> str:
    """An order number as an agent may write it: `PO1042`, `po1042`, `PO 1042` or `1042`."""
    number = _ORDER_NUMBER.match(text.strip())
    return ORDER_NUMBER_PREFIX + number.group(1) if number else text.strip().upper()


def parse_order_search(text: str) -> OrderSearch:
    text = " ".join(text.split())
    if not text:
        return OrderSearch(SearchKind.ALL)
    if "@" in text:
        return OrderSearch(SearchKind.EMAIL, text.lower())
    number = _ORDER_NUMBER.match(text)
    if number:
        digits = number.group(1)
        phone = "" if text[0].isalpha() or len(digits) < PHONE_MIN_DIGITS else phone_key(digits)
        return OrderSearch(SearchKind.ORDER_NUMBER, ORDER_NUMBER_PREFIX + digits, phone=phone)
    if is_phone_text(text):
        return OrderSearch(SearchKind.PHONE, text, phone=phone_key(text.removeprefix("%")))
    key = search_key(text)
    fragments = tuple(part for part in map(compact, key.split("%")) if part)
    if not fragments:
        return OrderSearch(SearchKind.ALL)
    return OrderSearch(SearchKind.NAME, text, fragments, anchored=not key.startswith("%"))


@dataclass(frozen=True)
class ContainsSearch:
    """Customer and variant search: any part of the name, SKU or description, compared in
    their compact form (`compact`)."""

    key: str  # compact

    def matches(self, *values: str | None) -> bool:
        return any(self.key in compact_key(v) for v in values if v)


def parse_contains_search(text: str, what: str = "search") -> ContainsSearch:
    key = compact_key(text)
    if len(key) < MIN_SUBSTRING:
        raise ValidationError(f"Enter {MIN_SUBSTRING} or more characters to {what}.", "search")
    return ContainsSearch(key)


def any_part(text: str) -> str | None:
    """The same name search, matching any part of the name: "%Hayes" for "Hayes" (which
    matches names that start with it); for digits that are an order number's, the phone
    numbers that end with them: "%2030" for "2030". None when `text` is neither a name
    search from the first letter nor such digits (an email, a phone number, "%...")."""
    search = parse_order_search(text)
    if search.kind is SearchKind.ORDER_NUMBER and search.phone:
        return "%" + search.phone[::-1]
    if search.kind is not SearchKind.NAME or not search.anchored:
        return None
    return "%" + " ".join(text.split())

"""What the text an agent types into a search field means, independent of any database.

Order search (DESIGN.md): the text is an order number (exact or prefix), a customer email
(exact, case-insensitive) or a customer name: a case-insensitive prefix of the full name
as shown, first name then last name, in which `%` stands for any run of characters.
Every other character, `_` and `\\` included, is literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from csr_tui.domain.errors import ValidationError
from csr_tui.domain.orders import ORDER_NUMBER_PREFIX

LIKE_ESCAPE = "\\"
MIN_SUBSTRING = 3  # trigram indexes need three characters; so does the seed's variant search

_ORDER_NUMBER = re.compile(rf"^(?:{ORDER_NUMBER_PREFIX})?\s*(\d+)$", re.IGNORECASE)


def search_key(text: str) -> str:
    """The form in which names are stored for search and typed text is compared."""
    return " ".join(text.split()).casefold()


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


@dataclass(frozen=True)
class OrderSearch:
    kind: SearchKind
    text: str = ""
    fragments: tuple[str, ...] = ()
    anchored: bool = True

    @property
    def is_prefix(self) -> bool:
        """A plain prefix of the name ("Mer", "Mercy Tay"): a B-tree range answers it."""
        return self.kind is SearchKind.NAME and self.anchored and len(self.fragments) == 1

    def like_pattern(self) -> str:
        """The LIKE pattern (with ESCAPE '\\') that matches the same names as `matches`."""
        body = "%".join(escape_like(f) for f in self.fragments)
        return ("" if self.anchored else "%") + body + "%"

    def matches_name(self, name: str) -> bool:
        """The reference meaning of a name search; SQL must agree with it."""
        pattern = ("" if self.anchored else ".*") + ".*".join(map(re.escape, self.fragments))
        return re.match(pattern, search_key(name), re.DOTALL) is not None

    def describe(self) -> str:
        if self.kind is SearchKind.ORDER_NUMBER:
            return f"order number {self.text}…"
        if self.kind is SearchKind.EMAIL:
            return f"email {self.text}"
        if self.kind is SearchKind.NAME:
            return f"name {self.text}"
        return "all orders"


def parse_order_search(text: str) -> OrderSearch:
    text = " ".join(text.split())
    if not text:
        return OrderSearch(SearchKind.ALL)
    if "@" in text:
        return OrderSearch(SearchKind.EMAIL, text.lower())
    number = _ORDER_NUMBER.match(text)
    if number:
        return OrderSearch(SearchKind.ORDER_NUMBER, ORDER_NUMBER_PREFIX + number.group(1))
    key = search_key(text)
    fragments = tuple(part for part in key.split("%") if part)
    if not fragments:
        return OrderSearch(SearchKind.ALL)
    return OrderSearch(SearchKind.NAME, text, fragments, anchored=not key.startswith("%"))


@dataclass(frozen=True)
class ContainsSearch:
    """Customer and variant search: any part of the name, email, SKU or description."""

    key: str

    def matches(self, *values: str | None) -> bool:
        return any(self.key in search_key(v) for v in values if v)


def parse_contains_search(text: str, what: str = "search") -> ContainsSearch:
    key = search_key(text)
    if len(key) < MIN_SUBSTRING:
        raise ValidationError(f"Enter {MIN_SUBSTRING} or more characters to {what}.", "search")
    return ContainsSearch(key)


def any_part(text: str) -> str | None:
    """The same name search, matching any part of the name: "%Hayes" for "Hayes" (which
    matches names that start with it). None when `text` is not a name search from the
    first letter (an order number, an email, or already "%...")."""
    search = parse_order_search(text)
    if search.kind is not SearchKind.NAME or not search.anchored:
        return None
    return "%" + " ".join(text.split())

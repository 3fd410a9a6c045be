"""A corpus of orders for the search tests, built once per backend and module (the tests
only read it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from csr_tui.data.database import Database
from csr_tui.domain import OrderStatus, PurchaseOrder, Stock, convert_cart
from tests.conftest import new_database_url
from tests.factories import JP, NOW, US, cart

NAMES = [
    ("Mercy Taylor", "mercy.taylor@example.com"),
    ("Taylor Hayes", "taylor.hayes@example.com"),
    ("Mercer Smith", "mercer@example.org"),
    ("Mercedes Ruiz", "mercedes@example.org"),
    ("Ann O'Neil", "ann@example.com"),
    ("Jo_Ann Park", "joann@example.com"),
    ("Joe Ann", "joe@example.com"),
    ("Back\\Slash", "back@example.com"),
    ('Quote "Q" Smith', "quote@example.com"),
    ("Émile Zola", "emile@example.fr"),
    ("Zoë Ström", "zoe@example.se"),
    ("100% Pure", "pure@example.com"),
    ("José Núñez", "jose@example.es"),
    ("Hans Müller", "hans@example.de"),
    ("Eva Lindström", "eva@example.se"),
    ("Liam O’Neil", "liam@example.ie"),  # a typographic apostrophe, as pasted
    ("Mary-Jane Watson", "mj@example.com"),
    ("Anna van der Berg", "anna@example.nl"),  # an odd number of names: see _corpus
    ("山田 太郎", "yamada@example.jp"),
    ("Walk In", None),
    ("", "guest@example.net"),
]
# Phone numbers on some orders: 2030 ends two of them, and 1003 is an order number's too.
PHONES = {
    "Mercy Taylor": "+1 555-010-2030",
    "Taylor Hayes": "+44 20 7946 1003",
    "Zoë Ström": "+46 (70) 123-45.67",
    "José Núñez": "+81 3-5550-2030",
}
STATUSES = [OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED, OrderStatus.CANCELED]


class Corpus:
    def __init__(self, db: Database, orders: list[PurchaseOrder]) -> None:
        self.db = db
        self.orders = orders


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Corpus]:
    yield from _corpus(request, request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def sqlite_corpus(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Corpus]:
    yield from _corpus(request, "sqlite", tmp_path_factory)


def _corpus(request, backend: str, tmp_path_factory) -> Iterator[Corpus]:
    """Two orders per name, alternating markets and statuses, one hour apart (the names
    are an odd number, so that each name has an order in each market)."""
    assert len(NAMES) % 2 == 1, "each name's two orders in different markets"
    db = Database(new_database_url(request, backend, tmp_path_factory.mktemp("corpus")))
    orders = []
    with db.unit_of_work() as uow:
        uow.catalog.markets()
        n = 0
        for _copy in range(2):
            for name, email in NAMES:
                market = US if (n % 2 == 0) else JP
                draft = cart(market)
                draft.set_anonymous_contact(name or "", email, PHONES.get(name, ""))
                order = convert_cart(
                    draft,
                    f"PO{1001 + n}",
                    now=NOW - timedelta(hours=len(NAMES) * 2 - n),
                    agent="alice",
                    coupons={},
                    stock=Stock({}),
                )
                order.status = STATUSES[n % 3]
                uow.orders.add(order)
                orders.append(order)
                n += 1
        uow.commit()
    yield Corpus(db, orders)
    db.close()

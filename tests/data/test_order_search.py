"""The order list query: the search rules of DESIGN.md, filters, counts and keyset paging,
on both databases and through both plans (sparse: via the search index; dense: the walk)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csr_tui.data import queries
from csr_tui.data.queries import Count, OrderFilter, OrderList
from csr_tui.domain import OrderStatus, Stock, convert_cart
from csr_tui.domain.search import SearchKind, parse_order_search
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
    ("Walk In", None),
    ("", "guest@example.net"),
]
STATUSES = [OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED, OrderStatus.CANCELED]


@pytest.fixture
def corpus(db):
    """Two orders per name, alternating markets and statuses, one hour apart."""
    rows = []
    with db.unit_of_work() as uow:
        uow.catalog.markets()
        n = 0
        for _copy in range(2):
            for name, email in NAMES:
                market = US if (n % 2 == 0) else JP
                draft = cart(market)
                draft.set_anonymous_contact(name or "", email)
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
                rows.append(order)
                n += 1
        uow.commit()
    return rows


@pytest.fixture(params=["sparse", "dense"])
def plan(request, monkeypatch):
    for dialect in queries.SPARSE_LIMIT:
        monkeypatch.setitem(
            queries.SPARSE_LIMIT, dialect, 10**9 if request.param == "sparse" else -1
        )
    return request.param


def found(db, text="", **filters):
    with db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(text=text, **filters), ["JP", "US"])
        rows, more = order_list.page(size=100)
        count = order_list.count()
    assert not more
    assert count == Count(len(rows)), "the count agrees with the rows"
    return rows


def names(db, text, **filters):
    return sorted({r.customer_name for r in found(db, text, **filters)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%tay", ["Mercy Taylor", "Taylor Hayes"]),
        ("Mer", ["Mercedes Ruiz", "Mercer Smith", "Mercy Taylor"]),
        ("mercy tay", ["Mercy Taylor"]),
        ("MERCY", ["Mercy Taylor"]),
        ("m%smith", ["Mercer Smith"]),
        ("jo_", ["Jo_Ann Park"]),
        ("jo%ann", ["Jo_Ann Park", "Joe Ann"]),
        ("back\\", ["Back\\Slash"]),
        ('quote "q', ['Quote "Q" Smith']),
        ("ann o'", ["Ann O'Neil"]),
        ("émile", ["Émile Zola"]),
        ("ÉMILE ZOLA", ["Émile Zola"]),
        ("%ström", ["Zoë Ström"]),
        ("%núñ", ["José Núñez"]),
        ("100%", ["100% Pure"]),
        ("%ure", ["100% Pure"]),
        ("walk", ["Walk In"]),
        ("%ta", ["Mercy Taylor", "Taylor Hayes"]),
        ("t", ["Taylor Hayes"]),
        ("%zz", []),
        ("zqxw", []),
    ],
)
def test_name_search(db, corpus, plan, text, expected):
    assert names(db, text) == expected


def test_email_is_exact_and_case_insensitive(db, corpus, plan):
    assert names(db, "MERCY.TAYLOR@example.com") == ["Mercy Taylor"]
    assert names(db, "@example.com") == []
    assert names(db, "mercy.taylor@example") == []


def test_anonymous_orders_are_found_by_the_name_or_email_typed_on_them(db, corpus, plan):
    rows = found(db, "guest@example.net")
    assert len(rows) == 2 and all(r.customer_name == "" for r in rows)
    assert names(db, "Walk In") == ["Walk In"]


def test_order_number_exact_and_prefix(db, corpus, plan):
    assert [r.number for r in found(db, "PO1007")] == ["PO1007"]
    assert [r.number for r in found(db, "po1001")] == ["PO1001"]
    assert sorted(r.number for r in found(db, "PO101")) == [f"PO{n}" for n in range(1010, 1020)]
    assert [r.number for r in found(db, "1030")] == ["PO1030"]


def test_filters_combine_with_search(db, corpus, plan):
    assert {r.status for r in found(db, statuses=frozenset({OrderStatus.CANCELED}))} == {
        OrderStatus.CANCELED
    }
    assert {r.market_code for r in found(db, markets=frozenset({"JP"}))} == {"JP"}
    taylors = found(db, "%tay", markets=frozenset({"US"}))
    assert taylors and all(r.market_code == "US" for r in taylors)
    both = found(
        db,
        "%a",
        statuses=frozenset({OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED}),
        markets=frozenset({"US", "JP"}),
    )
    assert both and {r.status for r in both} <= {OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED}


def test_created_date_range_is_half_open(db, corpus, plan):
    ordered = sorted(corpus, key=lambda o: o.created_at)
    start, end = ordered[3].created_at, ordered[7].created_at
    rows = found(db, created_from=start, created_to=end)
    assert sorted(r.number for r in rows) == sorted(o.number for o in ordered[3:7])


def test_newest_first_and_keyset_pages_cover_everything_once(db, corpus, plan):
    every = found(db)
    assert [r.created_at for r in every] == sorted((r.created_at for r in every), reverse=True)
    with db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(), ["JP", "US"])
        pages, cursor, more = [], None, True
        while more:
            rows, more = order_list.page(after=cursor, size=7)
            pages.append(rows)
            cursor = rows[-1].cursor
        forward = [r.number for page in pages for r in page]
        last, _ = order_list.page(last=True, size=7)
        back = list(last)
        while True:
            rows, more = order_list.page(before=back[0].cursor, size=7)
            back = rows + back
            if not more:
                break
    assert forward == [r.number for r in every]
    assert [r.number for r in back] == forward
    assert len(last) == len(every) % 7 or len(last) == 7


def test_counts_stop_at_the_cap(db, corpus):
    with db.reading() as conn:
        count = OrderList(conn, OrderFilter(), ["JP", "US"], cap=5).count()
    assert count == Count(5, at_least=True) and str(count) == "5+"
    assert str(Count(12_345)) == "12,345"


def reference(text: str) -> list[str]:
    query = parse_order_search(text)
    return sorted({n for n, _ in NAMES if n and query.matches_name(n)})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(alphabet="aemnorty_%\\\"' ÉéöÖ", min_size=1, max_size=6))
def test_sql_agrees_with_the_reference_meaning(db, corpus, plan, text):
    query = parse_order_search(text)
    if query.kind is not SearchKind.NAME:
        return
    assert names(db, text) == reference(text)

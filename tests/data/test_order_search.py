"""The order list query: the search rules of DESIGN.md, filters, counts and keyset paging,
on both databases and through both plans (sparse: via the search index; dense: the walk)."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from csr_tui.data import queries
from csr_tui.data.cancel import Cancellation, SearchCancelled
from csr_tui.data.queries import Count, OrderFilter, OrderList
from csr_tui.domain import OrderStatus
from csr_tui.domain.search import SearchKind, parse_order_search
from tests.data.conftest import NAMES, PHONES

# The plans a search can take, forced here whatever the corpus's size: "sparse" sorts the
# orders its source finds; "dense" walks the newest orders testing the term, and counts
# with filters through the source; the last also walks the filtered orders to count them.
PLANS = {
    "sparse": {"SPARSE_LIMIT": 10**9},
    "dense": {"SPARSE_LIMIT": -1, "PROBE": 0},
    "dense, filtered orders walked": {"SPARSE_LIMIT": -1, "PROBE": 1, "PROBE_KEEPS": 0},
}


def force(monkeypatch, plan: str) -> None:
    for name, value in PLANS[plan].items():
        if name == "SPARSE_LIMIT":
            for dialect in queries.SPARSE_LIMIT:
                monkeypatch.setitem(queries.SPARSE_LIMIT, dialect, value)
        else:
            monkeypatch.setattr(queries, name, value)


@pytest.fixture(params=["sparse", "dense"])
def plan(request, monkeypatch):
    force(monkeypatch, request.param)
    return request.param


@pytest.fixture(params=list(PLANS))
def filtered_plan(request, monkeypatch):
    force(monkeypatch, request.param)
    return request.param


def found(corpus, text="", **filters):
    with corpus.db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(text=text, **filters), ["JP", "US"])
        rows, more = order_list.page(size=100)
        count = order_list.count()
    assert not more
    assert count == Count(len(rows)), "the count agrees with the rows"
    return rows


def names(corpus, text, **filters):
    return sorted({r.customer_name for r in found(corpus, text, **filters)})


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
        ("%ström", ["Eva Lindström", "Zoë Ström"]),
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
def test_name_search(corpus, plan, text, expected):
    assert names(corpus, text) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("%müller", ["Hans Müller"]),
        ("%muller", ["Hans Müller"]),
        ("%lindstrom", ["Eva Lindström"]),
        ("jose", ["José Núñez"]),
        ("Emile", ["Émile Zola"]),
        ("%oneil", ["Ann O'Neil", "Liam O’Neil"]),
        ("%o’neil", ["Ann O'Neil", "Liam O’Neil"]),
        ("%o'neil", ["Ann O'Neil", "Liam O’Neil"]),
        ("%o neil", ["Ann O'Neil", "Liam O’Neil"]),
        ("ann o neil", ["Ann O'Neil"]),
        ("ANN  ONEIL", ["Ann O'Neil"]),
        ("mary jane", ["Mary-Jane Watson"]),
        ("maryjane w", ["Mary-Jane Watson"]),
        ("%jane wat", ["Mary-Jane Watson"]),
        ("zoe\u0308", ["Zoë Ström"]),  # decomposed, as some terminals send it
        ("ＺＯＥ", ["Zoë Ström"]),  # full-width
        ("山田", ["山田 太郎"]),
        ("%太郎", ["山田 太郎"]),
    ],
)
def test_names_are_found_as_callers_say_them(corpus, plan, typed, expected):
    assert names(corpus, typed) == expected


def test_email_is_exact_and_case_insensitive(corpus, plan):
    assert names(corpus, "MERCY.TAYLOR@example.com") == ["Mercy Taylor"]
    assert names(corpus, "@example.com") == []
    assert names(corpus, "mercy.taylor@example") == []


def test_anonymous_orders_are_found_by_the_name_or_email_typed_on_them(corpus, plan):
    rows = found(corpus, "guest@example.net")
    assert len(rows) == 2 and all(r.customer_name == "" for r in rows)
    assert names(corpus, "Walk In") == ["Walk In"]


def test_order_number_exact_and_prefix(corpus, plan):
    assert [r.number for r in found(corpus, "PO1007")] == ["PO1007"]
    assert [r.number for r in found(corpus, "po1001")] == ["PO1001"]
    assert sorted(r.number for r in found(corpus, "PO101")) == [f"PO{n}" for n in range(1010, 1020)]
    assert [r.number for r in found(corpus, "1030")] == ["PO1030"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+1 (555) 010-2030", ["Mercy Taylor"]),
        ("+1 555 010 2030", ["Mercy Taylor"]),
        ("5550102030", ["Mercy Taylor"]),
        ("555-010-2030", ["Mercy Taylor"]),
        ("2030", ["José Núñez", "Mercy Taylor"]),  # the last digits; no order number 2030…
        ("020 7946 1003", ["Taylor Hayes"]),
        ("+44 20 7946 1003", ["Taylor Hayes"]),
        ("%1003", ["Taylor Hayes"]),
        ("070-123 45 67", ["Zoë Ström"]),
        ("4567", ["Zoë Ström"]),
        ("+1 555 010 2031", []),
        ("99999999", []),
    ],
)
def test_phone_search_finds_the_orders_of_the_number_in_any_form(corpus, plan, typed, expected):
    assert names(corpus, typed) == expected
    assert len(found(corpus, typed)) == 2 * len(expected), "both orders of each"


def test_order_numbers_keep_priority_over_the_last_digits_of_a_phone(corpus, plan):
    assert [r.number for r in found(corpus, "1003")] == ["PO1003"]
    assert names(corpus, "%1003") == ["Taylor Hayes"]


def test_phone_search_with_filters(corpus, filtered_plan):
    rows = found(corpus, "2030", markets=frozenset({"JP"}))
    assert rows and {r.market_code for r in rows} == {"JP"}
    assert {r.customer_name for r in rows} <= {"José Núñez", "Mercy Taylor"}
    canceled = found(corpus, "+1 555 010 2030", statuses=frozenset({OrderStatus.CANCELED}))
    assert all(r.status is OrderStatus.CANCELED for r in canceled)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(alphabet="0123457 +-()%", min_size=4, max_size=8))
def test_phone_sql_agrees_with_the_reference_meaning(corpus, typed):
    query = parse_order_search(typed)
    if query.kind is SearchKind.ORDER_NUMBER and query.phone:
        if any(o.number.startswith(query.text) for o in corpus.orders):
            return  # an order number's digits: see test_order_number_exact_and_prefix
        query = query.as_phone()
    if query.kind is not SearchKind.PHONE:
        return
    expected = sorted(n for n, phone in PHONES.items() if query.matches_phone(phone))
    assert names(corpus, typed) == expected


def test_filters_combine_with_search(corpus, filtered_plan):
    assert {r.status for r in found(corpus, statuses=frozenset({OrderStatus.CANCELED}))} == {
        OrderStatus.CANCELED
    }
    assert {r.market_code for r in found(corpus, markets=frozenset({"JP"}))} == {"JP"}
    taylors = found(corpus, "%tay", markets=frozenset({"US"}))
    assert taylors and all(r.market_code == "US" for r in taylors)
    both = found(
        corpus,
        "%a",
        statuses=frozenset({OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED}),
        markets=frozenset({"US", "JP"}),
    )
    assert both and {r.status for r in both} <= {OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED}


def test_created_date_range_is_half_open(corpus, filtered_plan):
    ordered = sorted(corpus.orders, key=lambda o: o.created_at)
    start, end = ordered[3].created_at, ordered[7].created_at
    rows = found(corpus, created_from=start, created_to=end)
    assert sorted(r.number for r in rows) == sorted(o.number for o in ordered[3:7])


def test_newest_first_and_keyset_pages_cover_everything_once(corpus, plan):
    every = found(corpus)
    assert [r.created_at for r in every] == sorted((r.created_at for r in every), reverse=True)
    with corpus.db.reading() as conn:
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


def test_counts_stop_at_the_cap(corpus):
    with corpus.db.reading() as conn:
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
@given(text=st.text(alphabet="aemnorty_%\\\"' ÉéöÖü\u0308’-ｍ山", min_size=1, max_size=6))
def test_sql_agrees_with_the_reference_meaning(corpus, plan, text):
    query = parse_order_search(text)
    if query.kind is not SearchKind.NAME:
        return
    assert names(corpus, text) == reference(text)


def test_a_cancelled_search_stops_at_once_and_leaves_the_database_usable(db):
    endless = text(
        "SELECT pg_sleep(60)"
        if db.dialect == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n"
    )
    cancel = Cancellation()
    threading.Timer(0.3, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(SearchCancelled), db.reading() as conn, cancel.attached(conn):
        cancel.run(conn, endless, {})
    assert time.monotonic() - started < 10
    with pytest.raises(SearchCancelled):
        cancel.run(None, endless, {})  # nothing more runs once cancelled
    with db.reading() as conn:
        assert OrderList(conn, OrderFilter(), ["JP", "US"]).count() == Count(0)

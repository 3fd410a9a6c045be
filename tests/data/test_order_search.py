"""The order list query: the search rules of DESIGN.md, filters, counts and keyset paging,
on both databases and through both plans (sparse: via the search index; dense: the walk)."""

from __future__ import annotations

import threading
import time
import unicodedata
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from csr_tui.data import queries
from csr_tui.data import tables as t
from csr_tui.data.cancel import Cancellation, SearchCancelled
from csr_tui.data.database import Database
from csr_tui.data.engine import WRITE
from csr_tui.data.lists import search_customers
from csr_tui.data.queries import Count, OrderFilter, OrderList
from csr_tui.domain import OrderStatus
from csr_tui.domain.search import (
    MIN_SUBSTRING,
    SearchKind,
    compact_key,
    is_phone_text,
    parse_contains_search,
    parse_order_search,
    search_key,
)
from tests.conftest import new_database_url
from tests.data.conftest import PHONES
from tests.factories import NOW

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
        ("%vanderberg", ["Anna van der Berg"]),
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


# Random names as callers' names come: accents precomposed and combining, apostrophes and
# hyphens of every kind, spaces (ideographic too), kana and kanji, full-width and half-width
# forms, letters Unicode does not decompose, the characters a LIKE pattern treats specially;
# and, now and then, any printable character at all.
NAME_ALPHABET = (
    "abeijlmnorsyz ABEO'’ʼ`-‐–.,"  # Latin, apostrophes, hyphens, punctuation
    "éÉèüÜöåñçØøßæÆœŒłŁđı"  # accents, letters without a decomposition
    "\u0301\u0308\u030a\u3000\u00a0"  # combining acute, diaeresis, ring; wide, no-break spaces
    "山田太郎花子ガカッコウｶﾞｯｺｳﾟＡＢｍｎ１"  # kanji, kana, half-width kana, full-width
    '%_\\"'  # literal in names; `%` is a wildcard only when typed
)
names_st = st.one_of(
    st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=14),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=8,
    ),
).filter(lambda name: 0 < len(name) <= 60 and 0 < len(search_key(name)) <= 200)


@st.composite
def typed_terms(draw, stored: list[str]) -> str:
    """What an agent might type for one of the stored names (a slice of it, its case,
    spaces and apostrophes changed, decomposed, `%` put in) or for none of them."""
    if draw(st.booleans()):
        return draw(st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=6))
    name = draw(st.sampled_from(stored))
    start = draw(st.integers(0, len(name) - 1))
    term = name[start : draw(st.integers(start + 1, len(name)))]
    form = draw(st.sampled_from(["as is", "upper", "NFD", "NFKC", "no spaces", "spaced"]))
    if form == "upper":
        term = term.upper()
    elif form in ("NFD", "NFKC"):
        term = unicodedata.normalize(form, term)
    elif form == "no spaces":
        term = "".join(ch for ch in term if not ch.isspace())
    elif form == "spaced":
        cut = draw(st.integers(0, len(term)))
        term = term[:cut] + draw(st.sampled_from([" ", "  ", "'", "’", "-"])) + term[cut:]
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(term)))
        term = term[:cut] + "%" + term[cut:]
    return ("%" if start and draw(st.booleans()) else "") + term


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scratch(request, tmp_path_factory):
    """An empty database per backend, in which each example stores its names in a
    transaction it rolls back."""
    db = Database(new_database_url(request, request.param, tmp_path_factory.mktemp("names")))
    yield db
    db.close()


def store_orders(conn, names: list[str]) -> dict[str, str]:
    """An order per name, as the repository stores one (its key, `search_key`): number to
    name."""
    numbers = {f"PX{n}": name for n, name in enumerate(names)}
    conn.execute(
        t.orders.insert(),
        [
            dict(
                number=number,
                name="Phone order",
                market_code="US",
                currency="USD",
                customer_name=name,
                customer_phone="",
                name_key=search_key(name),
                status="In Progress",
                total=Decimal(10),
                created_at=NOW - timedelta(minutes=n),
                created_by="x",
                updated_at=NOW,
                updated_by="x",
                version=1,
            )
            for n, (number, name) in enumerate(numbers.items())
        ],
    )
    return numbers


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_agrees_with_the_reference_meaning_for_random_names(scratch, data):
    """`matches_name` is the meaning; the order search (both plans) and the customer search
    must find exactly what it finds, on SQLite and PostgreSQL."""
    stored = data.draw(st.lists(names_st, min_size=1, max_size=5), "names")
    typed = data.draw(st.lists(typed_terms(stored), min_size=1, max_size=4), "typed")
    with scratch.engine.connect().execution_options(**{WRITE: True}) as conn:
        conn.begin()
        conn.execute(t.customers.delete())  # the seed's: only the names stored here count
        numbers = store_orders(conn, stored)
        people = [n for n in stored if 0 < len(n) <= 100]
        conn.execute(
            t.customers.insert(),
            [
                dict(
                    first_name=name,
                    last_name="",
                    phone="",
                    name_key=search_key(name),
                    created_at=NOW,
                )
                for name in people
            ],
        )
        for text in typed:
            query = parse_order_search(text)
            if query.kind is SearchKind.NAME:
                expected = sorted(n for n, name in numbers.items() if query.matches_name(name))
                for plan in ("sparse", "dense"):
                    with pytest.MonkeyPatch.context() as monkeypatch:
                        force(monkeypatch, plan)
                        order_list = OrderList(conn, OrderFilter(text=text), ["JP", "US"])
                        rows, _ = order_list.page(size=100)
                        found_numbers = sorted(r.number for r in rows)
                        assert found_numbers == expected, (text, plan, stored)
                        assert order_list.count() == Count(len(expected)), (text, plan)
            key = compact_key(text)
            if len(key) >= MIN_SUBSTRING and not is_phone_text(text, MIN_SUBSTRING):
                contains = parse_contains_search(text)
                # A customer is also found by an email (none here) or a phone (none).
                want = sorted(n for n in people if contains.matches(n))
                got = sorted(c.name for c in search_customers(conn, text, limit=100))
                assert got == want, (text, stored)
        conn.rollback()


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

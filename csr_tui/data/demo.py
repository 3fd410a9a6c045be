"""Deterministic, realistic demo data, fast enough to load a million orders.

The same seed on the same day gives the same data. Orders are spread over three years up to
today, in every status, with payments, shipments and notes consistent with that status.
Rows go through the driver's bulk paths (sqlite3 executemany, PostgreSQL COPY): the ORM and
even Core executemany are 4-10x slower (search-performance-notes.md, "Bulk load").
"""

from __future__ import annotations

import gc
import pickle
import queue
import random
import sqlite3
import subprocess
import sys
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select, update

from csr_tui.data import tables as t
from csr_tui.data.engine import WRITE
from csr_tui.data.repository import CartRepository, CatalogRepository
from csr_tui.domain.customers import Address
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart, format_order_number
from csr_tui.domain.search import phone_key, search_key
from csr_tui.domain.statuses import OrderStatus, PaymentStatus, ShipmentStatus

LOAD_CACHE_KIB = 32_768
DEFAULT_ORDERS = 5_000
DEFAULT_SEED = 42
CHUNK = 5_000
ROWS_PER_INSERT = 20  # SQLite: rows per INSERT statement
AHEAD = 24  # chunks the order maker may have made before the loading process takes them
OWN_PROCESS_FROM = 50_000  # orders: below, the rows are made in the loading process
AGENTS = ("alice", "bob", "chen", "dana", "emeka", "farah", "website")
SEED_SKU = 40_707_827  # the seed's example of a SKU search ("SKU-40707827"): the first variant


class DemoRefused(DomainError):
    """Demo data goes only into an empty database."""


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class _Silent:
    def phase(self, name: str, total: int) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


@dataclass(frozen=True)
class MarketSpec:
    code: str
    name: str
    currency: str
    minor_units: int
    tax_basis_points: int  # 725 = 7.25 %
    price_factor: float  # relative to USD list prices
    country: str
    cities: tuple[str, ...]
    payments: tuple[tuple[str, str], ...]
    shipping: tuple[tuple[str, str, int], ...]  # code, name, cost in minor units


MARKETS = (
    MarketSpec(
        "US",
        "United States",
        "USD",
        2,
        725,
        1.0,
        "US",
        ("Springfield", "Portland", "Austin", "Columbus", "Denver", "Raleigh"),
        (
            ("card", "Credit card"),
            ("phone", "Phone payment"),
            ("invoice", "Invoice"),
            ("giftcard", "Gift card"),
        ),
        (
            ("ground", "Standard Ground", 599),
            ("express", "Express 2-Day", 1499),
            ("overnight", "Overnight", 2999),
        ),
    ),
    MarketSpec(
        "DE",
        "Germany",
        "EUR",
        2,
        1900,
        0.95,
        "DE",
        ("Berlin", "Hamburg", "München", "Köln", "Leipzig"),
        (("card", "Kreditkarte"), ("paypal", "PayPal"), ("transfer", "Überweisung")),
        (("dhl", "DHL Paket", 490), ("dhl-express", "DHL Express", 1290)),
    ),
    MarketSpec(
        "GB",
        "United Kingdom",
        "GBP",
        2,
        2000,
        0.8,
        "GB",
        ("London", "Leeds", "Bristol", "Glasgow", "Cardiff"),
        (("card", "Credit card"), ("paypal", "PayPal"), ("phone", "Phone payment")),
        (("royal-mail", "Royal Mail 2nd Class", 395), ("next-day", "Next Day", 895)),
    ),
    MarketSpec(
        "SE",
        "Sweden",
        "SEK",
        2,
        2500,
        10.5,
        "SE",
        ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Umeå"),
        (("card", "Kort"), ("klarna", "Klarna faktura"), ("swish", "Swish")),
        (("postnord", "PostNord", 4900), ("budbee", "Budbee hemleverans", 7900)),
    ),
    MarketSpec(
        "JP",
        "Japan",
        "JPY",
        0,
        1000,
        150.0,
        "JP",
        ("Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka"),
        (("card", "Credit card"), ("konbini", "Konbini payment"), ("transfer", "Bank transfer")),
        (("yamato", "Yamato Transport", 700), ("sagawa", "Sagawa Express", 650)),
    ),
)

# (family name, given name, the email's romaji): shown family name first, as in Japan.
JAPANESE_NAMES = (
    ("山田", "太郎", "yamada.taro"),
    ("佐藤", "花子", "sato.hanako"),
    ("鈴木", "一郎", "suzuki.ichiro"),
    ("高橋", "さくら", "takahashi.sakura"),
    ("田中", "ハルト", "tanaka.haruto"),
    ("渡辺", "ゆき", "watanabe.yuki"),
)

# Rough census weights: a few names are common, most are rare.
FIRST_NAMES = """James 33 Mary 32 Robert 31 Patricia 22 John 31 Jennifer 21 Michael 30 Linda 20
David 27 Elizabeth 18 William 26 Barbara 17 Richard 22 Susan 15 Joseph 18 Jessica 14
Thomas 17 Sarah 14 Charles 16 Karen 13 Christopher 15 Lisa 12 Daniel 15 Nancy 11 Matthew 13
Betty 10 Anthony 12 Margaret 10 Mark 12 Sandra 10 Donald 11 Ashley 10 Steven 11 Kimberly 9
Paul 10 Emily 9 Andrew 10 Donna 8 Joshua 10 Michelle 8 Kenneth 9 Carol 8 Kevin 9 Amanda 8
Brian 9 Dorothy 7 George 8 Melissa 7 Timothy 7 Deborah 7 Ronald 7 Stephanie 7 Edward 6
Rebecca 6 Jason 6 Sharon 6 Jeffrey 6 Laura 6 Ryan 6 Cynthia 5 Jacob 6 Kathleen 5 Gary 5
Amy 5 Nicholas 5 Angela 5 Eric 5 Shirley 5 Jonathan 5 Anna 5 Stephen 5 Brenda 4 Larry 4
Pamela 4 Justin 4 Emma 4 Scott 4 Nicole 4 Brandon 4 Helen 4 Benjamin 4 Samantha 4 Samuel 4
Katherine 4 Gregory 3 Christine 3 Alexander 3 Debra 3 Frank 3 Rachel 3 Patrick 3 Carolyn 3
Raymond 3 Janet 3 Jack 3 Catherine 3 Dennis 3 Maria 3 Jerry 3 Heather 3 Tyler 3 Diane 3
Aaron 2 Ruth 2 Jose 2 Julie 2 Adam 2 Olivia 2 Nathan 2 Joyce 2 Henry 2 Virginia 2 Taylor 2
Mercy 1 Zoë 1 Émile 1 Søren 1 Åsa 1 Jürgen 1 Björn 1 Chloé 1 Renée 1 José 1 Siobhán 1
Hiroshi 1 Yuki 1 Haruto 1 Sakura 1 Aiko 1 Kenji 1 Lars 1 Ingrid 1 Astrid 1 Magnus 1 Freya 1
Oliver 2 Amelia 2 Harry 1 Isla 1 Noah 2 Ava 2 Liam 2 Mia 1 Lucas 1 Ella 1 Jo_Ann 1""".split()
LAST_NAMES = """Smith 100 Johnson 80 Williams 69 Brown 60 Jones 59 Garcia 47 Miller 46 Davis 45
Rodriguez 44 Martinez 43 Hernandez 42 Lopez 35 Gonzalez 34 Wilson 32 Anderson 32 Thomas 31
Taylor 31 Moore 30 Jackson 30 Martin 30 Lee 27 Perez 27 Thompson 26 White 26 Harris 25
Sanchez 25 Clark 23 Ramirez 23 Lewis 22 Robinson 22 Walker 21 Young 20 Allen 20 King 20
Wright 19 Scott 19 Torres 19 Nguyen 19 Hill 18 Flores 18 Green 18 Adams 18 Nelson 17
Baker 17 Hall 17 Rivera 16 Campbell 16 Mitchell 16 Carter 16 Roberts 16 Gomez 15 Phillips 15
Evans 15 Turner 15 Diaz 15 Parker 14 Cruz 14 Edwards 14 Collins 14 Reyes 14 Stewart 14
Morris 13 Morales 13 Murphy 13 Cook 13 Rogers 13 Gutierrez 12 Ortiz 12 Morgan 12 Cooper 12
Peterson 12 Bailey 12 Reed 12 Kelly 11 Howard 11 Ramos 11 Kim 11 Cox 11 Ward 11 Richardson 11
Watson 11 Brooks 10 Chavez 10 Wood 10 James 10 Bennett 10 Gray 10 Mendoza 10 Ruiz 10
Hughes 10 Price 10 Alvarez 10 Castillo 9 Sanders 9 Patel 9 Myers 9 Long 9 Ross 9 Foster 9
Jimenez 9 Powell 8 Jenkins 8 Perry 8 Russell 8 Sullivan 8 Bell 8 Coleman 8 Butler 8
Henderson 8 Barnes 8 Gonzales 8 Fisher 8 Vasquez 8 Simmons 7 Romero 7 Jordan 7 Patterson 7
Alexander 7 Hamilton 7 Graham 7 Reynolds 7 Griffin 7 Wallace 7 Moreno 7 West 7 Cole 7
Hayes 7 Bryant 7 Herrera 7 Gibson 7 Ellis 7 Tran 7 Medina 6 Aguilar 6 Stevens 6 Murray 6
Ford 6 Castro 6 Marshall 6 Owens 6 Harrison 6 Fernandez 6 McDonald 6 Woods 6 Washington 6
Kennedy 6 Wells 6 Vargas 6 Henry 6 Chen 6 Freeman 6 Webb 6 Tucker 6 Guzman 6 Burns 6
Crawford 6 Olson 6 Simpson 6 Porter 6 Hunter 6 Gordon 6 Mendez 6 Silva 6 Shaw 6 Snyder 6
O'Neil 3 O'Brien 3 Müller 2 Schmidt 2 Andersson 2 Johansson 2 Karlsson 2 Nilsson 2
Sato 2 Suzuki 2 Takahashi 2 Tanaka 2 Watanabe 2 Øster 1 Lindström 1 Åberg 1 Zola 1
Dubois 1 Lefèvre 1 Núñez 1 Ó_Briain 1 Smith-Jones 1 van_der_Berg 1""".split()

STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Rd",
    "Cedar Ln",
    "Park Blvd",
    "Elm St",
    "Lake Dr",
    "Hill Rd",
    "River Way",
    "Station Rd",
    "Church St",
    "Mill Ln",
)
ADJECTIVES = (
    "Classic",
    "Modern",
    "Vintage",
    "Essential",
    "Premium",
    "Everyday",
    "Organic",
    "Relaxed",
    "Slim",
    "Cozy",
    "Lightweight",
    "Waterproof",
    "Summer",
    "Winter",
)
COLORS = (
    "Black",
    "White",
    "Navy",
    "Red",
    "Olive",
    "Sand",
    "Grey",
    "Blue",
    "Pink",
    "Green",
    "Burgundy",
    "Mustard",
    "Teal",
    "Ivory",
)
PRODUCTS = (
    ("Dress", 5900),
    ("T-Shirt", 1900),
    ("Jeans", 6900),
    ("Sweater", 4900),
    ("Jacket", 12900),
    ("Sneakers", 8900),
    ("Boots", 13900),
    ("Scarf", 2400),
    ("Hoodie", 5400),
    ("Shorts", 2900),
    ("Skirt", 3900),
    ("Blouse", 4400),
    ("Backpack", 7900),
    ("Cap", 1900),
    ("Socks 3-pack", 1200),
    ("Raincoat", 9900),
)
SIZES = ("XS", "S", "M", "L", "XL")
NOTE_TEXTS = (
    ("Customer called about delivery date", "Promised an update by email."),
    ("Address confirmed by phone", ""),
    ("Verify order", "Large order from a new customer: checked with the fraud team."),
    ("Gift wrapping requested", "Message: Happy birthday!"),
    ("Customer asked for invoice copy", "Sent to the email on file."),
    ("Item out of stock", "Customer agreed to wait for restock."),
)
COUPONS = (  # code, kind, value, valid from (days ago), valid until (days from now), markets
    ("WELCOME10", "Percentage", "10", 1200, 3650, ()),
    ("SPRING15", "Percentage", "15", 600, -200, ()),
    ("VIP25", "Percentage", "25", 900, 365, ("US",)),
    ("SORRY5", "Amount", "5", 1200, 3650, ("US", "DE", "GB")),
    ("SUMMER20", "Percentage", "20", 500, -100, ()),
)


# Fictional phone numbers in each market's format, a digit for each #. US: the 555 area
# code with an exchange starting 01 (no real number has either); GB: Ofcom's ranges for
# drama; DE, SE, JP: made-up numbers in the national format.
PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "US": ("+1 555-01#-####",),
    "GB": tuple(
        f"+44 {prefix}###"
        for prefix in (
            "20 7946 0",
            "113 496 0",
            "114 496 0",
            "115 496 0",
            "116 496 0",
            "117 496 0",
            "118 496 0",
            "121 496 0",
            "131 496 0",
            "141 496 0",
            "151 496 0",
            "161 496 0",
            "191 498 0",
            "1632 960",
            "7700 900",
        )
    ),
    "DE": ("+49 30 #### ####", "+49 40 #### ####", "+49 89 #### ####", "+49 151 ########"),
    "SE": ("+46 70 ### ## ##", "+46 73 ### ## ##", "+46 8 ### ### ##", "+46 31 ### ## ##"),
    "JP": ("+81 3-####-####", "+81 6-####-####", "+81 90-####-####", "+81 80-####-####"),
}


def demo_phone(market: str, draw: tuple[int, int, int], taken: set[str]) -> str:
    """A fictional number of `market` from three random draws, not in `taken` (added)."""
    a, b, c = draw
    formats = PHONE_FORMATS[market]
    n = ((a - 1) * 900 + (b - 100)) * 9_000 + (c - 1_000)
    while True:
        pattern = formats[n % len(formats)]
        places = pattern.count("#")
        digits = iter(f"{(n // len(formats)) % 10**places:0{places}}")
        number = "".join(next(digits) if ch == "#" else ch for ch in pattern)
        if number not in taken:
            taken.add(number)
            return number
        n += 1


def _cached(cache: dict[str, str], make: Any, key: str) -> str:
    value = cache.get(key)
    if value is None:
        value = cache[key] = make(key)
    return value


def _email(base: str, n: int) -> str:
    """The n-th email address of a name: base@example.com, base2@example.org, ..."""
    if n == 1:
        return f"{base}@example.com"
    return f"{base}{n}@example.{('com', 'org', 'net')[n % 3]}"


def _weighted(pairs: Sequence[str]) -> tuple[list[str], list[int]]:
    names = [n.replace("_", " ") if n.count("_") == 1 and n[0] != "J" else n for n in pairs[::2]]
    # "Jo_Ann" keeps its underscore: it proves `_` is searched literally.
    return names, [int(w) for w in pairs[1::2]]


def _money_text(minor: int, minor_units: int) -> str:
    if minor_units == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def _round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _below(getrandbits: Any, n: int) -> int:
    """A random int in [0, n): the draws `random.Random.randrange(n)` makes (Python 3.11),
    written out so that the hot loops can inline them and the data does not depend on a
    private method of the random module."""
    k = n.bit_length()
    r = getrandbits(k)
    while r >= n:
        r = getrandbits(k)
    return r


_US_PER_DAY = 86_400_000_000
_EPOCH = datetime(1970, 1, 1)


class _Times:
    """UTC times as the database stores them, from microseconds since 1970: text on SQLite,
    a literal with its zone on PostgreSQL (what `isoformat(" ", "microseconds")` gives,
    a day and a second at a time from tables instead of a datetime per row)."""

    def __init__(self, pg: bool) -> None:
        self.zone = "+00" if pg else ""
        self.days: dict[int, str] = {}
        self.clock = [
            f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60)
        ]

    def text(self, us: int) -> str:
        day, rest = divmod(us, _US_PER_DAY)
        date = self.days.get(day)
        if date is None:
            date = self.days[day] = f"{(_EPOCH + timedelta(days=day)).date().isoformat()} "
        second, micro = divmod(rest, 1_000_000)
        return f"{date}{self.clock[second]}{micro:06d}{self.zone}"


def _us(value: datetime) -> int:
    """A UTC time (aware or naive UTC) in microseconds since 1970."""
    return (value.replace(tzinfo=None) - _EPOCH) // timedelta(microseconds=1)


class _Writer:
    """Bulk inserts through the driver. SQLite: executemany of INSERTs of ROWS_PER_INSERT
    rows each, fed the rows' values in batches (one statement per row binds twice as slowly);
    PostgreSQL: COPY, fed text built beforehand in one string per table and chunk
    (psycopg's row-by-row write_row costs more than the server's COPY)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.raw = conn.connection.driver_connection
        self.times = _Times(self.pg)
        self.frozen: frozenset[str] = frozenset()
        self._statements: dict[tuple[str, Sequence[str]], tuple[str, str]] = {}

    def ts(self, value: datetime) -> str:
        return self.times.text(_us(value))

    def rows(self, table: t.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A few rows, as tuples."""
        if not rows:
            return
        if self.pg:
            self.copy(table.name, columns, _copy_lines(rows))
        else:
            values = [value for row in rows for value in row]
            self.insert(table.name, columns, _batches(values, len(columns)))

    def chunk(self, chunk: _Chunk) -> None:
        for table, columns, values in chunk:
            if not values:
                continue
            if self.pg:
                self.copy(table, columns, values)
            else:
                self.insert(table, columns, values)

    def insert(self, table: str, columns: Sequence[str], batches: _Batches) -> None:
        """SQLite: rows in batches of ROWS_PER_INSERT (see _batches)."""
        statements = self._statements.get((table, columns))
        if statements is None:
            row = f"({', '.join('?' for _ in columns)})"
            head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            statements = self._statements[(table, columns)] = (
                head + ", ".join([row] * ROWS_PER_INSERT),
                head + row,
            )
        many, one = statements
        full, rest = batches
        if full:
            self.raw.executemany(many, full)
        if rest:
            self.raw.executemany(one, rest)

    def truncate_for_freeze(self) -> None:
        """PostgreSQL: the bulk tables (empty) truncated in this transaction, so that COPY
        can write their rows frozen and their pages all-visible (COPY FREEZE): no VACUUM
        afterwards for the visibility map that index-only scans need (it took 5-7 s at 1M
        orders), and no hint bits for the first reads to write. Carts too, which refer
        to the customers (TRUNCATE wants every table that refers to one)."""
        self.conn.exec_driver_sql(f"TRUNCATE {', '.join((*BULK_TABLES, 'carts'))}")
        self.frozen = frozenset(BULK_TABLES)

    def copy(self, table: str, columns: Sequence[str], text: str) -> None:
        freeze = " WITH (FREEZE)" if table in self.frozen else ""
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{freeze}") as copy,
        ):
            copy.write(text)


# SQLite rows in the form one executemany each takes: lists of ROWS_PER_INSERT rows' values,
# and the rows left over one by one.
_Batches = tuple[list[list[Any]], list[list[Any]]]


def _batches(values: list[Any], width: int) -> _Batches:
    """Rows given as one list of their values (width values each), in batches."""
    step = width * ROWS_PER_INSERT
    full = len(values) // step * step
    return (
        [values[i : i + step] for i in range(0, full, step)],
        [values[i : i + width] for i in range(full, len(values), width)],
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_lines(rows: Sequence[Sequence[Any]]) -> str:
    """Rows in COPY's text format. The fast way writes each value as str() does; if a value
    held a tab, a line break or a backslash, it is done again escaping each value."""
    text = "".join(
        ["\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in rows]
    )
    tabs = len(rows) * (len(rows[0]) - 1)
    nulls = sum([row.count(None) for row in rows])  # one backslash each: \N
    if (
        text.count("\t") != tabs
        or text.count("\n") != len(rows)
        or text.count("\\") != nulls
        or "\r" in text
    ):
        text = "".join(["\t".join(map(_copy_text, row)) + "\n" for row in rows])
    return text


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


def _copy_fields(*values: Any) -> str:
    """Values as consecutive fields of a COPY line (without the tabs around them)."""
    return "\t".join(map(_copy_text, values))


@dataclass(slots=True)  # 50,000 of each at a million orders
class _Customer:
    id: int
    first: str
    last: str
    email: str
    phone: str
    market: int
    address: tuple[str, ...]
    full_name: str = ""
    phone_key: str = ""


@dataclass(slots=True)
class _Variant:
    id: int
    sku: str
    name: str
    usd_minor: int
    in_stock: int
    is_sold: bool
    prices: tuple[int, ...] = ()  # in each market's minor units, in MARKETS order
    price_texts: tuple[str, ...] = ()


# The columns of the order tables in the order the rows are made in: fields that go
# together (a customer's, a variant's, a shipping method's) next to each other, so that
# each is made once and reused.
ORDER_COLUMNS = (
    "id",
    "number",
    "market_code",
    "currency",
    "customer_id",
    "customer_name",
    "customer_email",
    "customer_phone",
    "name_key",
    "email_key",
    "phone_key",
    "status",
    "status_before_hold",
    "total",
    "created_at",
    "updated_at",
    "name",
    "created_by",
    "updated_by",
    "version",
)
SHIPMENT_COLUMNS = (
    "id",
    "order_id",
    "number",
    "method_code",
    "method_name",
    "shipping_cost",
    "status",
    "status_before_hold",
    "cart_id",
    "address_name",
    "address_line1",
    "address_line2",
    "address_city",
    "address_region",
    "address_postal_code",
    "address_country",
    "address_phone",
)
LINE_COLUMNS = (
    "id",
    "shipment_id",
    "position",
    "quantity",
    "sku",
    "name",
    "placed_price",
    "discount",
)
PAYMENT_COLUMNS = (
    "id",
    "order_id",
    "position",
    "method_code",
    "method_name",
    "amount",
    "status",
    "created_at",
    "created_by",
)
DISCOUNT_COLUMNS = (
    "id",
    "order_id",
    "cart_id",
    "position",
    "description",
    "kind",
    "value",
    "coupon_code",
)
NOTE_COLUMNS = ("id", "order_id", "description", "text", "created_by", "created_at")


# (bound, status): an order's status is the first whose bound its random draw is under.
_OLDER_STATUSES = (
    (0.86, OrderStatus.COMPLETED),
    (0.94, OrderStatus.CANCELED),
    (0.955, OrderStatus.PARTIALLY_SHIPPED),
    (0.97, OrderStatus.ON_HOLD),
)
_RECENT_STATUSES = (  # the last 45 days
    (0.40, OrderStatus.COMPLETED),
    (0.47, OrderStatus.CANCELED),
    (0.53, OrderStatus.PARTIALLY_SHIPPED),
    (0.60, OrderStatus.ON_HOLD),
)
# Both list the statuses in this order: a draw's status is its index here.
_STATUSES = (*(status for _, status in _OLDER_STATUSES), OrderStatus.IN_PROGRESS)
_COMPLETED, _CANCELED, _PARTIALLY_SHIPPED, _ON_HOLD, _IN_PROGRESS = range(len(_STATUSES))

# The shipments' statuses after the payment, each but the first needing the payment.
ACTIVE_IN_PROGRESS = (
    ShipmentStatus.AWAITING_INVENTORY,
    ShipmentStatus.INVENTORY_ASSIGNED,
    ShipmentStatus.RELEASED,
    ShipmentStatus.PACKING,
)


def _order_chunks(
    loader: DemoLoader, pg: bool, customers: list[_Customer], variants: list[_Variant]
) -> Iterator[_Chunk]:
    """The order rows and their children, CHUNK orders at a time, ready for the writer:
    COPY text for PostgreSQL, flat lists of values for SQLite. The random draws come in a
    fixed order (the same seed gives the same data). Everything that does not depend on
    them is made once, not per row: a customer's fields, a variant's in each market, a
    shipping method's, a status's, the text of each day and time of day."""
    n_orders = loader.n_orders
    now_us = _us(loader.now)
    start_us = now_us - 3 * 365 * _US_PER_DAY
    span = 3 * 365 * 86400.0  # seconds
    recent_from = now_us - 45 * _US_PER_DAY
    times = _Times(pg)
    dates, clock, zone = times.days, times.clock, times.zone

    def fields(*values: Any) -> Any:
        """Values that go side by side in a row: COPY text, or a tuple to extend with."""
        return _copy_fields(*values) if pg else values

    name_keys: dict[str, str] = {}

    def name_key(name: str) -> str:
        key = name_keys.get(name)
        if key is None:
            key = name_keys[name] = search_key(name)
        return key

    # Per market: the shipping methods (fields, cost), the payment methods' fields, each
    # variant's line item fields and price.
    shipping = [
        [
            (fields(code, name, _money_text(cost, m.minor_units)), cost)
            for code, name, cost in m.shipping
        ]
        for m in MARKETS
    ]
    paying = [[fields(code, name) for code, name in m.payments] for m in MARKETS]
    if pg:  # a variant's SKU and name, its price in each market (a line per market: 25 MB)
        line_fields = [[fields(v.sku, v.name) for v in variants]] * len(MARKETS)
        price_texts = [[v.price_texts[k] for v in variants] for k in range(len(MARKETS))]
    else:  # a variant's line item fields in each market
        line_fields = [
            [fields(v.sku, v.name, v.price_texts[k], "0") for v in variants]
            for k in range(len(MARKETS))
        ]
    prices = [[v.prices[k] for v in variants] for k in range(len(MARKETS))]
    stock = [v.in_stock for v in variants]
    # Per customer: the order's customer fields, the shipment's address fields.
    market_of = [c.market for c in customers]
    full_names = [c.full_name for c in customers]
    customer_fields = [
        fields(
            MARKETS[c.market].code,
            MARKETS[c.market].currency,
            c.id,
            c.full_name,
            c.email,
            c.phone,
            name_key(c.full_name),
            c.email.lower(),
            c.phone_key,
        )
        for c in customers
    ]
    addresses = [
        fields(
            c.address[0], c.address[1], "", c.address[2], "", c.address[3], c.address[4], c.phone
        )
        for c in customers
    ]
    agent_fields = [
        fields("Phone order" if agent != "website" else "Web order", agent, agent, 1)
        for agent in AGENTS
    ]
    status_fields = {
        (status, before): fields(status, before)
        for status in (*(s.value for s in OrderStatus),)
        for before in (None, OrderStatus.IN_PROGRESS.value)
    }
    shipped = fields(ShipmentStatus.SHIPPED.value, None, None)  # status, before hold, cart
    canceled = fields(ShipmentStatus.CANCELED.value, None, None)
    packing = fields(ShipmentStatus.PACKING.value, None, None)
    active_fields = [fields(s.value, None, None) for s in ACTIVE_IN_PROGRESS]
    held_fields = [fields(ShipmentStatus.ON_HOLD.value, s.value, None) for s in ACTIVE_IN_PROGRESS]
    in_progress = OrderStatus.IN_PROGRESS.value
    order_status = [status_fields[(s.value, None)] for s in _STATUSES]
    on_hold_status = status_fields[(OrderStatus.ON_HOLD.value, in_progress)]
    welcome = next(c for c in COUPONS if c[0] == "WELCOME10")[0]
    discount_fields = fields(None, 0, f"Coupon {welcome} (10% off)", "Percentage", "10", welcome)
    note_fields = [fields(description, body) for description, body in NOTE_TEXTS]
    failed = PaymentStatus.FAILED.value
    processed, pending = PaymentStatus.PROCESSED.value, PaymentStatus.PENDING.value
    taxes = [m.tax_basis_points for m in MARKETS]
    cents = [m.minor_units != 0 for m in MARKETS]
    older = [bound for bound, _ in _OLDER_STATUSES]
    recent = [bound for bound, _ in _RECENT_STATUSES]
    pinned = {0: 0, 1: 1, 2: 0, 3: 1}  # Mercy Taylor and Taylor Hayes have recent orders

    rng = loader.rng
    random, getrandbits = rng.random, rng.getrandbits
    n_variants, n_customers = len(variants), len(customers)
    v_bits = n_variants.bit_length()
    del customers, variants  # what is needed of them is above (the maker's memory)
    ship_id = line_id = pay_id = disc_id = note_id = 0
    for chunk_start in range(0, n_orders, CHUNK):
        o: list[Any] = []
        s: list[Any] = []
        li: list[Any] = []
        p: list[Any] = []
        d: list[Any] = []
        nt: list[Any] = []
        if pg:
            add_o, add_s, add_l, add_p = o.append, s.append, li.append, p.append
        else:
            add_o, add_s, add_l, add_p = o.extend, s.extend, li.extend, p.extend
        for i in range(chunk_start, min(n_orders, chunk_start + CHUNK)):
            # start + timedelta(seconds=seconds) in microseconds, rounded as timedelta
            # rounds a float (half to even on the total), without making one
            seconds = span * (i + random()) / n_orders
            whole = int(seconds)
            scaled = (seconds - whole) * 1e6
            micro = int(scaled)
            rest = scaled - micro
            offset = whole * 1_000_000 + micro
            if rest > 0.5 or (rest == 0.5 and offset & 1):
                offset += 1
            created = start_us + offset
            c = pinned.get(n_orders - 1 - i)
            if c is None:
                c = int(n_customers * random() ** 1.5)
                anonymous = random() < 0.05
            else:
                random()  # drawn for every order
                anonymous = False
            m = market_of[c]
            status = bisect_right(older if created < recent_from else recent, random())
            agent = getrandbits(3)
            while agent >= 7:
                agent = getrandbits(3)
            order_id = i + 1
            n_ship = 2 if status == _PARTIALLY_SHIPPED or random() < 0.1 else 1
            subtotal = shipping_total = 0
            out_of_stock = False
            methods = shipping[m]
            n_methods = len(methods)
            m_bits = n_methods.bit_length()
            lines, line_prices = line_fields[m], prices[m]
            if pg:
                texts = price_texts[m]
            shipments = []
            for _ in range(n_ship):
                ship_id += 1
                x = getrandbits(m_bits)
                while x >= n_methods:
                    x = getrandbits(m_bits)
                method, cost = methods[x]
                for pos in range(1 + int(random() ** 2 * 4)):
                    v = getrandbits(v_bits)
                    while v >= n_variants:
                        v = getrandbits(v_bits)
                    if random() < 0.7:
                        qty = 1
                    else:
                        x = getrandbits(2)
                        while x >= 3:
                            x = getrandbits(2)
                        qty = 2 + x
                    line_id += 1
                    subtotal += qty * line_prices[v]
                    if stock[v] < qty:
                        out_of_stock = True
                    if pg:
                        add_l(f"{line_id}\t{ship_id}\t{pos}\t{qty}\t{lines[v]}\t{texts[v]}\t0\n")
                    else:
                        add_l((line_id, ship_id, pos, qty))
                        add_l(lines[v])
                shipping_total += cost
                shipments.append((ship_id, method))
            discount = 0
            if random() < 0.1:
                discount = _round_half_up_div(subtotal * 10, 100)
                disc_id += 1
                if pg:
                    d.append(f"{disc_id}\t{order_id}\t{discount_fields}\n")
                else:
                    d.extend((disc_id, order_id))
                    d.extend(discount_fields)
            amount = (
                subtotal
                - discount
                + shipping_total
                + _round_half_up_div((subtotal - discount) * taxes[m], 10000)
            )
            if cents[m]:
                q, r = divmod(amount, 100)
                total = f"{q}.{r:02d}"
            else:
                total = str(amount)
            # Shipments and payment consistent with the status.
            ordered = order_status[status]
            if status == _COMPLETED:
                first = second = shipped
                paid = True
            elif status == _CANCELED:
                first = second = canceled
                paid = False
            elif status == _PARTIALLY_SHIPPED:  # always two shipments
                first, second = shipped, packing
                paid = True
            else:
                paid = random() < 0.6
                if not paid or out_of_stock:
                    x = 0
                else:
                    x = getrandbits(2)
                    while x >= 3:
                        x = getrandbits(2)
                    x += 1
                if status == _ON_HOLD:
                    first = second = held_fields[x]
                    ordered = on_hold_status
                else:
                    first = second = active_fields[x]
            address = addresses[c]
            for k, (sid, method) in enumerate(shipments):
                if pg:
                    state = second if k else first
                    add_s(f"{sid}\t{order_id}\t{k + 1}\t{method}\t{state}\t{address}\n")
                else:
                    add_s((sid, order_id, k + 1))
                    add_s(method)
                    add_s(second if k else first)
                    add_s(address)
            day, second = divmod(created, _US_PER_DAY)  # _Times.text written out
            date = dates.get(day) or times.text(day * _US_PER_DAY)[:11]
            second, micro = divmod(second, 1_000_000)
            ts = f"{date}{clock[second]}{micro:06d}{zone}"
            agent_name = AGENTS[agent]
            if paid:
                pay = paying[m]
                if random() < 0.05:
                    pay_id += 1
                    if pg:
                        add_p(
                            f"{pay_id}\t{order_id}\t0\t{pay[0]}\t{total}\t{failed}\t{ts}\twebsite\n"
                        )
                    else:
                        add_p((pay_id, order_id, 0))
                        add_p(pay[0])
                        add_p((total, failed, ts, "website"))
                n_pay = len(pay)
                x = getrandbits(n_pay.bit_length())
                while x >= n_pay:
                    x = getrandbits(n_pay.bit_length())
                pay_id += 1
                if pg:
                    add_p(
                        f"{pay_id}\t{order_id}\t1\t{pay[x]}\t{total}\t{processed}\t{ts}\t{agent_name}\n"
                    )
                else:
                    add_p((pay_id, order_id, 1))
                    add_p(pay[x])
                    add_p((total, processed, ts, agent_name))
            elif status != _CANCELED and random() < 0.3:
                pay_id += 1
                if pg:
                    add_p(
                        f"{pay_id}\t{order_id}\t0\t{paying[m][0]}\t{total}\t{pending}\t{ts}\twebsite\n"
                    )
                else:
                    add_p((pay_id, order_id, 0))
                    add_p(paying[m][0])
                    add_p((total, pending, ts, "website"))
            if random() < 0.1:
                x = getrandbits(3)
                while x >= 6:
                    x = getrandbits(3)
                note_id += 1
                if pg:
                    nt.append(f"{note_id}\t{order_id}\t{note_fields[x]}\t{agent_name}\t{ts}\n")
                else:
                    nt.extend((note_id, order_id))
                    nt.extend(note_fields[x])
                    nt.extend((agent_name, ts))
            if anonymous:
                name = full_names[c] if random() < 0.7 else ""
                email = None if name and random() < 0.5 else f"guest{order_id}@example.net"
                spec = MARKETS[m]
                who = fields(
                    spec.code, spec.currency, None, name, email, "", name_key(name), email, ""
                )
            else:
                who = customer_fields[c]
            number = format_order_number(1000 + order_id)
            if pg:
                add_o(
                    f"{order_id}\t{number}\t{who}\t{ordered}\t{total}\t{ts}\t{ts}\t{agent_fields[agent]}\n"
                )
            else:
                add_o((order_id, number))
                add_o(who)
                add_o(ordered)
                add_o((total, ts, ts))
                add_o(agent_fields[agent])
        tables = (
            ("orders", ORDER_COLUMNS, o),
            ("shipments", SHIPMENT_COLUMNS, s),
            ("line_items", LINE_COLUMNS, li),
            ("payments", PAYMENT_COLUMNS, p),
            ("discounts", DISCOUNT_COLUMNS, d),
            ("notes", NOTE_COLUMNS, nt),
        )
        # Made ready for the writer here: on SQLite the loading process is the slower one.
        yield [
            (table, columns, "".join(rows) if pg else _batches(rows, len(columns)))
            for table, columns, rows in tables
        ]


BULK_TABLES = (
    "customers",
    "customer_addresses",
    "variants",
    "variant_prices",
    "orders",
    "shipments",
    "line_items",
    "payments",
    "discounts",
    "notes",
)
ORDER_TABLES = ("orders", "shipments", "line_items", "payments", "discounts", "notes")
SQLITE_FTS_TABLES = ("customers_fts", "variants_fts")


CATALOGUE_TABLES = ("customers", "customer_addresses", "variants", "variant_prices")


@contextmanager
def _without_secondary_indexes(conn: Connection) -> Iterator[Callable[[Sequence[str]], None]]:
    """Drop the secondary indexes, the triggers and (PostgreSQL) the foreign keys of the
    bulk tables for a bulk load, then put them back from their own definitions: sorting
    once beats a million index insertions, FTS5 rebuilds faster than it inserts row by row,
    and a foreign key checks all rows in one join. The names the triggers would have added
    to order_names are added in one statement, and the orders of each day counted in one
    (order_day_counts). Gives a function that puts back those of some tables at once (the
    customers' and the catalogue's, before the orders: the order maker works meanwhile);
    the rest are put back at the end."""
    names = ", ".join(f"'{name}'" for name in BULK_TABLES)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        rows = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN "
            f"('index', 'trigger') AND tbl_name IN ({names}) AND sql IS NOT NULL"
        ).all()
        steps = [(on, f"DROP {kind.upper()} {name}", sql) for kind, name, on, sql in rows]
    else:
        indexes = conn.exec_driver_sql(
            "SELECT tablename, indexname, indexdef FROM pg_indexes i WHERE schemaname = "
            f"current_schema() AND tablename IN ({names}) AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint c WHERE c.conname = i.indexname)"
        ).all()
        triggers = conn.exec_driver_sql(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal "
            f"AND tgrelid::regclass::text IN ({names})"
        ).all()
        # A foreign key checks every row COPY adds, one index probe each (most of the load's
        # time); added back afterwards, it checks them all in one join.
        foreign_keys = conn.exec_driver_sql(
            "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM "
            f"pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN ({names})"
        ).all()
        # The primary keys and unique constraints of the order tables too (only their own
        # foreign keys refer to them): COPY spent 10 of its 24 s at 1M orders inserting
        # into their indexes, the order numbers' above all; built afterwards, they sort.
        keys = conn.exec_driver_sql(
            "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM "
            "pg_constraint WHERE contype IN ('p', 'u') AND conrelid::regclass::text IN "
            f"({', '.join(repr(name) for name in ORDER_TABLES)})"
        ).all()
        steps = [
            *((on, f"DROP INDEX {name}", sql) for on, name, sql in indexes),
            *(
                (
                    on,
                    f"ALTER TABLE {on} DROP CONSTRAINT {name}",
                    f"ALTER TABLE {on} ADD CONSTRAINT {name} {definition}",
                )
                for name, on, definition in keys
            ),
            *(
                (
                    on,
                    f"ALTER TABLE {on} DISABLE TRIGGER {name}",
                    f"ALTER TABLE {on} ENABLE TRIGGER {name}",
                )
                for name, on in triggers
            ),
            *(
                (
                    on,
                    f"ALTER TABLE {on} DROP CONSTRAINT {name}",
                    f"ALTER TABLE {on} ADD CONSTRAINT {name} {definition}",
                )
                for name, on, definition in foreign_keys
            ),
        ]
    for _, drop, _ in reversed(steps):  # what refers to a thing goes before it
        conn.exec_driver_sql(drop)
    left = list(steps)
    rebuild = list(SQLITE_FTS_TABLES if sqlite else ())

    def restore(tables: Sequence[str]) -> None:
        for step in [step for step in left if step[0] in tables]:
            conn.exec_driver_sql(step[2])
            left.remove(step)
        for fts in [fts for fts in rebuild if fts.removesuffix("_fts") in tables]:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            rebuild.remove(fts)

    yield restore
    restore(BULK_TABLES)
    conn.exec_driver_sql(
        "INSERT INTO order_names (name_key) SELECT DISTINCT name_key FROM orders WHERE true "
        "ORDER BY name_key ON CONFLICT DO NOTHING"
    )
    # The orders of each status, market and UTC day, counted again from all the orders.
    day = (
        "substr(created_at, 1, 10)"
        if sqlite
        else "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    )
    conn.exec_driver_sql("DELETE FROM order_day_counts")
    conn.exec_driver_sql(
        "INSERT INTO order_day_counts (status, market_code, day, orders) "
        f"SELECT status, market_code, {day}, count(*) FROM orders GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )


# A chunk of order rows: (table, columns, values), the values as COPY text (PostgreSQL) or
# in batches (SQLite, _batches).
_Chunk = list[tuple[str, Sequence[str], Any]]


def make_orders_to_stdout() -> None:
    """The order maker (a process of its own, see DemoLoader._in_a_process): the order rows
    of a load, pickled to stdout chunk by chunk, then None; or the error that stopped it.
    Arguments: orders, seed, now (ISO), "pg" or "sqlite".

    A thread writes the chunks, so that making goes on while the loading process is busy
    elsewhere (its customers and products, at first) and the pipe is full: up to AHEAD
    chunks, pickled, wait in memory."""
    gc.disable()  # see load_demo; this process makes no reference cycles
    out = sys.stdout.buffer
    made: queue.Queue[bytes | None] = queue.Queue(AHEAD)

    def write() -> None:
        while (data := made.get()) is not None:
            out.write(data)  # waits for the loading process without holding the GIL
        out.flush()

    writer = threading.Thread(target=write, name="demo-writer")
    writer.start()
    try:
        orders, seed, now, backend = sys.argv[1:5]
        loader = DemoLoader(
            None,  # type: ignore[arg-type]
            orders=int(orders),
            seed=int(seed),
            now=datetime.fromisoformat(now),
        )
        # The same random draws as the loading process, in the same order; the customers
        # and variants are kept by nothing else than the chunks' maker, which lets them go.
        chunks = _order_chunks(
            loader, backend == "pg", loader._customers(None), loader._variants(None)
        )
        for chunk in chunks:
            made.put(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
        made.put(pickle.dumps(None))
    except Exception as error:
        made.put(pickle.dumps(error))
    made.put(None)
    writer.join()


class DemoLoader:
    def __init__(
        self,
        engine: Engine,
        *,
        orders: int = DEFAULT_ORDERS,
        seed: int = DEFAULT_SEED,
        now: datetime | None = None,
        progress: Progress | None = None,
    ) -> None:
        if orders < 0:
            raise DemoRefused("The number of orders cannot be negative.")
        self.engine = engine
        self.n_orders = orders
        self.seed = seed
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.progress = progress or _Silent()
        self.rng = random.Random(seed)
        self.n_customers = max(3_000, orders // 20)
        self.n_variants = max(2_000, min(50_000, orders * 4))

    def run(self) -> None:
        if self.engine.dialect.name == "sqlite":
            # The pool's idle connections closed: an open connection keeps the file in WAL
            # mode (see below). They are opened again when next needed.
            self.engine.dispose()
        with self.engine.connect().execution_options(**{WRITE: True}) as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # For the load only (the connection is closed afterwards): a 32 MB page
                # cache (it was 256 MB, and the load peaked at 800 MB), and no foreign key
                # checks on rows made consistent (25% of the time to store them). A pragma
                # outside the transaction, which foreign_keys needs.
                raw = conn.connection.driver_connection
                raw.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
                raw.execute("PRAGMA foreign_keys = OFF")
                # A rollback journal instead of the write-ahead log, if no other connection
                # has the file open (else it stays WAL): the pages the load adds past the
                # end of the file need no journal, where WAL writes each of them twice
                # (the log, then the checkpoint) and reads them back through its index
                # whenever the page cache spills (the orders went 59 s -> 37 s at 1M).
                # The next connection opened (engine.py) turns WAL back on.
                with suppress(sqlite3.OperationalError):  # "database is locked": in use
                    raw.execute("PRAGMA journal_mode = DELETE")
            try:
                self._load(conn)
            except BaseException:
                if sqlite:
                    # Rolled back, and the connection closed rather than pooled: its load
                    # settings (no foreign key checks, the rollback journal) are for the
                    # load only, and the next connection opened sets them back.
                    conn.invalidate()
                raise
            conn.commit()
            if sqlite:
                conn.invalidate()
        self._statistics()

    def _load(self, conn: Connection) -> None:
        """The data, in one transaction begun here (committed by run)."""
        sqlite = conn.dialect.name == "sqlite"
        conn.begin()
        if conn.execute(select(func.count()).select_from(t.orders)).scalar_one():
            raise DemoRefused(
                "This database already has orders: demo data goes only into an empty one."
            )
        if any(
            conn.execute(select(table).limit(1)).first()
            for table in (t.customers, t.variants, t.carts)
        ):
            raise DemoRefused(
                "This database already has customers, products or carts: demo data goes "
                "only into an empty one."
            )
        if not sqlite:
            # The server's memory for building the indexes and checking the foreign
            # keys afterwards, in this transaction only: sorts in memory, not on disk.
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        w = _Writer(conn)
        with ExitStack() as stack:
            # A big load has its order rows made by another process, which starts now.
            made = (
                stack.enter_context(self._in_a_process(w.pg))
                if self.n_orders >= OWN_PROCESS_FROM
                else None
            )
            self._markets(w)
            self._coupons(w)
            with _without_secondary_indexes(conn) as restore:
                if w.pg:
                    w.truncate_for_freeze()
                customers = self._customers(w)
                variants = self._variants(w)
                restore(CATALOGUE_TABLES)
                self._orders(w, made or self._here(w, customers, variants))
                self.progress.phase("Indexes", 1)
        self.progress.advance(1)
        self._reset_sequences(conn)
        self._carts(conn, customers, variants)

    # -- reference data -----------------------------------------------------------------

    def _markets(self, w: _Writer) -> None:
        w.rows(
            t.markets,
            ("code", "name", "currency", "tax_rate"),
            [
                (m.code, m.name, m.currency, str(Decimal(m.tax_basis_points) / 10000))
                for m in MARKETS
            ],
        )
        w.rows(
            t.payment_methods,
            ("market_code", "code", "name", "position"),
            [(m.code, code, name, i) for m in MARKETS for i, (code, name) in enumerate(m.payments)],
        )
        w.rows(
            t.shipping_methods,
            ("market_code", "code", "name", "cost", "position"),
            [
                (m.code, code, name, _money_text(cost, m.minor_units), i)
                for m in MARKETS
                for i, (code, name, cost) in enumerate(m.shipping)
            ],
        )

    def _coupons(self, w: _Writer) -> None:
        w.rows(
            t.coupons,
            ("code", "kind", "value", "valid_from", "valid_until"),
            [
                (
                    code,
                    kind,
                    value,
                    w.ts(self.now - timedelta(days=since)),
                    w.ts(self.now + timedelta(days=until)),
                )
                for code, kind, value, since, until, _ in COUPONS
            ],
        )
        w.rows(
            t.coupon_markets,
            ("coupon_code", "market_code"),
            [(code, m) for code, *_, markets in COUPONS for m in markets],
        )

    def _customers(self, w: _Writer | None) -> list[_Customer]:
        """The customers, and their rows if there is somewhere to write them. The draws are
        those of random.choices/choice/randint, made inline."""
        self.progress.phase("Customers", self.n_customers)
        random, getrandbits = self.rng.random, self.rng.getrandbits
        firsts, first_w = _weighted(FIRST_NAMES)
        lasts, last_w = _weighted(LAST_NAMES)
        first_cw, last_cw = list(accumulate(first_w)), list(accumulate(last_w))
        first_total, last_total = first_cw[-1] + 0.0, last_cw[-1] + 0.0
        market_cw = list(accumulate((50, 15, 15, 10, 10)))
        market_total = market_cw[-1] + 0.0
        fixed = [("Mercy", "Taylor", 0), ("Taylor", "Hayes", 0)]
        customers: list[_Customer] = []
        seen_emails: set[str] = set()
        last_n: dict[str, int] = {}  # per email name, the last number it was given
        phones: set[str] = set()
        for i in range(self.n_customers):
            if i < len(fixed):
                first, last, market = fixed[i]
            else:
                first = firsts[bisect_right(first_cw, random() * first_total, 0, len(firsts) - 1)]
                last = lasts[bisect_right(last_cw, random() * last_total, 0, len(lasts) - 1)]
                market = bisect_right(market_cw, random() * market_total, 0, len(MARKETS) - 1)
            base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            spec = MARKETS[market]
            if spec.code == "JP" and i % 4 == 0:
                # A quarter of the Japanese customers written in kanji and kana (family
                # name first), chosen without a random draw: the rest of the data stays.
                first, last, base = JAPANESE_NAMES[(i // 4) % len(JAPANESE_NAMES)]
            # The first free of base@example.com, base2@example.org, base3@example.net, ...
            n = last_n.get(base, 1)
            email = _email(base, n)
            while email in seen_emails:
                n += 1
                email = _email(base, n)
            last_n[base] = n
            seen_emails.add(email)
            number = 1 + _below(getrandbits, 9999)
            street = STREETS[_below(getrandbits, len(STREETS))]
            city = spec.cities[_below(getrandbits, len(spec.cities))]
            postal = 10000 + _below(getrandbits, 90000)
            full_name = f"{first} {last}"
            address = (full_name, f"{number} {street}", city, str(postal), spec.country)
            draw = (
                1 + _below(getrandbits, 99),
                100 + _below(getrandbits, 900),
                1000 + _below(getrandbits, 9000),
            )
            phone = demo_phone(spec.code, draw, phones)
            customers.append(
                _Customer(
                    i + 1, first, last, email, phone, market, address, full_name, phone_key(phone)
                )
            )
        if w is not None:
            created = w.ts(self.now - timedelta(days=1200))
            keys: dict[str, str] = {}
            w.rows(
                t.customers,
                (
                    "id",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "name_key",
                    "email_key",
                    "phone_key",
                    "created_at",
                ),
                [
                    (
                        c.id,
                        c.first,
                        c.last,
                        c.email,
                        c.phone,
                        _cached(keys, search_key, c.full_name),
                        c.email.lower(),
                        c.phone_key,
                        created,
                    )
                    for c in customers
                ],
            )
            w.rows(
                t.customer_addresses,
                (
                    "customer_id",
                    "position",
                    "name",
                    "line1",
                    "line2",
                    "city",
                    "region",
                    "postal_code",
                    "country",
                    "phone",
                ),
                [
                    (c.id, 0, a[0], a[1], "", a[2], "", a[3], a[4], c.phone)
                    for c in customers
                    for a in (c.address,)
                ],
            )
        self.progress.advance(self.n_customers)
        return customers

    def _variants(self, w: _Writer | None) -> list[_Variant]:
        """The catalogue, and its rows if there is somewhere to write them."""
        random, getrandbits = self.rng.random, self.rng.getrandbits
        self.progress.phase("Product variants", self.n_variants)
        variants: list[_Variant] = []
        skus: set[int] = {SEED_SKU}
        texts: dict[tuple[int, int], str] = {}  # one string per price (memory)
        for i in range(self.n_variants):
            product, base_price = PRODUCTS[_below(getrandbits, len(PRODUCTS))]
            adjective = ADJECTIVES[_below(getrandbits, len(ADJECTIVES))]
            color = COLORS[_below(getrandbits, len(COLORS))]
            size = SIZES[_below(getrandbits, len(SIZES))]
            sku = 10_000_000 + _below(getrandbits, 90_000_000)
            while sku in skus:
                sku = 10_000_000 + _below(getrandbits, 90_000_000)
            skus.add(sku)
            if i == 0:
                sku = SEED_SKU  # drawn all the same, so that the rest of the data stays as it was
            roll = random()
            in_stock = 0 if roll < 0.08 else 1 + _below(getrandbits, 400)
            factor = 0.6 + (1.6 - 0.6) * random()  # random.uniform(0.6, 1.6)
            usd = max(500, int(base_price * factor) // 100 * 100 + 99)
            name = f"{adjective} {color} {product}, {size}"
            variant = _Variant(i + 1, f"SKU-{sku}", name, usd, in_stock, roll > 0.04)
            variant.prices = tuple(self._price(variant, m) for m in MARKETS)
            variant.price_texts = tuple(
                texts.get((p, m.minor_units))
                or texts.setdefault((p, m.minor_units), _money_text(p, m.minor_units))
                for p, m in zip(variant.prices, MARKETS, strict=True)
            )
            variants.append(variant)
        if w is not None:
            # variant_search_key(sku, name, description), a name's part once per name (a
            # few thousand of them): the key of words joined by a space is their keys so.
            keys: dict[str, str] = {}

            def search_key_of(v: _Variant, description: str) -> str:
                return f"{search_key(v.sku)} {_cached(keys, search_key, f'{v.name} {description}')}"

            for start in range(0, len(variants), CHUNK):  # a slice at a time: less memory
                part = variants[start : start + CHUNK]
                w.rows(
                    t.variants,
                    (
                        "id",
                        "sku",
                        "name",
                        "description",
                        "in_stock",
                        "is_sold",
                        "product_url",
                        "search_key",
                    ),
                    [
                        (
                            v.id,
                            v.sku,
                            v.name,
                            description,
                            v.in_stock,
                            v.is_sold,
                            f"https://shop.example.com/p/{v.sku.lower()}",
                            search_key_of(v, description),
                        )
                        for v in part
                        for description in (self._description(v),)
                    ],
                )
                w.rows(
                    t.variant_prices,
                    ("variant_id", "market_code", "price"),
                    [
                        (v.id, m.code, text)
                        for v in part
                        for m, text in zip(MARKETS, v.price_texts, strict=True)
                    ],
                )
        self.progress.advance(self.n_variants)
        return variants

    @staticmethod
    def _description(v: _Variant) -> str:
        return f"{v.name.split(',')[0]} in soft, durable fabric. Machine washable."

    @staticmethod
    def _price(v: _Variant, m: MarketSpec) -> int:
        if m.minor_units == 0:
            return int(round(v.usd_minor / 100 * m.price_factor, -1))
        return int(v.usd_minor * m.price_factor) // 100 * 100 + 99

    # -- orders ---------------------------------------------------------------------------

    def _orders(self, w: _Writer, chunks: Iterator[_Chunk]) -> None:
        self.progress.phase("Orders", self.n_orders)
        for start, chunk in zip(range(0, self.n_orders, CHUNK), chunks, strict=False):
            w.chunk(chunk)
            self.progress.advance(min(CHUNK, self.n_orders - start))
        if self.n_orders:
            w.conn.execute(
                update(t.counters)
                .where(t.counters.c.name == "order_number")
                .values(value=1000 + self.n_orders)
            )

    def _here(
        self, w: _Writer, customers: list[_Customer], variants: list[_Variant]
    ) -> Iterator[_Chunk]:
        return _order_chunks(self, w.pg, customers, variants)

    @contextmanager
    def _in_a_process(self, pg: bool) -> Iterator[Iterator[_Chunk]]:
        """The order rows made by a process of its own, which makes them while this one
        stores the ones before (making them takes about as long as storing them; threads
        would take turns on one core)."""
        maker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from csr_tui.data.demo import make_orders_to_stdout; make_orders_to_stdout()",
                str(self.n_orders),
                str(self.seed),
                self.now.isoformat(),
                "pg" if pg else "sqlite",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a terminal application may own the terminal
        )
        assert maker.stdout is not None

        def chunks() -> Iterator[_Chunk]:
            while True:
                try:
                    chunk = pickle.load(maker.stdout)
                except (EOFError, pickle.UnpicklingError):  # gone between or within chunks
                    raise DemoRefused("The demo data maker stopped unexpectedly.") from None
                if chunk is None:
                    return
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk

        try:
            yield chunks()
        finally:
            maker.kill()
            maker.wait()
            maker.stdout.close()

    def _carts(
        self, conn: Connection, customers: list[_Customer], variants: list[_Variant]
    ) -> None:
        """A few open carts, so that Convert to Purchase Order has something to convert."""
        catalog = CatalogRepository(conn)
        repo = CartRepository(conn, catalog)
        markets = catalog.markets()
        sold = [v for v in variants if v.is_sold]
        for i in range(min(12, len(customers))):
            cust = customers[i * 7 % len(customers)]
            spec = MARKETS[cust.market]
            cart = Cart(
                market=markets[spec.code],
                name="Default" if i % 3 else "Wishlist checkout",
                created_at=self.now - timedelta(hours=3 * i + 1),
                created_by="website",
            )
            cart.customer_id = cust.id
            cart.customer_name = f"{cust.first} {cust.last}"
            cart.customer_email = cust.email
            shipment = cart.shipments[0]
            for v in (sold[(i * 31 + k) % len(sold)] for k in range(1 + i % 3)):
                cart.add_line_item(1, catalog.variant(v.sku), 1 + i % 2)
            if i % 4:
                a = cust.address
                shipment.shipping_address = Address(
                    name=a[0], line1=a[1], city=a[2], postal_code=a[3], country=a[4]
                )
                cart.set_shipping_method(1, spec.shipping[0][0])
            repo.add(cart)

    @staticmethod
    def _reset_sequences(conn: Connection) -> None:
        """The bulk load chose the ids itself: move PostgreSQL's sequences past them."""
        if conn.dialect.name != "postgresql":
            return
        for table in (name for name in BULK_TABLES if "id" in t.metadata.tables[name].c):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 1))"
            )

    def _statistics(self) -> None:
        """Planner statistics (on PostgreSQL, COPY FREEZE already wrote the visibility map
        that index-only scans need)."""
        self.progress.phase("Statistics", 1)
        if self.engine.dialect.name == "postgresql":
            # Table by table on two connections at once, the biggest first: the server
            # samples two tables at a time (3.4 s -> ~2 s at 1M orders).
            big = ("orders", "shipments", "line_items", "payments", "variants", "customers")
            names = [*big, *(n for n in t.metadata.tables if n not in big)]
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(self._analyze, names))
        else:
            self._analyze("")
        self.progress.advance(1)

    def _analyze(self, table: str) -> None:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"ANALYZE {table}")


def load_demo(
    engine: Engine,
    *,
    orders: int = DEFAULT_ORDERS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> None:
    # Without the cyclic garbage collector while loading: the rows are lists, tuples and
    # strings, freed as they go by reference counting, and its passes over the millions
    # of them made took 15-20 % of the time of both processes.
    collecting = gc.isenabled()
    gc.disable()
    try:
        DemoLoader(engine, orders=orders, seed=seed, now=now, progress=progress).run()
    finally:
        if collecting:
            gc.enable()

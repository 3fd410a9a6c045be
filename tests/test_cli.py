"""The command line: help, db upgrade, demo, orders list/show, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import text as sa_text

from csr_tui.cli import EXIT_UNEXPECTED, FORMULA_STARTS, main
from csr_tui.data.database import Database
from csr_tui.data.migrate import head_revision
from csr_tui.data.queries import OrderFilter
from csr_tui.domain import DiscountKind
from csr_tui.domain.text import CONTROL_CODES
from csr_tui.error_log import log_path
from csr_tui.services import OrderRef, Services
from tests.conftest import place_order
from tests.hostile import LOOKED_FOR, fit


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_describes_the_real_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "csr_tui", "--help"], capture_output=True, text=True, check=True
    )
    for word in ("--database", "--agent", "demo", "db", "orders"):
        assert word in result.stdout
    listing = subprocess.run(
        [sys.executable, "-m", "csr_tui", "orders", "list", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for option in ("--search", "--status", "--market", "--from", "--to", "--limit", "--format"):
        assert option in listing


def test_db_upgrade_creates_then_reports_the_schema(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "db", "upgrade", "--database", url)
    assert code == 0 and "upgraded from empty to" in out
    lines = out.splitlines()
    # Not a terminal: each step of the long migrations is a line when it ends, with the
    # time it took; then the revision, with the time it took in all.
    took = re.compile(r"(?P<what>.+?):? (in )?(?P<seconds>\d+\.\d) s$")
    steps = [m.group("what") for m in map(took.fullmatch, lines) if m]
    assert steps[:1] == ["revision 0001 applied"]
    assert steps.index("0004: phone keys of the orders") < steps.index("revision 0004 applied")
    assert steps.index("0005: name keys of the orders") < steps.index("revision 0005 applied")
    assert steps[-1] == f"revision {head_revision()} applied"
    code, out, _ = run(capsys, "db", "upgrade", "--database", url)
    assert code == 0 and "already at revision" in out


def test_db_upgrade_on_a_terminal_counts_each_step_to_its_end():
    """The bars `db upgrade` shows on a terminal: a step done in batches counts to its
    total; one that cannot count pulses, and each is full and stopped once it ends."""
    from rich.console import Console

    from csr_tui.cli import _upgrade_progress, _UpgradeBars

    out = io.StringIO()
    with _upgrade_progress(Console(file=out, width=100, force_terminal=True)) as progress:
        bars = _UpgradeBars(progress)
        bars("0004: phone keys of the orders")
        for done in (50_000, 100_000, 120_000):
            bars("0004: phone keys of the orders", done, 120_000)
            assert progress.tasks[-1].completed == done and progress.tasks[-1].total == 120_000
        bars("0004: the orders' phone index")
        assert progress.tasks[-1].total is None, "no count: it pulses"
        bars.applied("0004")
    first, second = progress.tasks
    assert first.description == "0004: phone keys of the orders" and second.finished
    assert (first.completed, first.total, first.finished) == (120_000, 120_000, True)
    assert first.stop_time is not None and second.stop_time is not None, "their time stopped"
    assert "0004: the orders' phone index" in out.getvalue()


def test_database_url_from_the_environment(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("CSR_TUI_DATABASE_URL", url)
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and str(tmp_path / "env.db") in out


def test_passwords_are_masked_in_messages(capsys):
    code, _, err = run(
        capsys,
        "db",
        "upgrade",
        "--database",
        "postgresql+psycopg://agent:s3cret@127.0.0.1:1/orders",
    )
    assert code == 1
    assert "s3cret" not in err and "***" in err
    assert len(err.strip().splitlines()) == 1


def test_demo_loads_and_refuses_a_second_time(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, _ = run(capsys, "demo", "--database", url, "--orders", "120", "--seed", "3")
    assert code == 0 and "Loaded 120 demo orders" in out
    code, _, err = run(capsys, "demo", "--database", url, "--orders", "10")
    assert code == 1 and "already has orders" in err


@pytest.fixture
def orders_url(database_url, services):
    for customer_id in (1, 2):
        place_order(services, customer_id=customer_id)
    place_order(services, market="JP", customer_id=1)
    return database_url


def test_orders_list_json_rows(capsys, orders_url):
    code, out, _ = run(capsys, "orders", "list", "--database", orders_url, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["number"] for r in rows] == ["PO1003", "PO1002", "PO1001"]
    first = rows[0]
    assert set(first) >= {
        "number",
        "created",
        "customer_name",
        "customer_email",
        "market",
        "status",
        "total",
        "currency",
    }
    assert first["market"] == "JP" and first["currency"] == "JPY" and first["total"].isdigit()
    assert first["created"].startswith("2026-11-27T10:00:00")


def test_orders_list_filters_and_csv(capsys, orders_url):
    code, out, _ = run(
        capsys,
        "orders",
        "list",
        "--database",
        orders_url,
        "--search",
        "%tay",
        "--market",
        "us",
        "--status",
        "in progress",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["customer_name"] for r in rows] == ["Taylor Hayes", "Mercy Taylor"]
    code, out, _ = run(
        capsys,
        "orders",
        "list",
        "--database",
        orders_url,
        "--from",
        "2026-11-28",
        "--format",
        "json",
    )
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+1 (555) 010-2030", ["PO1003", "PO1001"]),  # Mercy Taylor's orders
        ("5550102030", ["PO1003", "PO1001"]),
        ("%7100", ["PO1002"]),  # the last digits of Taylor Hayes's number
        ("1002", ["PO1002"]),  # an order number first
        ("+1 555 010 2031", []),
    ],
)
def test_orders_list_finds_a_caller_by_phone(capsys, orders_url, typed, expected):
    code, out, _ = run(
        capsys, "orders", "list", "--database", orders_url, "--search", typed, "--format", "json"
    )
    assert code == 0 and [r["number"] for r in json.loads(out)] == expected


def test_orders_list_limit_pages_through(capsys, orders_url):
    code, out, _ = run(
        capsys, "orders", "list", "--database", orders_url, "--limit", "2", "--format", "json"
    )
    assert code == 0 and [r["number"] for r in json.loads(out)] == ["PO1003", "PO1002"]


def test_orders_list_table(capsys, orders_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "orders", "list", "--database", orders_url)
    assert code == 0 and "PO1001" in out and "3 shown of 3 matching orders" in out
    # At 80 columns nothing is cut: dates, statuses and totals keep their words whole (a
    # date above its time), and the names and emails wrap.
    assert "…" not in out and max(map(len, out.splitlines())) <= 80
    words = set(out.replace("│", " ").replace(",", "").split())  # 17,196 JPY: 17196
    _, listed, _ = run(capsys, "orders", "list", "--database", orders_url, "--format", "json")
    for row in json.loads(listed):
        shown = [row["created"][:10], *row["status"].split(), row["total"], row["currency"]]
        assert set(shown) <= words, shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "shipped-ish"), "Unknown status 'shipped-ish'"),
        (("--market", "XX"), "unknown market XX"),
        (("--from", "2026-13-01"), "'2026-13-01' is not a date"),
        (("--from", "2026-11-02", "--to", "2026-11-01"), "is after the end date"),
        (("--limit", "0"), "--limit must be 1 or more"),
        (("--limit", "abc"), "argument --limit: invalid int value: 'abc'"),
        (("--format", "xml"), "argument --format: invalid choice: 'xml'"),
        (("--frm", "2026-11-01"), "unrecognized arguments: --frm"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, orders_url, args, message):
    code, _, err = run(capsys, "orders", "list", "--database", orders_url, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo", "--orders", "many"), "demo: argument --orders: invalid int value: 'many'"),
        (("orders",), "orders: the following arguments are required: ACTION"),
        (("orders", "show"), "orders show: the following arguments are required: NUMBER"),
        (("orders", "show", ""), "orders show: give an order number, e.g. PO1042 or 1042"),
        (("orders", "show", "  "), "orders show: give an order number, e.g. PO1042 or 1042"),
        (("db", "share"), "the following arguments are required: --group"),
        (("audit", "check"), "audit: argument ACTION: invalid choice: 'check'"),
        (("--agent",), "argument --agent: expected one argument"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line_naming_the_command(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("csr-tui") and message in err and "usage:" not in err


def test_orders_show_json_has_the_whole_order(capsys, orders_url, services):
    order = services.get_order("PO1001")
    services.add_payment("PO1001", order.version, "card", order.totals().balance_due)
    services.add_note("PO1001", "Called", "Wants it fast")
    code, out, _ = run(
        capsys, "orders", "show", "po1001", "--database", orders_url, "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["number"] == "PO1001"
    shipment = doc["shipments"][0]
    assert shipment["status"] == "Inventory Assigned"
    assert shipment["address"]["city"] == "Springfield"
    assert shipment["shipping_method"]["code"] == "ground"
    assert shipment["lines"][0] == {
        "sku": "SKU-40707827",
        "name": "Summer dress, blue",
        "quantity": 2,
        "placed_price": "49.99",
        "discount": "0.00",
        "total": "99.98",
    }
    assert doc["payments"][0]["status"] == "Processed"
    assert doc["notes"][0]["created_by"] == "alice"
    assert doc["balance_due"] == "0.00"


def test_orders_show_table_and_unknown_order(capsys, orders_url):
    code, out, _ = run(capsys, "orders", "show", "PO1002", "--database", orders_url)
    assert code == 0 and "Taylor Hayes" in out and "Balance due" in out
    for typed in ("1002", "po 1002"):  # as the order list's search takes it
        assert run(capsys, "orders", "show", typed, "--database", orders_url)[1] == out, typed
    code, _, err = run(capsys, "orders", "show", "PO9999", "--database", orders_url)
    assert code == 2 and "There is no order PO9999" in err


def test_orders_show_an_overpaid_order(capsys, orders_url, services):
    """Paid, then made cheaper: the refund due is "Overpaid", as the TUI says it, not a
    negative balance due."""
    order = services.get_order("PO1002")
    order = services.add_payment("PO1002", order.version, "card", order.totals().balance_due)
    services.add_discount(
        OrderRef("PO1002"), order.version, "Goodwill", DiscountKind.PERCENTAGE, Decimal(50)
    )
    owed = -services.get_order("PO1002").totals().balance_due
    assert owed > 0
    code, out, _ = run(capsys, "orders", "show", "PO1002", "--database", orders_url)
    assert code == 0 and re.search(rf"Overpaid: {owed:,} ", out), out
    assert "Balance due" not in out


# -- hostile text (tests/hostile.py): read literally, never obeyed -------------------------

TEXT_FIELDS = ("name", "customer_name", "customer_email")


def no_control_characters(out: str) -> None:
    found = {f"U+{ord(c):04X}" for c in out if ord(c) in CONTROL_CODES and c != "\n"}
    assert not found, f"raw control characters in the output: {sorted(found)}"


def stored_orders(url: str) -> dict[str, dict[str, str]]:
    db = Database(url)
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa_text("SELECT number, name, customer_name, customer_email FROM orders")
        )
        stored = {r.number: {f: getattr(r, f) for f in TEXT_FIELDS} for r in rows}
    db.close()
    return stored


def shown_keys(backend: str) -> list[str]:
    return [fit(p, backend, None).key for p in LOOKED_FOR]


@pytest.fixture
def wide_terminal(monkeypatch):
    """Rich tables wrap at the terminal's width; a wide one keeps each name on one line."""
    monkeypatch.setenv("COLUMNS", "1000")


def test_orders_list_table_shows_hostile_text_and_obeys_none(
    capsys, hostile_url, backend, wide_terminal
):
    code, out, _ = run(capsys, "orders", "list", "--database", hostile_url)
    assert code == 0
    no_control_characters(out)
    missing = [key for key in shown_keys(backend) if key not in out]
    assert not missing


def test_orders_list_csv_keeps_the_data_and_neutralises_formulas(capsys, hostile_url):
    code, out, _ = run(capsys, "orders", "list", "--database", hostile_url, "--format", "csv")
    assert code == 0
    stored = stored_orders(hostile_url)
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == len(stored)
    for row in rows:
        for field in TEXT_FIELDS:
            value = stored[row["number"]][field] or ""
            assert row[field] == ("'" + value if value.startswith(FORMULA_STARTS) else value)
            assert not row[field].startswith(FORMULA_STARTS)
    assert any(row["customer_name"].startswith("'=HYPERLINK(") for row in rows)


def test_orders_list_csv_on_a_terminal_shows_placeholders(capsys, hostile_url, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run(capsys, "orders", "list", "--database", hostile_url, "--format", "csv")
    assert code == 0
    no_control_characters(out.replace("\r\n", "\n"))
    assert "t␛]0;pwned-title␇x" in out


def test_orders_list_json_reads_back_as_stored_and_escapes_controls(capsys, hostile_url):
    code, out, _ = run(capsys, "orders", "list", "--database", hostile_url, "--format", "json")
    assert code == 0
    no_control_characters(out)
    stored = stored_orders(hostile_url)
    for row in json.loads(out):
        assert {f: row[f] for f in TEXT_FIELDS} == stored[row["number"]]


def test_orders_show_on_hostile_text(capsys, hostile_url, backend, wide_terminal):
    db = Database(hostile_url)
    showcase = Services(db, "alice").search_orders(OrderFilter(), size=1).rows[0].number
    order = Services(db, "alice").get_order(showcase)
    db.close()
    code, out, _ = run(capsys, "orders", "show", showcase, "--database", hostile_url)
    assert code == 0
    no_control_characters(out)
    names = [fit(p, backend, None).key for p in LOOKED_FOR]
    missing = [key for key in names if key not in out]
    assert not missing, "every item name and note description is in the table output"
    code, out, _ = run(
        capsys, "orders", "show", showcase, "--database", hostile_url, "--format", "json"
    )
    assert code == 0
    no_control_characters(out)
    doc = json.loads(out)
    assert [li["name"] for li in doc["shipments"][0]["lines"]] == [
        li.name for li in order.shipments[0].line_items
    ]
    assert [n["text"] for n in doc["notes"]] == [n.text for n in order.notes]
    assert doc["customer_name"] == order.customer_name


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_unexpected_error_prints_one_line_naming_the_log(capsys, database_url, monkeypatch):
    def broken(*_args):
        raise RuntimeError("mercy.taylor@example.com: something unforeseen")

    monkeypatch.setattr("csr_tui.cli._found", broken)
    code, out, err = run(capsys, "orders", "list", "--database", database_url)
    assert code == EXIT_UNEXPECTED and out == ""
    assert err == (f"csr-tui: Unexpected error (RuntimeError); the details are in {log_path()}\n")
    assert stat.S_IMODE(log_path().stat().st_mode) == 0o600
    assert "mercy.taylor@example.com: something unforeseen" in log_path().read_text()


@pytest.mark.parametrize(
    ("bounds", "count"),
    [(("--to", "9999-12-31"), 3), (("--from", "0001-01-01"), 3), (("--from", "9999-12-31"), 0)],
)
def test_dates_at_the_ends_of_the_calendar_are_answered(capsys, orders_url, bounds, count):
    code, out, err = run(
        capsys, "orders", "list", "--database", orders_url, *bounds, "--format", "json"
    )
    assert code == 0 and err == "" and len(json.loads(out)) == count


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://agent@127.0.0.1:1/orders",
        "mysql+pymysql://agent@127.0.0.1/orders",
        "sqlite+aiosqlite:///orders.db",
    ],
)
def test_an_unsupported_driver_is_named_in_one_line(capsys, url):
    code, _, err = run(capsys, "orders", "list", "--database", url)
    assert code == 1 and "is not supported; use sqlite:///PATH or postgresql+psycopg://" in err
    assert len(err.strip().splitlines()) == 1


def test_an_argument_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "csr_tui", "orders", "list", "--search", b"Mer\xffcy"],
        capture_output=True,
        env={**os.environ, "CSR_TUI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    err = result.stderr.decode()
    assert result.returncode == 2
    assert err == "csr-tui: the argument 'Mer\\xffcy' is not UTF-8 text.\n"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    from csr_tui.data.database import Database
    from csr_tui.data.demo import load_demo

    url = f"sqlite:///{tmp_path / 'many.db'}"
    db = Database(url)
    db.upgrade()
    load_demo(db.engine, orders=400, seed=3)
    db.close()
    # Like `csr-tui orders list ... | head -1`: more output than a pipe holds, one line read.
    command = ["orders", "list", "--database", url, "--limit", "400", "--format", "json"]
    with subprocess.Popen(
        [sys.executable, "-m", "csr_tui", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout.readline() == b"[\n"
        process.stdout.close()
        err = process.stderr.read().decode()
    assert process.returncode == 141
    assert err == ""


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql+psycopg://agent@127.0.0.1:1/orders?password=Qz9Secret", ["Qz9Secret"]),
        ("postgresql+psycopg://agent:p@ss-Qz9@127.0.0.1:1/orders", ["p@ss-Qz9", "ss-Qz9"]),
        ("postgresql+psycopg://agent:Qz9%40x@127.0.0.1:1/orders", ["Qz9%40x", "Qz9@x"]),
    ],
)
def test_no_form_of_password_is_ever_printed(capsys, monkeypatch, url, secrets):
    monkeypatch.setenv("PGPASSWORD", "EnvQz9Secret")
    code, out, err = run(capsys, "db", "upgrade", "--database", url)
    assert code == 1 and "***" in err and len(err.strip().splitlines()) == 1
    for secret in [*secrets, "EnvQz9Secret"]:
        assert secret not in out + err


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_db_upgrade_masks_a_password_parameter(capsys, database_url):
    code, out, _ = run(capsys, "db", "upgrade", "--database", f"{database_url}?password=Qz9Sec")
    assert code == 0 and "Qz9Sec" not in out and "?password=***: schema already at" in out

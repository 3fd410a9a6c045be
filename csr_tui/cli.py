"""The `csr-tui` command line. Without a command it starts the terminal application."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import typing
from collections.abc import Sequence
from typing import Any

from csr_tui import __version__
from csr_tui.config import DATABASE_URL_ENV, current_agent, resolve_database_url
from csr_tui.domain.errors import DomainError, NotFound, ValidationError
from csr_tui.domain.text import CONTROL_CODES, visible

# Everything heavier (SQLAlchemy, Textual, Rich, platformdirs) is imported by the command
# that needs it: `csr-tui --version` imports none of it, `orders list` no Textual.

EXIT_USAGE = 2
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: an internal error, its details in the log
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command killed by SIGPIPE


class UsageError(Exception):
    """A bad argument: one line on stderr and exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse's, but a bad argument is one line naming the command (not its usage
    lines), as every other bad argument is: a UsageError that main prints."""

    def error(self, message: str) -> typing.NoReturn:
        command = self.prog.removeprefix("csr-tui").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _database_option(parser: argparse.ArgumentParser, default: Any = None) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        default=default,
        help=f"database URL (default: ${DATABASE_URL_ENV}, else a SQLite file in the user "
        "data folder); e.g. postgresql+psycopg://user@host/db",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="csr-tui",
        description="Keyboard-first order management for call-centre agents. "
        "Without a command, starts the terminal application.",
    )
    parser.add_argument("--version", action="version", version=f"csr-tui {__version__}")
    _database_option(parser)
    parser.add_argument(
        "--agent",
        metavar="LABEL",
        help="how you are shown on notes and in the audit log, beside your login (which is "
        "always recorded)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="load demo data into an empty database")
    _database_option(demo, argparse.SUPPRESS)
    demo.add_argument("--orders", type=int, default=None, metavar="N", help="orders (5000)")
    demo.add_argument("--seed", type=int, default=None, metavar="S", help="random seed (42)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply schema migrations")
    _database_option(upgrade, argparse.SUPPRESS)
    share = db_commands.add_parser(
        "share", help="share the SQLite file with a Unix group (folder setgid, files 0660)"
    )
    _database_option(share, argparse.SUPPRESS)
    share.add_argument("--group", required=True, metavar="GROUP", help="the agents' group")

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check the audit log's hash chain; exit 1 at the first broken link"
    )
    _database_option(verify, argparse.SUPPRESS)

    orders = commands.add_parser("orders", help="list or show purchase orders")
    order_commands = orders.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    listing = order_commands.add_parser("list", help="list orders, newest first")
    _database_option(listing, argparse.SUPPRESS)
    listing.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="order number, customer name, email or phone number (or its last 4+ digits)",
    )
    listing.add_argument("--status", action="append", default=[], metavar="S")
    listing.add_argument("--market", action="append", default=[], metavar="M")
    listing.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM-DD")
    listing.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM-DD")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    show = order_commands.add_parser("show", help="show one order in full")
    _database_option(show, argparse.SUPPRESS)
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    for argument in arguments:
        if not _is_utf8(argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            print(f"csr-tui: the argument '{visible(shown)}' is not UTF-8 text.", file=sys.stderr)
            return EXIT_USAGE
    try:
        args = build_parser().parse_args(arguments)
    except UsageError as error:
        print(f"csr-tui: {visible(error)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command is None:
            return _run_app(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "db":
            return _db_share(args) if args.db_command == "share" else _db_upgrade(args)
        if args.command == "audit":
            return _audit_verify(args)
        return _orders(args)
    except (UsageError, ValidationError, NotFound) as error:
        print(f"csr-tui: {visible(error)}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as error:
        print(f"csr-tui: {visible(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`csr-tui orders list | head`): stop quietly, as cat does.
        # Python would complain again when flushing stdout at exit; point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:
        # No traceback here: it would show customer data; it goes to the log instead.
        from csr_tui.error_log import log_unexpected

        message = log_unexpected(error, f"csr-tui {args.command or ''}".strip())
        print(f"csr-tui: {visible(message)}", file=sys.stderr)
        return EXIT_UNEXPECTED


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _database(args: argparse.Namespace, *, upgrade: bool = True):  # type: ignore[no-untyped-def]
    from csr_tui.data.database import Database

    db = Database(resolve_database_url(args.database))
    _warn(db.warnings())
    if upgrade:
        db.upgrade()
    return db


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"csr-tui: warning: {visible(warning)}", file=sys.stderr)


def _open(args: argparse.Namespace, *, upgrade: bool = True):  # type: ignore[no-untyped-def]
    from csr_tui.services import Services

    return Services(_database(args, upgrade=upgrade), current_agent(args.agent))


def _run_app(args: argparse.Namespace) -> int:
    from csr_tui.app import CsrApp
    from csr_tui.screens.widgets.collector import IdleCollector

    url = resolve_database_url(args.database)
    app = CsrApp(
        database_url=url,
        agent=current_agent(args.agent),
        collector=IdleCollector(),
        prepare_ahead=True,
    )
    app.run()
    return app.return_code or 0


def _db_upgrade(args: argparse.Namespace) -> int:
    """Migrations that rewrite many rows take a while at a million orders: on a terminal
    each step gets a bar that fills as its batches are done (or pulses, for a step that
    cannot count), with its time; elsewhere (a log) each step is a line when it ends, with
    the time it took."""
    db = _database(args, upgrade=False)
    if sys.stdout.isatty():
        with _upgrade_progress() as progress:
            bars = _UpgradeBars(progress)
            before, head = db.upgrade(bars)
            bars.end()
    else:
        log = _UpgradeLog()
        before, head = db.upgrade(log)
        log.end()
    where = visible(db.display_url)
    if before == (head,):
        print(f"{where}: schema already at revision {visible(head)}.")
    else:
        was = visible(", ".join(before) or "empty")
        print(f"{where}: schema upgraded from {was} to {visible(head)}.")
    return 0


def _upgrade_progress(console: Any = None) -> Any:
    """The bars of `db upgrade`: the step, its bar, how much of it is done, its time."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console)


class _UpgradeBars:
    """`db upgrade` on a terminal: a bar per step of a migration, kept when it ends (the
    bars are the lines of a live display: a line printed meanwhile would go above them all,
    out of order)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.step: str | None = None
        self.task: Any = None
        self.total = 1

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        if step != self.step:
            self.end()
            self.step, self.total = step, 1
            self.task = self.progress.add_task(visible(step), total=None)
        if total is not None:
            self.total = total
            self.progress.update(self.task, completed=done, total=total)

    def applied(self, revision: str) -> None:
        """Its steps are named by their revision: the last one ends here."""
        self.end()

    def end(self) -> None:
        """The step running has ended: its bar full, its time stopped."""
        if self.task is not None:
            self.progress.update(self.task, completed=self.total, total=self.total)
            self.progress.stop_task(self.task)
        self.step = self.task = None


class _UpgradeLog:
    """`db upgrade` elsewhere: a line per step when it ends, with the time it took; a log
    shows where the time went."""

    def __init__(self) -> None:
        self.step: str | None = None
        self.began = self.revision_began = time.perf_counter()

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        if step != self.step:
            self.end()
            self.step, self.began = step, time.perf_counter()

    def applied(self, revision: str) -> None:
        self.end()
        took = time.perf_counter() - self.revision_began
        print(f"revision {visible(revision)} applied in {took:.1f} s", flush=True)
        self.revision_began = time.perf_counter()

    def end(self) -> None:
        if self.step is not None:
            took = time.perf_counter() - self.began
            print(f"{visible(self.step)}: {took:.1f} s", flush=True)
        self.step = None


def _db_share(args: argparse.Namespace) -> int:
    from csr_tui.data.faults import sqlite_path
    from csr_tui.data.sharing import share_sqlite

    url = resolve_database_url(args.database)
    path = sqlite_path(url)
    if path is None:
        raise UsageError(
            "db share is for a SQLite file; on PostgreSQL give each agent a role "
            "(see README: Running for a team)"
        )
    for line in share_sqlite(path, args.group):
        print(line)
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    services = _open(args)
    check = services.verify_audit()
    if check.intact:
        print(
            f"{services.db.display_url}: the audit log is intact: {check.records:,} records; "
            f"the last one's hash is {check.head}."
        )
        return 0
    print(
        f"csr-tui: {check.problem} ({check.records:,} records before it are intact.)",
        file=sys.stderr,
    )
    return 1


def _demo(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from csr_tui.services import DEFAULT_DEMO_ORDERS, DEFAULT_DEMO_SEED

    services = _open(args)
    orders = DEFAULT_DEMO_ORDERS if args.orders is None else args.orders
    if orders < 0:
        raise UsageError("--orders cannot be negative")
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        TextColumn("{task.completed:>9,}/{task.total:<9,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        reporter = _RichProgress(bar)
        seed = DEFAULT_DEMO_SEED if args.seed is None else args.seed
        services.load_demo(orders, reporter, seed=seed)
    print(
        f"Loaded {orders:,} demo orders into {visible(services.db.display_url)} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


class _RichProgress:
    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.task: Any = None

    def phase(self, name: str, total: int) -> None:
        self.task = self.bar.add_task(name, total=total)

    def advance(self, amount: int) -> None:
        self.bar.advance(self.task, amount)


def _orders(args: argparse.Namespace) -> int:
    if args.orders_command == "show" and not args.number.strip():
        raise UsageError("orders show: give an order number, e.g. PO1042 or 1042")
    if args.orders_command == "list":
        done = _list_read_only(args)
        if done is not None:
            return done
    services = _open(args)
    if args.orders_command == "show":
        return _show(services, args)
    return _list(services, args)


def _list_read_only(args: argparse.Namespace) -> int | None:
    """`orders list` on a SQLite file at this code's schema: read without SQLAlchemy,
    printing exactly what the normal path prints. None when it cannot answer; then it has
    printed nothing."""
    from csr_tui.services.listing import NormalPathNeeded, read_only_orders

    orders = read_only_orders(resolve_database_url(args.database))
    if orders is None:
        return None
    with orders:
        try:
            current_agent(args.agent)  # checked as _open checks it
            rows, count = _found(orders, args)
        except NormalPathNeeded:
            return None
        except BaseException:
            _warn(orders.warnings())
            raise
        _warn(orders.warnings())
    _print_list(rows, count, args.format)
    return 0


def _order_filter(services: Any, args: argparse.Namespace) -> Any:
    from csr_tui.data.queries import OrderFilter
    from csr_tui.domain.dates import DayRange, parse_day
    from csr_tui.domain.statuses import parse_status

    statuses = frozenset(parse_status(s) for s in args.status)
    known = services.market_codes()
    markets = frozenset(m.strip().upper() for m in args.market)
    unknown = sorted(markets - set(known))
    if unknown:
        raise UsageError(f"unknown market {', '.join(unknown)} (markets: {', '.join(known)})")
    days = DayRange(parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to"))
    start, end = days.utc_bounds()
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    return OrderFilter(
        text=args.search, statuses=statuses, markets=markets, created_from=start, created_to=end
    )


def _list(services: Any, args: argparse.Namespace) -> int:
    rows, count = _found(services, args)
    _print_list(rows, count, args.format)
    return 0


def _found(services: Any, args: argparse.Namespace) -> tuple[list[Any], Any]:
    """The rows `orders list` shows (as many pages as --limit asks for), and the count."""
    from csr_tui.data.queries import PAGE_SIZE

    order_filter = _order_filter(services, args)
    rows: list[Any] = []
    page = services.search_orders(order_filter, size=min(args.limit, PAGE_SIZE))
    count = page.count
    rows.extend(page.rows)
    while page.more and len(rows) < args.limit:
        size = min(PAGE_SIZE, args.limit - len(rows))
        page = services.search_orders(
            order_filter, after=rows[-1].cursor, with_count=False, size=size
        )
        rows.extend(page.rows)
    return rows, count


def _print_list(rows: list[Any], count: Any, output: str) -> None:
    records = [_row_record(r) for r in rows]
    if output == "json":
        print(json_document(records))
    elif output == "csv":
        _write_csv(records)
    else:
        _print_table(rows, count)


# Spreadsheets run a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# json.dumps escapes C0 controls; these it would write raw (ensure_ascii=False).
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in CONTROL_CODES if code >= 0x7F}


def csv_cell(value: Any) -> Any:
    """A cell as a spreadsheet should read it: a leading quote keeps `=HYPERLINK(...)` text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(records: list[dict[str, Any]]) -> None:
    """The data as stored, formulas neutralised; on a terminal, controls as placeholders."""
    shown = visible if sys.stdout.isatty() else None
    writer = csv.DictWriter(sys.stdout, fieldnames=list(_ROW_FIELDS))
    writer.writeheader()
    for record in records:
        cells = {k: v if k == "total" else csv_cell(v) for k, v in record.items()}
        if shown is not None:
            cells = {k: shown(v) if isinstance(v, str) else v for k, v in cells.items()}
        writer.writerow(cells)


def json_document(document: Any) -> str:
    """JSON escapes C0 controls itself; DEL, C1 controls and bidirectional overrides (which
    terminals may obey) are escaped too: safe to print, and it still reads back as the data."""
    return json.dumps(document, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES)


_ROW_FIELDS = (
    "number",
    "created",
    "name",
    "market",
    "customer_name",
    "customer_email",
    "status",
    "total",
    "currency",
)


def _row_record(row: Any) -> dict[str, Any]:
    from csr_tui.domain.money import currency

    return {
        "number": row.number,
        "created": row.created_at.isoformat(),
        "name": row.name,
        "market": row.market_code,
        "customer_name": row.customer_name,
        "customer_email": row.customer_email,
        "status": row.status.value,
        "total": str(currency(row.currency).round(row.total)),
        "currency": row.currency,
    }


def _console() -> Any:
    """Rich output for people. Every cell and line is a Text made by `plain`, so nothing a
    customer typed is read as markup or reaches the terminal as a control sequence."""
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False)


LIST_CELL_LIMIT = 200  # characters of a cell in the `orders list` table (csv, json: all)
FREE_TEXT_MIN = 6  # cells the names and the email get at least, wrapped over lines


def _shortened(value: str) -> str:
    """A list is for finding an order: a name of thousands of characters is cut, visibly."""
    return value if len(value) <= LIST_CELL_LIMIT else value[: LIST_CELL_LIMIT - 1] + "…"


_FREE_TEXT = ("Name", "Customer Name", "Customer Email")


def _list_widths(
    columns: tuple[tuple[str, str], ...], cells: list[list[Any]], width: int
) -> list[int | None]:
    """The widths of the `orders list` table's columns, None where Rich may choose.

    Rich cuts a word of a column too narrow for it with "…": a date, a status or an amount
    so cut tells nothing. When the table is wider than the terminal, those columns keep
    their lines whole, or else their words (a date above its time, "Partially" above
    "Shipped"), and the names and the email wrap as narrow as they must; only when not
    even that fits does Rich share the width out as it can."""
    from rich.cells import cell_len

    texts = [[name, *(row[i].plain for row in cells)] for i, (name, _) in enumerate(columns)]
    lines = [max(cell_len(t) for t in column) for column in texts]
    words = [max(cell_len(w) for t in column for w in t.split() or [""]) for column in texts]
    borders = 3 * len(columns) + 1  # a rule and a space on each side of each column
    if sum(lines) + borders <= width:
        return [None] * len(columns)
    free = [name in _FREE_TEXT for name, _ in columns]
    for fixed in (lines, words):
        used = sum(w for w, f in zip(fixed, free, strict=True) if not f) + borders
        if used + FREE_TEXT_MIN * sum(free) <= width:
            return [None if f else w for w, f in zip(fixed, free, strict=True)]
    return [None] * len(columns)


def _print_table(rows: list[Any], count: Any) -> None:
    from rich.table import Table

    from csr_tui.domain.money import currency
    from csr_tui.rich_text import plain

    columns = (
        ("No.", "left"),
        ("Created", "left"),
        ("Name", "left"),
        ("Market", "left"),
        ("Customer Name", "left"),
        ("Customer Email", "left"),
        ("Status", "left"),
        ("Total", "right"),
    )
    cells = [
        [
            plain(_shortened(cell))
            for cell in (
                r.number,
                f"{r.created_at.astimezone():%Y-%m-%d %H:%M}",
                r.name,
                r.market_code,
                r.customer_name,
                r.customer_email or "",
                r.status.value,
                currency(r.currency).format(r.total),
            )
        ]
        for r in rows
    ]
    console = _console()
    table = Table(caption=plain(f"{len(rows):,} shown of {count} matching orders"))
    for (name, justify), width in zip(
        columns, _list_widths(columns, cells, console.width), strict=True
    ):
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            width=width,
            overflow="fold" if width is None and name in _FREE_TEXT else "ellipsis",
        )
    for row in cells:
        table.add_row(*row)
    console.print(table)


def order_document(order: Any) -> dict[str, Any]:
    """`orders show --format json`: the order with its totals in its currency."""
    cur = order.currency
    totals = order.totals()

    def money(value: Any) -> str:
        return str(cur.round(value))

    return {
        "number": order.number,
        "created": order.created_at.isoformat(),
        "created_by": order.created_by,
        "name": order.name,
        "market": order.market.code,
        "currency": cur.code,
        "status": order.status.value,
        "customer_id": order.customer_id,
        "customer_name": order.customer_name,
        "customer_email": order.customer_email,
        "customer_phone": order.customer_phone,
        "shipments": [
            {
                "number": s.number,
                "status": s.status.value,
                "address": None
                if s.shipping_address is None
                else {
                    k: getattr(s.shipping_address, k)
                    for k in ("name", "line1", "line2", "city", "region", "postal_code", "country")
                },
                "shipping_method": None
                if s.shipping_method is None
                else {
                    "code": s.shipping_method.code,
                    "name": s.shipping_method.name,
                    "cost": money(s.shipping_method.cost),
                },
                "lines": [
                    {
                        "sku": li.sku,
                        "name": li.name,
                        "quantity": li.quantity,
                        "placed_price": money(li.placed_price),
                        "discount": money(li.discount),
                        "total": money(li.total(cur)),
                    }
                    for li in s.line_items
                ],
            }
            for s in order.shipments
        ],
        "payments": [
            {
                "method": p.method.name,
                "amount": money(p.amount),
                "status": p.status.value,
                "created": p.created_at.isoformat(),
                "created_by": p.created_by,
            }
            for p in order.payments
        ],
        "discounts": [
            {
                "description": d.description,
                "kind": d.kind.value,
                "value": str(d.value),
                "coupon_code": d.coupon_code,
            }
            for d in order.discounts
        ],
        "notes": [
            {
                "description": n.description,
                "text": n.text,
                "created_by": n.created_by,
                "created": n.created_at.isoformat(),
            }
            for n in order.notes
        ],
        "subtotal": money(totals.subtotal),
        "discount": money(totals.discount),
        "shipping": money(totals.shipping),
        "tax": money(totals.tax),
        "total": money(totals.total),
        "paid": money(totals.paid),
        "balance_due": money(totals.balance_due),
    }


def _show(services: Any, args: argparse.Namespace) -> int:
    order = services.get_order(args.number)
    doc = order_document(order)
    if args.format == "json":
        print(json_document(doc))
        return 0
    from rich.table import Table

    from csr_tui.rich_text import plain, text

    console = _console()
    cur = order.currency
    console.print(
        text(
            (order.number, "bold"),
            f"  {order.status.value}  {order.market.name}  "
            f"created {order.created_at.astimezone():%Y-%m-%d %H:%M} by {order.created_by}",
        )
    )
    console.print(
        plain(f"Customer: {order.customer_name or '(anonymous)'}  {order.customer_email or ''}")
    )
    for s in order.shipments:
        lines = Table(title=plain(f"Shipment {s.number}: {s.status.value}"), title_justify="left")
        for col in ("SKU", "Item", "Qty", "Price", "Total"):
            lines.add_column(col, justify="right" if col in ("Qty", "Price", "Total") else "left")
        for li in s.line_items:
            lines.add_row(
                *(
                    plain(cell)
                    for cell in (
                        li.sku,
                        li.name,
                        li.quantity,
                        cur.format(li.placed_price),
                        cur.format(li.total(cur)),
                    )
                )
            )
        console.print(lines)
        if s.shipping_address:
            console.print(plain(f"  Ship to: {s.shipping_address.one_line()}"))
        if s.shipping_method:
            console.print(plain(f"  Method: {s.shipping_method.name}"))
    t = order.totals()
    # More paid than the total (made cheaper after payment): overpaid, as the TUI says,
    # never a negative balance due.
    due = ("Overpaid", -t.balance_due) if t.balance_due < 0 else ("Balance due", t.balance_due)
    for label, value in (
        ("Subtotal", t.subtotal),
        ("Discount", -t.discount),
        ("Shipping", t.shipping),
        ("Tax", t.tax),
        ("Total", t.total),
        ("Paid", t.paid),
        due,
    ):
        console.print(plain(f"{label:>12}: {cur.format(value)}"))
    for n in order.notes:
        console.print(
            plain(
                f"Note by {n.created_by} {n.created_at.astimezone():%Y-%m-%d %H:%M}: "
                f"{n.description}"
            )
        )
    return 0

"""The standard phone order, in the real `csr-tui` in a real terminal (tmux, 80x24), timed.

An existing customer found by 4 typed characters, their default address, one SKU, quantity
2, Create Order. Prints the keys pressed beyond the typed text (the goal: 8 or fewer) and
the app's time from Ctrl+N to the created order's Order Details, without the typing: each
key (or typed text, sent at once) is timed from the moment tmux sends it to the moment the
screen shows its answer (polled every few ms), and the times are summed. Beside it, the
CPU time the app's process used meanwhile (all its threads): on a busy machine the wall
time also holds the time the app waited for a CPU. Medians over several orders, taken one
after the other in one running app, `--pause` seconds apart (3 by default: the time between
two calls, in which the app builds the next order's screen ahead; `--pause 0` measures
orders taken back to back, each Ctrl+N building its screen).

    python benchmarks/wizard_benchmark.py                       # a new 2,000-order demo
    python benchmarks/wizard_benchmark.py --database sqlite:////tmp/1m.db --orders 7

Each run creates orders in the database it is given.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from csr_tui.config import current_agent, mask_url
from csr_tui.services import open_services

SIZE = (80, 24)
POLL = 0.004


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def app_pid(pane_pid: int) -> int:
    """The csr-tui process in the tmux pane: the pane's own process or a child of it."""
    for _ in range(100):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"csr-tui" in command and pane_pid in (int(entry.name), int(stat[1])):
                return int(entry.name)
        time.sleep(0.05)
    raise SystemExit("csr-tui is not running in the pane")


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(
            ["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def wait_for(self, ready: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if ready(text):
                return text
            time.sleep(POLL)
        raise SystemExit(f"timed out waiting for {what}; the screen shows:\n{self.screen()}")


@dataclass(frozen=True)
class Step:
    name: str
    keys: tuple[str, ...]
    typed: bool  # text the agent types (not counted as keys)
    ready: Callable[[str], bool]


def phone_order(sku: str) -> list[Step]:
    return [
        Step("Ctrl+N: the markets", ("C-n",), False, lambda s: "(USD)" in s or "(EUR)" in s),
        Step("Enter: the market", ("Enter",), False, lambda s: "No customer yet" in s),
        Step("'merc': the matches", ("merc",), True, lambda s: "@example" in s),
        Step("Enter: the customer", ("Enter",), False, lambda s: "Shipping method of" in s),
        Step("Enter: the shipment", ("Enter",), False, lambda s: "Add line items to" in s),
        Step("SKU: the result", (sku,), True, lambda s: s.count(sku) >= 2),
        Step("Enter: the item chosen", ("Enter",), False, lambda s: "Chosen:" in s),
        Step("'2': the quantity", ("2",), True, lambda s: "Quantity         2" in s),
        Step("Enter: the line added", ("Enter",), False, lambda s: "Added: 2 ×" in s),
        Step("Esc: the lines", ("Escape",), False, lambda s: "1 line · subtotal" in s),
        Step(
            "Ctrl+S: Order Details",
            ("C-s",),
            False,
            lambda s: "Order Details" in s and "created." in s,
        ),
    ]


def standard_sku(url: str) -> tuple[str, str]:
    """The market the app will preselect for this agent, and a SKU sold and in stock there."""
    services = open_services(url, current_agent(None))
    try:
        market = services.markets_by_use()[0].code
        for row in services.search_variants("dress", market):
            if row.is_sold and row.price is not None and row.in_stock >= 10:
                return market, row.sku
    finally:
        services.db.close()
    raise SystemExit(f"no dress in stock in {market}")


def run(
    url: str, orders: int, pause: float
) -> tuple[list[Step], list[list[float]], list[list[float]]]:
    market, sku = standard_sku(url)
    steps = phone_order(sku)
    name = f"csr-wizard-bench-{os.getpid()}"
    command = f"csr-tui --database {shlex.quote(url)}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", str(SIZE[0]), "-y", str(SIZE[1]), command],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    term = Terminal(name)
    pane = subprocess.run(
        ["tmux", "list-panes", "-t", name, "-F", "#{pane_pid}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    pid = app_pid(int(pane))
    timings: list[list[float]] = []
    cpu: list[list[float]] = []
    try:
        term.wait_for(lambda s: " of " in s and "orders" in s, "the order list", timeout=120)
        print(f"market {market}, SKU {sku}", file=sys.stderr)
        time.sleep(pause + 3)  # the first call comes after start-up (3 s) and a pause
        for _ in range(orders):
            times, cpu_times = [], []
            for step in steps:
                start, cpu_start = time.perf_counter(), cpu_seconds(pid)
                term.send(*step.keys, literal=step.typed)
                term.wait_for(step.ready, step.name)
                times.append(time.perf_counter() - start)
                cpu_times.append(cpu_seconds(pid) - cpu_start)
            cpu.append(cpu_times)
            timings.append(times)
            term.send("Escape")
            term.wait_for(lambda s: "Order Management" in s, "the order list")
            time.sleep(pause)  # between two calls (the app works ahead in a pause of 2 s)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    return steps, timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database URL (default: a new demo database)")
    parser.add_argument("--orders", type=int, default=5, help="phone orders to take")
    parser.add_argument("--demo-orders", type=int, default=2000)
    parser.add_argument(
        "--pause",
        type=float,
        default=3.0,
        help="seconds between two orders, as between two calls (0: one right after another)",
    )
    args = parser.parse_args()
    if shutil.which("tmux") is None or shutil.which("csr-tui") is None:
        raise SystemExit("needs tmux and csr-tui on PATH")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database
        if url is None:
            url = f"sqlite:///{Path(folder) / 'orders.db'}"
            subprocess.run(
                ["csr-tui", "demo", "--database", url, "--orders", str(args.demo_orders)],
                check=True,
                capture_output=True,
            )
        steps, timings, cpu = run(url, args.orders, args.pause)
    keys = sum(len(s.keys) for s in steps if not s.typed)
    table = Table(
        title=f"The standard phone order, {args.orders} times, {args.pause:g} s apart, "
        f"{mask_url(url)}"
    )
    table.add_column("step")
    table.add_column("keys", justify="right")
    table.add_column("median ms", justify="right")
    table.add_column("slowest ms", justify="right")
    table.add_column("CPU ms", justify="right")
    for index, step in enumerate(steps):
        times = [t[index] * 1000 for t in timings]
        table.add_row(
            step.name,
            "typed" if step.typed else str(len(step.keys)),
            f"{statistics.median(times):.0f}",
            f"{max(times):.0f}",
            f"{statistics.median(c[index] * 1000 for c in cpu):.0f}",
        )
    totals = [sum(t) * 1000 for t in timings]
    cpu_totals = [sum(c) for c in cpu]
    table.add_row(
        "Ctrl+N to Order Details",
        str(keys),
        f"{statistics.median(totals):.0f}",
        f"{max(totals):.0f}",
        f"{statistics.median(cpu_totals) * 1000:.0f}",
        style="bold",
    )
    Console().print(table)
    print(f"keys beyond the typed text: {keys} (goal: 8 or fewer)")
    print(f"app time, Ctrl+N to Order Details: median {statistics.median(totals) / 1000:.2f} s")
    print(f"CPU time of the app meanwhile: median {statistics.median(cpu_totals):.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""The order list as an agent feels it, in a real terminal (tmux), on a big database.

1. Keystroke to answer: each search typed key by key at 50 and at 200 ms a key; the time
   from sending the last key to the terminal showing that search's first page and its
   count for good (the status line no longer says "searching…"). Read by polling the tmux
   pane (each reading takes a few ms).
2. Memory: the csr-tui process's resident memory, anonymous and file-backed (SQLite's
   memory map), after those searches, more searches up to 100, and 100 pages.
3. Start-up: launching `csr-tui` until the first page and count are on screen, beside a
   bare Textual app with the same widgets and 50 rows, in one run.
4. The command line (alone with --cli-only): `csr-tui --version`, and `orders list
   --search %tay --format json`, wall and CPU time (user + system), median of --runs.
   On a SQLite file the listing keeps its statements' SQL in the user cache folder: its
   first run (an empty cache folder each time) compiles them with SQLAlchemy, the warm
   runs read them and import no SQLAlchemy.

    python benchmarks/ui_benchmark.py --database sqlite:////tmp/1m.db
    python benchmarks/ui_benchmark.py --database sqlite:////tmp/1m.db --cli-only --runs 7
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from textual.constants import ESCAPE_DELAY

from csr_tui.config import mask_url
from csr_tui.data.database import Database
from csr_tui.screens.order_list import SEARCH_PLACEHOLDER
from csr_tui.services import OrderFilter, Services

SEARCHES = [
    "%tay",
    "j%smith",
    "m%qzx",
    "oli",
    "%alv",
    "Mercy",
    "%son",
    "%q",
    "zqx",
    "Taylor H",
    "mercy.taylor@example.com",
    "PO500000",
]
PACES = (0.05, 0.2)  # seconds between two keys
TOTAL_SEARCHES = 100
PAGES = 100
BUSY = "searching…"
PLACEHOLDER = SEARCH_PLACEHOLDER[:30]  # the empty search field
SETTLE = 0.3  # seconds an answer stays on screen unchanged
POLL = 0.003  # between two readings: reading the pane takes CPU from the application


@dataclass
class Expected:
    status: str  # the status line's count
    first: str | None  # the first order number shown


class Terminal:
    """csr-tui (or any command) in a detached tmux session."""

    def __init__(self, command: str, width: int = 120, height: int = 40) -> None:
        self.tmux = shutil.which("tmux") or "tmux"
        self.name = f"csr-ui-bench-{time.monotonic_ns()}"
        size = ["-x", str(width), "-y", str(height)]
        # Started outside any checkout: `python -m csr_tui` (--command) would otherwise run
        # the code of the directory it was started in, whatever PYTHONPATH says.
        where = ["-c", tempfile.gettempdir()]
        subprocess.run(
            [self.tmux, "new-session", "-d", "-s", self.name, *size, *where, command], check=True
        )

    def screen(self) -> str:
        return subprocess.run(
            [self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        flags = ["-l"] if literal else []
        subprocess.run([self.tmux, "send-keys", "-t", self.name, *flags, *keys], check=True)

    def wait_for(self, ready, timeout: float = 60) -> float:
        """Poll the screen until ready(screen); the time it was seen."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen()
            seen = time.perf_counter()
            if ready(screen):
                return seen
            if seen > deadline:
                raise RuntimeError(f"never ready:\n{screen}")

    def pid(self) -> int:
        """The process the pane runs (its shell's child, if the shell did not exec it)."""
        pane = subprocess.run(
            [self.tmux, "display", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        pid = int(pane)
        if "python" not in Path(f"/proc/{pid}/cmdline").read_text():
            pid = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
        return pid

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], capture_output=True)


def expected_answers(url: str) -> dict[str, Expected]:
    services = Services(Database(url), "benchmark")
    answers = {}
    for term in SEARCHES:
        page = services.search_orders(OrderFilter(text=term))
        status = f"1–{len(page.rows)} of {page.count} orders" if page.rows else "0 orders"
        if str(page.count) == "1":
            status = "1 order"
        answers[term] = Expected(status, page.rows[0].number if page.rows else None)
    services.db.close()
    return answers


def answered(term: str, expected: Expected):
    def ready(screen: str) -> bool:
        return (
            BUSY not in screen
            and term in screen
            and expected.status in screen
            and (expected.first is None or expected.first in screen)
        )

    return ready


def answer_time(terminal: Terminal, term: str, expected: Expected) -> float | None:
    """When the screen first showed the answer to the term. The screen before it may look
    the same (the answer to "%ta" is the answer to "%tay"), so the screen is read until it
    has shown the answer unchanged for SETTLE seconds, and the answer dates from the first
    reading after the last one that differed (which "searching…" does). None if no reading
    differed: the answer came between two readings, or the screen before it (the previous
    key's answer, the same orders) was taken for it; the search is typed again."""
    ready = answered(term, expected)
    readings: list[tuple[float, str]] = []
    while True:
        time.sleep(POLL)
        screen = terminal.screen()
        readings.append((time.perf_counter(), screen))
        if ready(screen):
            changed = max((i for i, (_, s) in enumerate(readings) if s != screen), default=-1)
            if readings[-1][0] - readings[changed + 1][0] >= SETTLE:
                return readings[changed + 1][0] if changed >= 0 else None
        elif readings[-1][0] - readings[0][0] > 60:
            raise RuntimeError(f"{term!r} never answered:\n{screen}")


def clear_search(terminal: Terminal) -> None:
    """Escape empties the search field (its placeholder shows); then all orders show.

    A terminal sends Escape as the byte that also starts the sequences of other keys, so
    Textual waits ESCAPE_DELAY (0.1 s) for more: keys typed sooner join the wait and arrive
    together after it. When the field was already empty the screen does not change, and
    the first term used to be typed into that wait (its last key answered 100-200 ms
    later than the same term typed again)."""
    terminal.keys("Escape")
    time.sleep(ESCAPE_DELAY + 0.05)
    terminal.wait_for(lambda s: BUSY not in s and PLACEHOLDER in s and " of " in s)


def type_term(terminal: Terminal, term: str, pace: float) -> float:
    """Type the term key by key; when the last key was sent."""
    sent = time.perf_counter()
    for i, char in enumerate(term):
        if i:
            time.sleep(max(0.0, sent + pace - time.perf_counter()))
        sent = time.perf_counter()
        terminal.keys(char, literal=True)
    return sent


def first_row(screen: str) -> int:
    """The position of the first row shown, from the status line ("51-100 of ...")."""
    found = re.search(r"([\d,]+)–[\d,]+ of ", screen)
    return int(found.group(1).replace(",", "")) if found else 0


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def in_terminal(
    url: str, csr: str
) -> tuple[dict[float, list[tuple[str, float]]], dict, dict, dict[float, float]]:
    answers = expected_answers(url)
    terminal = Terminal(f"{csr} --database {shlex.quote(url)}")
    latencies: dict[float, list[tuple[str, float]]] = {pace: [] for pace in PACES}
    cpu: dict[float, float] = {}  # the app's CPU seconds for the searches typed at that pace
    try:
        terminal.wait_for(lambda s: " of " in s and BUSY not in s)
        pid = terminal.pid()
        start = memory_mb(pid)
        searches = 0
        for pace in PACES:
            cpu_before = cpu_seconds(pid)
            for term in SEARCHES:
                for _attempt in range(5):
                    clear_search(terminal)
                    last_key = type_term(terminal, term, pace)
                    shown = answer_time(terminal, term, answers[term])
                    searches += 1
                    if shown is not None:
                        break
                else:
                    raise RuntimeError(f"the answer to {term!r} never looked different")
                latencies[pace].append((term, (shown - last_key) * 1000))
            cpu[pace] = cpu_seconds(pid) - cpu_before
        while searches < TOTAL_SEARCHES:
            term = SEARCHES[searches % len(SEARCHES)]
            clear_search(terminal)
            type_term(terminal, term, 0.0)
            terminal.wait_for(answered(term, answers[term]))
            searches += 1
        clear_search(terminal)
        terminal.keys("Down")  # into the table
        while first_row(terminal.screen()) <= PAGES * 50:
            terminal.keys("PageDown")  # past the last row it loads the next page
            time.sleep(0.05)
        terminal.wait_for(lambda s: BUSY not in s)
        end = memory_mb(terminal.pid())
    finally:
        terminal.close()
    return latencies, start, end, cpu


def launch_until(command: str, ready: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        terminal = Terminal(command)
        try:
            times.append(terminal.wait_for(lambda s: ready in s, timeout=30) - started)
        finally:
            terminal.close()
        time.sleep(0.3)
    return times


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of a command."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - started
    after = os.times()
    user = after.children_user - before.children_user
    return wall, user + after.children_system - before.children_system


def command_line(csr: str, database: str, runs: int) -> list[tuple[str, float, float]]:
    """(what, median wall, median CPU) of each command-line measure."""
    command = shlex.split(csr)
    listing = [*command, "orders", "list", "--database", database, "--search", "%tay"]
    measures: dict[str, list[tuple[float, float]]] = {"csr-tui --version": [], "first": []}
    with tempfile.TemporaryDirectory(prefix="csr-cli-bench-") as folder:
        for n in range(runs):
            measures["csr-tui --version"].append(timed([*command, "--version"]))
            # The first run of a search on an empty cache folder, each time a new one.
            empty = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / f"empty-{n}")}
            measures["first"].append(timed([*listing, "--format", "json"], empty))
        warm = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "warm")}
        timed([*listing, "--format", "json"], warm)
        timed([*listing], warm)
        for output in ("json", "table"):
            what = f"orders list --search %tay --format {output}, warm"
            measures[what] = [timed([*listing, "--format", output], warm) for _ in range(runs)]
    measures["orders list --search %tay --format json, first run"] = measures.pop("first")
    return [
        (
            what,
            statistics.median(wall for wall, _ in times),
            statistics.median(cpu for _, cpu in times),
        )
        for what, times in measures.items()
    ]


def print_command_line(console: Console, database: str, rows: list[tuple[str, float, float]]):
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    table = Table(title=f"The command line on {mask_url(database)} (load average {load})")
    for column in ("command", "wall", "CPU", "target"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for what, wall, cpu in rows:
        target = "< 200 ms" if what.startswith("orders") and "json" in what else ""
        table.add_row(what, f"{wall * 1000:.0f} ms", f"{cpu * 1000:.0f} ms", target)
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--runs", type=int, default=7, help="start-ups of each kind")
    parser.add_argument(
        "--command",
        default=shutil.which("csr-tui"),
        help="the csr-tui to run (default: the installed one), e.g. another checkout's",
    )
    parser.add_argument("--cli-only", action="store_true", help="the command line only")
    args = parser.parse_args()
    csr = args.command
    console = Console(width=120)
    if args.cli_only:
        assert csr, "needs the installed csr-tui command"
        print_command_line(console, args.database, command_line(csr, args.database, args.runs))
        return
    assert csr and shutil.which("tmux"), "needs tmux and the installed csr-tui command"

    latencies, start, end, cpu = in_terminal(args.database, csr)
    bare = f"{shlex.quote(sys.executable)} {Path(__file__).with_name('bare_app.py')}"
    ours = f"{csr} --database {shlex.quote(args.database)}"
    bare_times = launch_until(bare, "1–50 of 50 orders", args.runs)
    our_times = launch_until(ours, "1–50 of ", args.runs)
    cli = command_line(csr, args.database, args.runs)

    table = Table(title=f"Order list in a terminal on {mask_url(args.database)}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for pace in PACES:
        ms = [m for _, m in latencies[pace]]
        table.add_row(
            f"last key → page + count, typed at {pace * 1000:.0f} ms a key, median",
            f"{statistics.median(ms):.0f} ms",
            "< 150 ms",
        )
        table.add_row("  same, slowest", f"{max(ms):.0f} ms", "< 250 ms")
        table.add_row(
            "  the app's CPU time for those 12 searches (all threads)", f"{cpu[pace]:.1f} s", ""
        )
    after = f"after {TOTAL_SEARCHES} searches, {PAGES} pages"
    for label, mb in (("at start", start), (after, end)):
        table.add_row(
            f"resident memory {label}",
            f"{mb['VmRSS']:.0f} MB",
            "< 150 MB" if mb is end else "",
        )
        table.add_row(
            "  anonymous / file-backed / shared",
            f"{mb['RssAnon']:.0f} / {mb['RssFile']:.0f} / {mb['RssShmem']:.0f} MB",
            "",
        )
    table.add_row("  peak resident memory", f"{end['VmHWM']:.0f} MB", "")
    ours_s, bare_s = statistics.median(our_times), statistics.median(bare_times)
    table.add_row("start-up to the first page and count, csr-tui", f"{ours_s:.2f} s", "")
    table.add_row("start-up, bare Textual app, same widgets, 50 rows", f"{bare_s:.2f} s", "")
    table.add_row("  ratio csr-tui / bare", f"{ours_s / bare_s:.2f}", "")
    console.print(table)
    print_command_line(console, args.database, cli)
    for pace in PACES:
        console.print(
            f"typed at {pace * 1000:.0f} ms a key: "
            + ", ".join(f"{term} {ms:.0f}" for term, ms in latencies[pace])
        )


if __name__ == "__main__":
    main()

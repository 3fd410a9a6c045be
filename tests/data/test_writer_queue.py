"""SQLite writers take turns first come, first served, across processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from csr_tui.data.writer_queue import COUNTER, WriterQueue

# A writer in a process of its own: it queues, notes its name in the log when its turn
# comes, and leaves once the file `release` exists (at once if it is empty).
WRITER = """
import os, sys, time
from csr_tui.data.writer_queue import WriterQueue
queue = WriterQueue(sys.argv[1])
queue.enter(60)
with open(sys.argv[2], "a") as log:
    log.write(sys.argv[3] + "\\n")
while sys.argv[4] and not os.path.exists(sys.argv[4]):
    time.sleep(0.01)
queue.leave()
"""


def tickets_taken(path: Path) -> int:
    """How many tickets were taken. (Never read in a process that holds a ticket: closing
    any file of the queue drops all of the process's locks on it.)"""
    data = path.read_bytes()[COUNTER : COUNTER + 8] if path.exists() else b""
    return int.from_bytes(data.ljust(8, b"\0"), "little")


def writer(path: Path, log: Path, name: str, release: Path | None = None) -> subprocess.Popen:
    taken = tickets_taken(path)
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(log), name, str(release or "")]
    )
    until(lambda: tickets_taken(path) > taken)  # it is in the queue
    return process


def until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_writers_go_in_the_order_they_came(tmp_path):
    path, log, release = tmp_path / "db-writers", tmp_path / "log", tmp_path / "release"
    first = writer(path, log, "a", release)
    until(log.exists)
    others = [writer(path, log, name) for name in "bcd"]
    assert log.read_text().split() == ["a"], "nobody else writes while the first is at work"
    release.touch()
    for process in (first, *others):
        assert process.wait(30) == 0
    assert log.read_text().split() == ["a", "b", "c", "d"]


def test_a_writer_that_died_lets_the_next_one_go(tmp_path):
    path, log = tmp_path / "db-writers", tmp_path / "log"
    stuck = writer(path, log, "stuck", tmp_path / "never")
    until(log.exists)
    after = writer(path, log, "after")
    os.kill(stuck.pid, signal.SIGKILL)
    stuck.wait(30)
    assert after.wait(30) == 0
    assert log.read_text().split() == ["stuck", "after"]


def test_a_writer_stops_queueing_at_its_timeout(tmp_path):
    """Then SQLite's own lock (and its busy timeout) decides, as without the queue."""
    path, log = tmp_path / "db-writers", tmp_path / "log"
    stuck = writer(path, log, "stuck", tmp_path / "never")
    until(log.exists)
    behind = WriterQueue(str(path))
    try:
        assert behind.enter(0.2) == 1
        behind.leave()
    finally:
        stuck.kill()
        stuck.wait(30)

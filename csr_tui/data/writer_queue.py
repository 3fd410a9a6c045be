"""First come, first served among the processes that write one SQLite file.

SQLite lets one writer in at a time. A writer that finds the lock taken sleeps in SQLite's
busy handler, longer and longer (up to 100 ms a try), so one that has waited long keeps
missing the moments the lock is free to writers that just arrived: with 16 agents saving
at once, some saves waited 7-11 s. Trying again more often instead costs CPU that the
writer holding the lock needs (16 writers polling every millisecond brought two cores to
a crawl).

So writers queue: each takes a ticket from a counter in a small file beside the database
and waits until the writer with the ticket before it is done. A ticket is a POSIX record
lock on one byte of that file, held while its writer waits and writes; the system drops it
if the process dies, which lets the next one go. The queue only orders writers: SQLite's
lock still keeps them apart. A writer that waits longer than the busy timeout stops
queueing and goes to SQLite's lock (which then reports the database busy as before), and
a writer outside the queue (another thread of the same process, an older csr-tui) just
takes SQLite's lock as before.
"""

from __future__ import annotations

import fcntl
import os
import stat
import threading
import time
from contextlib import suppress
from pathlib import Path

COUNTER = 8  # offset of the 8-byte ticket counter; byte 0 guards it
TICKETS = 4096  # offset of ticket 0's byte


# One ticket per process and file at a time: POSIX record locks belong to the process, so a
# second ticket of the same process would see the first as its own, not wait for it.
_TURNS: dict[str, threading.Lock] = {}


class WriterQueue:
    def __init__(self, path: str, mode: int = 0o600) -> None:
        self.path = path
        self.mode = mode  # of the file when this process creates it
        self.turn = _TURNS.setdefault(path, threading.Lock())
        self.fd = -1  # open while this process holds a ticket

    @classmethod
    def beside(cls, database: Path) -> WriterQueue:
        """The queue of `database`, whose file gets the database file's mode as SQLite's
        -wal and -shm do: a database shared with a group (db share) is queued by all."""
        try:
            mode = stat.S_IMODE(database.stat().st_mode) & 0o666
        except OSError:
            mode = 0o600
        return cls(f"{database}-writers", mode)

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, self.mode)
        except FileExistsError:
            return os.open(self.path, os.O_RDWR)
        with suppress(OSError):
            os.fchmod(fd, self.mode)  # whatever the umask took away
        return fd

    def enter(self, timeout: float) -> int | None:
        """Wait for this writer's turn, at most `timeout` seconds: its ticket (leave() when
        done), or None if it has none (then SQLite's lock alone decides)."""
        deadline = time.monotonic() + timeout
        if not self.turn.acquire(timeout=timeout):
            return None
        try:
            self.fd = self._open()
            ticket = self._take()
        except OSError:  # a file system without record locks
            self._close()
            self.turn.release()
            return None
        self._wait_for(ticket - 1, deadline)
        return ticket

    def leave(self) -> None:
        """Closing the file drops this process's locks on it: the ticket's byte."""
        self._close()
        self.turn.release()

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _take(self) -> int:
        fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, 0)
        try:
            ticket = int.from_bytes(os.pread(self.fd, 8, COUNTER).ljust(8, b"\0"), "little")
            os.pwrite(self.fd, (ticket + 1).to_bytes(8, "little"), COUNTER)
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, TICKETS + ticket)
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, 0)
        return ticket

    def _wait_for(self, ticket: int, deadline: float) -> None:
        """Until the writer with `ticket` is done or gone, or the deadline. The wait blocks
        in the system (no polling: the writer at work keeps the CPU), in a thread of its
        own so that it can end at the deadline."""
        if ticket < 0:
            return
        done = threading.Event()

        def wait() -> None:
            with suppress(OSError):
                fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, TICKETS + ticket)
                fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, TICKETS + ticket)
            done.set()

        threading.Thread(target=wait, daemon=True, name="csr-tui-writer-queue").start()
        done.wait(max(0.0, deadline - time.monotonic()))

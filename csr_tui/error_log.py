"""Unexpected errors: the details go to a private log file, the agent reads one line.

A traceback on screen would show what the program held at the time (customer names,
emails, a database URL), so neither the terminal application nor the command line prints
one. The log is `csr-tui.log` in the user's state folder (platformdirs; on Linux
`~/.local/state/csr-tui/`), a folder of mode 0700 holding a file of mode 0600.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_state_dir

from csr_tui.domain.text import visible


def log_path() -> Path:
    return Path(user_state_dir("csr-tui")) / "csr-tui.log"


def log_unexpected(error: BaseException, where: str) -> str:
    """Append the traceback of `error` (without local variables) to the log, and return
    the one line to show: what kind of error, and where its details are."""
    path = log_path()
    kind = type(error).__name__
    details = "".join(traceback.format_exception(error))
    entry = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, {where}:\n{details}\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created 0600 from the start: there is no moment in which others may read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            os.fchmod(log.fileno(), 0o600)
            log.write(visible(entry, lines=True))
    except OSError as problem:
        return f"Unexpected error ({kind}); its details could not be logged ({problem.strerror})"
    return f"Unexpected error ({kind}); the details are in {path}"

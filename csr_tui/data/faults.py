"""What a database failure means for the agent, in one sentence: which fault, and what to do.

Every error a driver raises passes through `classify`: it names the fault (a full disk, a
read-only file or folder, a lost connection, a busy database, a collision with another
agent's transaction), says what to do, and never shows a password or a traceback.
Some faults are transient and safe to retry (`Retryable`); a lost connection during COMMIT
is not, because nobody can know whether the change was saved.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from csr_tui.config import mask_url, os_account, scrub
from csr_tui.domain.errors import DomainError


class DatabaseUnavailable(DomainError):
    """The database cannot be used; the message says which fault and what to do."""


class DatabaseBusy(DomainError):
    """Another agent held the database for longer than the busy timeout."""


class DiskFull(DatabaseUnavailable):
    """No room left for the change: nothing was saved."""


class ReadOnlyDatabase(DatabaseUnavailable):
    """This account may read the database but not write it (file, folder or server)."""


class Retryable(DomainError):
    """A transient fault: the transaction was certainly not applied, so it may run again."""


class ConnectionLost(Retryable, DatabaseUnavailable):
    """The connection broke before COMMIT was sent (for example, the server restarted)."""


class WriteCollision(Retryable):
    """PostgreSQL gave up on this transaction to keep another one consistent (a
    serialization failure or a deadlock); it was rolled back."""


class SaveUncertain(DatabaseUnavailable):
    """The connection broke while COMMIT was on its way: it may or may not have been saved."""


def sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def is_driver_error(error: BaseException) -> bool:
    """An error the database driver raised itself (bulk loads bypass SQLAlchemy), told by
    its module so that checking costs no import of psycopg."""
    return type(error).__module__.split(".")[0] in ("sqlite3", "psycopg")


def classify(error: BaseException, url: str, *, committing: bool = False) -> DomainError | None:
    """The DomainError an agent should read for a database failure, or None if `error` is
    no database failure."""
    if isinstance(error, SQLAlchemyError):
        orig = getattr(error, "orig", None)
    elif is_driver_error(error):
        orig = error
    else:
        return None
    where = mask_url(url)
    detail = scrub(_first_line(orig if orig is not None else error), url)
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        if committing:
            return SaveUncertain(
                f"The connection to {where} broke while your change was being saved: it may "
                "or may not have been saved. Reload to see which."
            )
        return ConnectionLost(f"The connection to {where} was lost ({detail}); nothing was saved.")
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01"):
        return WriteCollision(f"Another agent's change collided with this one: {detail}")
    if sqlstate == "53100":
        return DiskFull(
            f"The PostgreSQL server of {where} is out of disk space: nothing was saved. "
            "Ask its administrator to free space."
        )
    if sqlstate == "25006":
        return ReadOnlyDatabase(
            f"{where} accepts only reads (a standby server, or read-only transactions by "
            "default): nothing was saved. Connect to the primary server."
        )
    if sqlstate == "42501":
        return ReadOnlyDatabase(
            f"The database role of {where} may not do this ({detail}): ask the database "
            "administrator for the grants in README's 'Running for a team'."
        )
    name = getattr(orig, "sqlite_errorname", "") or ""
    path = sqlite_path(url)
    if name.startswith("SQLITE_FULL"):
        folder = path.parent if path else Path(".")
        return DiskFull(
            f"The disk holding {path or where} is full (or a file-size limit was reached): "
            f"nothing was saved. Free some space there (df -h {folder}) and try again."
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) and path is not None:
        return not_writable(path, name)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in detail:
        return DatabaseBusy("The database is busy with another agent's change: try again.")
    if isinstance(error, OperationalError) or type(orig).__name__ == "OperationalError":
        return DatabaseUnavailable(f"Cannot reach the database {where}: {detail}")
    return DatabaseUnavailable(f"The database {where} refused the request: {detail}")


def _owner(path: Path) -> str:
    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (KeyError, OSError):
        return "another account"


def not_writable(path: Path, name: str = "") -> DomainError:
    """Which of the file, its -wal and -shm companions, or its folder this account cannot
    write, and what to do about it."""
    me = os_account()
    share = "ask its owner to share it with your group (csr-tui db share --group GROUP)"
    folder = path.parent
    if not folder.exists():
        return DatabaseUnavailable(f"The folder {folder} does not exist: nothing was opened.")
    if not os.access(folder, os.X_OK):
        return ReadOnlyDatabase(
            f"The folder {folder} is closed to {me} (owned by {_owner(folder)}): {share}."
        )
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
            return ReadOnlyDatabase(
                f"{candidate} is read-only for {me} (owned by {_owner(candidate)}): nothing "
                f"was saved; {share}."
            )
    if name == "SQLITE_READONLY_DIRECTORY" or not os.access(folder, os.W_OK):
        return ReadOnlyDatabase(
            f"The folder {folder} is read-only for {me}: SQLite must create {path.name}-wal "
            f"and {path.name}-shm there, so nothing was saved; {share}."
        )
    return ReadOnlyDatabase(
        f"{path} cannot be written by {me}: nothing was saved; check its mount and modes."
    )


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

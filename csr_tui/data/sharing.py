"""One SQLite file shared by several Unix accounts on one host, through a group.

SQLite needs every agent to write the database file and its -wal and -shm companions, and
to create those companions in the folder when none is open. So the folder is the group's,
setgid (new files join the group) and group-writable; the three files are the group's and
mode 0660. SQLite gives the companions the database file's mode when it creates them.
Nobody outside the group may write any of it: a start-up warning says when someone can.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

from csr_tui.domain.errors import DomainError

FOLDER_MODE = 0o2770  # setgid: files created inside belong to the folder's group
FILE_MODE = 0o660


class ShareRefused(DomainError):
    """The file could not be given to the group (unknown group, not the owner, ...)."""


def companions(path: Path) -> list[Path]:
    # -writers: the queue of writers (writer_queue.py), made with the database file's mode.
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-writers")]


def share_sqlite(path: Path, group: str) -> list[str]:
    """Give the folder and the database files to `group`; returns what was done, and what
    still keeps the group's members out, line by line."""
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise ShareRefused(f"There is no group '{group}' on this host.") from None
    if not path.exists():
        raise ShareRefused(f"{path} does not exist: create it first (csr-tui db upgrade).")
    folder = path.parent
    done: list[str] = []
    try:
        os.chown(folder, -1, gid)
        os.chmod(folder, FOLDER_MODE)
        done.append(f"{folder}: group {group}, mode {FOLDER_MODE:04o} (setgid)")
        for file in companions(path):
            if file.exists():
                os.chown(file, -1, gid)
                os.chmod(file, FILE_MODE)
                done.append(f"{file}: group {group}, mode {FILE_MODE:04o}")
    except PermissionError as error:
        raise ShareRefused(
            f"Cannot change {error.filename}: only its owner (or root) may share it."
        ) from None
    for ancestor in folder.resolve().parents:
        mode = ancestor.stat().st_mode
        reachable = mode & stat.S_IXOTH or (ancestor.stat().st_gid == gid and mode & stat.S_IXGRP)
        if not reachable:
            done.append(
                f"warning: members of {group} cannot reach {folder}: {ancestor} is mode "
                f"{stat.S_IMODE(mode):04o}; move the database to a shared folder such as "
                "/srv/csr-tui"
            )
            break
    return done


def sharing_warnings(path: Path) -> list[str]:
    """A database that any login on the host may change (or delete) cannot be trusted."""
    exposed = []
    for file in [*companions(path), path.parent]:
        try:
            mode = file.stat().st_mode
        except OSError:
            continue
        sticky_folder = stat.S_ISDIR(mode) and mode & stat.S_ISVTX
        if mode & stat.S_IWOTH and not sticky_folder:
            exposed.append(f"{file} (mode {stat.S_IMODE(mode):04o})")
    if not exposed:
        return []
    return [
        f"{', '.join(exposed)}: writable by every login on this host, so anyone could change "
        "orders or the audit log. Share the database with a group instead: csr-tui db share "
        "--group GROUP."
    ]

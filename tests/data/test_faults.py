"""A full disk, a read-only file or folder, a database shared by a group, a schema whose
revision is unknown: each says what it is and what to do, and saves nothing."""

from __future__ import annotations

import grp
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from csr_tui.cli import main
from csr_tui.data import engine as engine_module
from csr_tui.data.database import Database
from csr_tui.data.faults import DiskFull
from csr_tui.data.migrate import SchemaUnknown
from csr_tui.domain.errors import DomainError
from csr_tui.services import Services
from tests.conftest import place_order

NOBODY = 65534
GROUP = "users"


def _fill_disk_at_next_page(engine, room: int = 0) -> None:
    """What a full disk does to SQLite: it may not grow the file beyond `room` more pages
    (counted from the first connection)."""
    limit: list[int] = []

    @event.listens_for(engine, "connect")
    def full(dbapi_connection, _record):
        if not limit:
            limit.append(dbapi_connection.execute("PRAGMA page_count").fetchone()[0] + room)
        dbapi_connection.execute(f"PRAGMA max_page_count = {limit[0]}")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_full_disk_says_so_and_saves_nothing(database_url):
    order = place_order(Services(Database(database_url), "alice"))
    db = Database(database_url)
    _fill_disk_at_next_page(db.engine)
    services = Services(db, "alice")
    with pytest.raises(DiskFull, match=r"The disk holding .*csr-\d+\.db is full") as error:
        services.add_note(order.number, "Long call", "x" * 9000)
    assert "nothing was saved. Free some space there (df -h" in str(error.value)
    assert services.get_order(order.number).notes == []
    db.close()


def test_demo_on_a_full_disk_prints_one_line(tmp_path, capsys, monkeypatch):
    real = engine_module.create_engine

    def create_full_engine(*args, **kwargs):
        engine = real(*args, **kwargs)
        _fill_disk_at_next_page(engine, room=150)  # the schema fits (66 pages), the data not
        return engine

    monkeypatch.setattr(engine_module, "create_engine", create_full_engine)
    code = main(["demo", "--database", f"sqlite:///{tmp_path / 'demo.db'}", "--orders", "50"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("csr-tui: ") and "demo.db is full" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# -- other accounts ---------------------------------------------------------------------


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder other logins can reach (pytest's own are private to this one)."""
    folder = Path(tempfile.mkdtemp(prefix="csr-tui-share-", dir="/tmp"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_another_login(action: Callable[[], str], groups: tuple[int, ...] = ()) -> str:
    """Run `action` as another login: `nobody` when the tests run as root (root may write
    anything), else this login (the files are then made read-only for it)."""
    if os.geteuid() != 0:
        return action()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgroups(list(groups))
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            outcome = action()
        except BaseException as error:
            outcome = f"{type(error).__name__}: {error}"
        os.write(write, json.dumps(outcome).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        outcome = json.loads(pipe.read() or '"the child died"')
    os.waitpid(pid, 0)
    return outcome


def _note_as_agent(url: str, number: str) -> Callable[[], str]:
    def note() -> str:
        db = Database(url)
        try:
            Services(db, "agent").add_note(number, "Called", "")
            return "saved"
        except DomainError as error:
            return str(error)
        finally:
            db.close()

    return note


@pytest.fixture
def shared_order(open_folder, sqlite_template) -> tuple[Path, str]:
    path = open_folder / "orders.db"
    shutil.copy(sqlite_template, path)
    services = Services(Database(f"sqlite:///{path}"), "alice")
    order = place_order(services)
    services.db.close()  # SQLite removes the -wal and -shm files with the last connection
    return path, order.number


def test_a_read_only_file_says_whose_it_is_and_how_to_share_it(shared_order):
    path, number = shared_order
    os.chmod(path, 0o644 if os.geteuid() == 0 else 0o444)
    outcome = as_another_login(_note_as_agent(f"sqlite:///{path}", number))
    assert f"{path} is read-only for " in outcome
    assert "nothing was saved; ask its owner to share it with your group" in outcome
    assert "csr-tui db share --group GROUP" in outcome


def test_a_read_only_folder_says_sqlite_must_create_its_files_there(shared_order):
    path, number = shared_order
    os.chmod(path, 0o666)
    os.chmod(path.parent, 0o755 if os.geteuid() == 0 else 0o555)
    try:
        outcome = as_another_login(_note_as_agent(f"sqlite:///{path}", number))
    finally:
        os.chmod(path.parent, 0o777)
    assert f"The folder {path.parent} is read-only for " in outcome
    assert "SQLite must create orders.db-wal and orders.db-shm there" in outcome


def test_db_share_lets_the_group_work_and_nobody_else(shared_order, capsys):
    path, number = shared_order
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o644)
    gid = grp.getgrnam(GROUP).gr_gid
    assert main(["db", "share", "--group", GROUP, "--database", f"sqlite:///{path}"]) == 0
    out = capsys.readouterr().out
    assert f"{path.parent}: group {GROUP}, mode 2770 (setgid)" in out
    folder = path.parent.stat()
    assert (stat.S_IMODE(folder.st_mode), folder.st_gid) == (0o2770, gid)
    assert (stat.S_IMODE(path.stat().st_mode), path.stat().st_gid) == (0o660, gid)
    if os.geteuid() == 0:
        url = f"sqlite:///{path}"
        assert as_another_login(_note_as_agent(url, number), groups=(gid,)) == "saved"
        assert "is closed to nobody" in as_another_login(_note_as_agent(url, number))
        for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if companion.exists():  # made by nobody: the group's, not nobody's own
                assert companion.stat().st_gid == gid


def test_a_file_every_login_may_change_is_warned_about(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'open.db'}"
    assert main(["db", "upgrade", "--database", url]) == 0
    os.chmod(tmp_path / "open.db", 0o666)
    assert main(["orders", "list", "--database", url]) == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'open.db'} (mode 0666): writable by every login" in err
    assert "csr-tui db share --group GROUP" in err


# -- a schema whose revision is unknown ---------------------------------------------------


def test_tables_without_a_revision_are_explained_and_left_alone(db):
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaUnknown, match="its alembic_version table is empty") as error:
        db.upgrade()
    assert "Nothing was changed. Restore alembic_version from the same backup" in str(error.value)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0

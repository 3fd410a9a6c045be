"""`csr-tui orders list` on a SQLite file at the current schema reads it without
SQLAlchemy (data/sqlite_reader.py): it must print exactly what the normal path prints, and
answer without importing SQLAlchemy once the statements of its search are cached."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from csr_tui.cli import _database as open_database
from csr_tui.cli import main
from csr_tui.data import queries
from csr_tui.data.database import Database
from csr_tui.data.demo import load_demo
from csr_tui.data.faults import sqlite_path
from csr_tui.data.schema import HEAD
from csr_tui.data.sqlite_reader import (
    SOURCES,
    StatementFile,
    open_reader,
    plain_sqlite_file,
    sqlalchemy_version,
    statements_key,
)
from csr_tui.domain.statuses import OrderStatus
from tests.data.test_order_search import PLANS

ORDERS = 300


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """Demo orders over three years, five markets, every status."""
    path = tmp_path_factory.mktemp("listing") / "demo.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    load_demo(db.engine, orders=ORDERS, seed=5)
    db.close()
    return path


@pytest.fixture(scope="module")
def samples(demo_db) -> dict[str, list[str]]:
    """Search terms taken from the orders: names, emails, phone numbers, order numbers."""
    with sqlite3.connect(demo_db) as conn:
        rows = conn.execute(
            "SELECT customer_name, customer_email, customer_phone, number, created_at "
            "FROM orders ORDER BY id"
        ).fetchall()
    names = [r[0] for r in rows if r[0]]
    return {
        "names": names,
        "emails": [r[1] for r in rows if r[1]],
        "phones": [r[2] for r in rows if r[2]],
        "numbers": [r[3] for r in rows],
        "days": sorted({r[4][:10] for r in rows}),
    }


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def closed_by_all(db: Path) -> None:
    """The file as the last connection to close leaves it: without its -wal and -shm
    files. (A read-only connection cannot remove them: after the read-only path they stay
    until the next read-write connection closes, so a warning about a world-writable
    database given meanwhile lists them too.)"""
    with sqlite3.connect(db) as conn:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def both_paths(capsys, monkeypatch, db: Path, argv: list[str]) -> tuple[tuple, tuple]:
    """The command through the normal path, then through the read-only one (which must
    answer alone: the normal path is closed to it), each on the database as it was."""
    closed_by_all(db)
    opened = []

    def normal_database(args, **options):
        opened.append(open_database(args, **options))
        return opened[-1]

    with monkeypatch.context() as m:
        m.setattr("csr_tui.cli._list_read_only", lambda _args: None)
        m.setattr("csr_tui.cli._database", normal_database)
        normal = run(capsys, argv)
    for database in opened:
        database.close()  # as the command's exit closes its connections

    def closed(_args):
        raise AssertionError("the read-only path fell back to the normal one")

    closed_by_all(db)
    with monkeypatch.context() as m:
        m.setattr("csr_tui.cli._open", closed)
        read_only = run(capsys, argv)
    return normal, read_only


def terms(samples: dict[str, list[str]]) -> st.SearchStrategy[str]:
    def cut(text: str) -> st.SearchStrategy[str]:
        return st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ij: text[min(ij) : max(ij)]
        )

    typed = st.text(
        st.sampled_from("abmrstyMTéÉ %_'\"@.-+()0123456789\\PO"), min_size=0, max_size=8
    )
    fragment = st.one_of(
        st.sampled_from(samples["names"]).flatmap(cut),
        st.sampled_from(samples["emails"]).flatmap(cut),
        st.sampled_from(samples["phones"]).flatmap(cut),
        st.sampled_from(samples["numbers"]).flatmap(cut),
    )
    broad = st.sampled_from(["", "%a", "a", "%e", "%on", "%1", "555", "PO1", "%@example"])
    return st.one_of(
        broad,
        broad,
        typed,
        fragment,
        st.tuples(st.sampled_from(["", "%", "%%"]), fragment, st.sampled_from(["", "%"])).map(
            "".join
        ),
        st.sampled_from(samples["phones"]).map(lambda p: "".join(c for c in p if c.isdigit())),
        st.sampled_from(samples["emails"]).map(str.upper),
    )


@st.composite
def listings(draw, samples: dict[str, list[str]]) -> list[str]:
    argv = ["orders", "list"]
    search = draw(terms(samples))
    if search or draw(st.booleans()):
        argv.append(f"--search={search}")  # text may start with a dash
    statuses = [s.value for s in OrderStatus] + ["in-progress", "COMPLETED", "shipped-ish"]
    markets = ["US", "JP", "de", " gb ", "XX"]
    days = [*samples["days"], "2026-13-01", "0001-01-01", "9999-12-31"]
    sometimes = st.sampled_from([False, False, False, True])
    if draw(sometimes):
        for status in draw(st.lists(st.sampled_from(statuses), min_size=1, max_size=3)):
            argv += ["--status", status]
    if draw(sometimes):
        for market in draw(st.lists(st.sampled_from(markets), min_size=1, max_size=2)):
            argv += ["--market", market]
    if draw(sometimes):
        argv += ["--from", draw(st.sampled_from(days))]
    if draw(sometimes):
        argv += ["--to", draw(st.sampled_from(days))]
    argv += ["--limit", str(draw(st.sampled_from([1, 50, 51, 120, 400, 400, 0])))]
    argv += ["--format", draw(st.sampled_from(["json", "csv", "table"]))]
    return argv


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_read_only_listing_prints_what_the_normal_path_prints(
    capsys, monkeypatch, demo_db, samples, data
):
    argv = data.draw(listings(samples))
    plan = data.draw(st.sampled_from(list(PLANS)))
    exposed = data.draw(st.booleans())  # world-writable: both paths warn
    agent = data.draw(st.sampled_from([None, None, None, None, "Mercy", " ", "x" * 60]))
    # The days of --from and --to are local: elsewhere than UTC they cut UTC days in parts.
    zone = data.draw(st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]))
    prefix = ["--database", f"sqlite:///{demo_db}"]
    if agent is not None:
        prefix += ["--agent", agent]
    os.chmod(demo_db, 0o666 if exposed else 0o600)
    try:
        with monkeypatch.context() as m:
            m.setenv("TZ", zone)
            time.tzset()
            for name, value in PLANS[plan].items():
                if name == "SPARSE_LIMIT":
                    for dialect in queries.SPARSE_LIMIT:
                        m.setitem(queries.SPARSE_LIMIT, dialect, value)
                else:
                    m.setattr(queries, name, value)
            normal, read_only = both_paths(capsys, monkeypatch, demo_db, [*prefix, *argv])
    finally:
        time.tzset()
        os.chmod(demo_db, 0o600)
    assert read_only == normal
    code, out, err = read_only
    event(f"exit status {code}" + (", warned" if "warning" in err else ""))
    if code == 0 and argv[-1] != "table":
        found = len(json.loads(out)) if argv[-1] == "json" else len(out.splitlines()) - 1
        event("orders listed: " + ("none" if not found else "1-50" if found <= 50 else "51+"))


def test_both_paths_answer_pages_warnings_and_errors_alike(capsys, monkeypatch, demo_db):
    """The comparison above compares real answers: pages, counts, warnings, errors."""
    url = f"sqlite:///{demo_db}"
    listing = ["--database", url, "orders", "list", "--limit", "120", "--format", "json"]
    normal, read_only = both_paths(capsys, monkeypatch, demo_db, listing)
    assert read_only == normal
    assert read_only[0] == 0 and len(json.loads(read_only[1])) == 120
    os.chmod(demo_db, 0o666)
    try:
        normal, read_only = both_paths(
            capsys, monkeypatch, demo_db, [*listing[:4], "--market", "XX"]
        )
    finally:
        os.chmod(demo_db, 0o600)
    assert read_only == normal
    code, out, err = read_only
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 2
    assert "writable by every login" in lines[0] and "unknown market XX" in lines[1]
    table = [*listing[:4], "--search", "%a", "--format", "table"]
    normal, read_only = both_paths(capsys, monkeypatch, demo_db, table)
    assert read_only == normal and "matching orders" in read_only[1]


@pytest.mark.parametrize(
    ("damage", "search"),
    [
        ("ALTER TABLE markets RENAME TO markets_gone", "%tay"),
        ("DROP TABLE order_names_fts", "%tay"),  # found missing by the search itself
    ],
)
def test_a_damaged_database_is_reported_alike(
    capsys, monkeypatch, demo_db, tmp_path, damage, search
):
    path = tmp_path / "damaged.db"
    path.write_bytes(demo_db.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute(damage)
    conn.close()
    argv = ["--database", f"sqlite:///{path}", "orders", "list", f"--search={search}"]
    normal, read_only = both_paths(capsys, monkeypatch, path, [*argv, "--format", "json"])
    assert read_only == normal
    code, out, err = read_only
    assert code == 1 and out == "" and "no such table" in err and len(err.splitlines()) == 1


def test_what_sqlite_refuses_a_read_only_connection_leaves_the_answer_to_the_normal_path(
    capsys, monkeypatch, demo_db
):
    """Say a crashed writer left a journal that only a writer may recover: the normal path
    opens the file read-write and answers, as it always did."""
    from csr_tui.data import sqlite_reader

    class Refusing:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def execute(self, sql, *parameters):
            if "FROM orders" in sql:
                error = sqlite3.OperationalError("attempt to write a readonly database")
                error.sqlite_errorname = "SQLITE_READONLY_RECOVERY"
                raise error
            return self.conn.execute(sql, *parameters)

    def opened_refusing(url, folder):
        reader = sqlite_reader.open_reader(url, folder)
        reader.conn = Refusing(reader.conn)
        return reader

    argv = ["--database", f"sqlite:///{demo_db}", "orders", "list", "--search", "%ay"]
    with monkeypatch.context() as m:
        m.setattr("csr_tui.cli._list_read_only", lambda _args: None)
        expected = run(capsys, argv)
    monkeypatch.setattr("csr_tui.services.listing.open_reader", opened_refusing)
    assert run(capsys, argv) == expected
    assert expected[0] == 0 and "matching orders" in expected[1]


def listing_in_a_fresh_interpreter(argv: list[str], cache: Path) -> tuple[str, set[str]]:
    """What `csr-tui argv` prints, and the modules it loaded (top-level names)."""
    code = (
        "import contextlib, io, json, sys\n"
        "from csr_tui.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    status = main(sys.argv[1:])\n"
        "print(json.dumps([status, out.getvalue(), sorted(sys.modules)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    status, out, modules = json.loads(result.stdout)
    assert status == 0 and result.stderr == ""
    return out, {m.split(".")[0] for m in modules}


def test_a_listing_answers_without_sqlalchemy_once_its_statements_are_cached(
    demo_db, samples, tmp_path
):
    name = samples["names"][0].split()[-1]
    argv = ["orders", "list", "--database", f"sqlite:///{demo_db}", "--search", f"%{name}"]
    argv += ["--status", "completed", "--limit", "60", "--format", "json"]
    first, loaded_first = listing_in_a_fresh_interpreter(argv, tmp_path)
    second, loaded_second = listing_in_a_fresh_interpreter(argv, tmp_path)
    assert first == second and json.loads(first), "the same orders, found"
    assert "sqlalchemy" in loaded_first  # its statements met for the first time: compiled
    assert not loaded_second & {"sqlalchemy", "alembic", "textual", "rich"}
    folder = tmp_path / "csr-tui"
    (cached,) = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600


def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(
    capsys, monkeypatch, demo_db, tmp_path
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    argv = ["--database", f"sqlite:///{demo_db}", "orders", "list", "--search", "%ay"]
    argv += ["--format", "csv"]
    expected = run(capsys, argv)
    (cached,) = (tmp_path / "csr-tui").iterdir()
    good = cached.read_bytes()
    document = json.loads(good)
    sql = next(iter(document["statements"].values()))
    damaged = {
        "half written": good[: len(good) // 2],
        "not json": b"\x00\xff garbage",
        "another key": json.dumps({**document, "key": "0" * 64}).encode(),
        "a statement mangled": json.dumps(
            {**document, "statements": {k: {"sql": 1} for k in document["statements"]}}
        ).encode(),
        "not a document": b"[1, 2, 3]",
    }
    for why, content in damaged.items():
        cached.write_bytes(content)
        assert run(capsys, argv) == expected, why
        assert json.loads(cached.read_bytes())["key"] == document["key"], why
    # Open to others' writing, someone could make it run their SQL: not read, rewritten.
    evil = {k: {**v, "sql": "SELECT 1"} for k, v in document["statements"].items()}
    cached.write_text(json.dumps({**document, "statements": evil}))
    os.chmod(cached, 0o666)
    assert run(capsys, argv) == expected
    assert (
        stat.S_IMODE(cached.stat().st_mode) == 0o600
        and sql in json.loads(cached.read_bytes())["statements"].values()
    )


def test_commands_writing_the_cache_at_once_leave_it_whole(tmp_path):
    """Each writer adds its statement to what it reads and renames its own complete file
    over the last: an entry may be lost (compiled again later), the file is never torn."""
    from sqlalchemy import literal, select

    key = "k" * 64
    folder = tmp_path / "csr-tui"

    def writer(n: int) -> None:
        cache = StatementFile(folder, key)
        for i in range(30):
            cache.get(("w", n, i), lambda i=i: select(literal(i)))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = StatementFile(folder, key).entries
    assert entries and set(entries) <= {repr(("w", n, i)) for n in range(6) for i in range(30)}
    assert [p.name for p in folder.iterdir()] == [f"order-list-sql-{key[:24]}.json"]


def test_the_cache_key_follows_the_code_and_sqlalchemy(tmp_path, monkeypatch):
    from importlib.metadata import version

    assert version("sqlalchemy") in sqlalchemy_version()
    key = statements_key()
    copy = tmp_path / "order_sql.py"
    copy.write_bytes(SOURCES[0].read_bytes() + b"\n# changed\n")
    monkeypatch.setattr("csr_tui.data.sqlite_reader.SOURCES", (copy, *SOURCES[1:]))
    assert statements_key() != key
    monkeypatch.setattr("csr_tui.data.sqlite_reader.sqlalchemy_version", lambda: "2.2.0")
    monkeypatch.setattr("csr_tui.data.sqlite_reader.SOURCES", SOURCES)
    assert statements_key() != key


def test_every_module_that_builds_the_statements_keys_the_cache():
    code = (
        "import sys\n"
        "import csr_tui.data.order_sql\n"
        "print('\\n'.join(getattr(m, '__file__', '') or '' for n, m in list(sys.modules.items())"
        " if n.startswith('csr_tui')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = {Path(f).resolve() for f in result.stdout.split()}
    keyed = {p.resolve() for p in SOURCES}
    assert loaded - keyed == set()


@given(
    st.text(st.sampled_from("ab/ .:-_~%?#@é\\"), min_size=1, max_size=12),
    st.sampled_from(["sqlite", "sqlite+pysqlite"]),
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_opens(path, driver):
    url = f"{driver}:///{path}"
    plain = plain_sqlite_file(url)
    if plain is not None:
        assert plain == sqlite_path(url)


@pytest.mark.parametrize("case", ["older schema", "missing file", "query string", "postgresql"])
def test_the_normal_path_answers_where_it_would_act_or_complain(capsys, tmp_path, demo_db, case):
    """An older schema is upgraded, a missing file created, another database or a URL with
    options opened as SQLAlchemy opens it: the read-only path stays out of the way."""
    path = tmp_path / "orders.db"
    url = f"sqlite:///{path}"
    if case == "older schema":
        from alembic import command
        from sqlalchemy import create_engine

        from csr_tui.data.migrate import _config

        engine = create_engine(url)
        with engine.begin() as conn:
            command.upgrade(_config(conn), "0005")
        engine.dispose()
    elif case == "query string":
        path.write_bytes(demo_db.read_bytes())
        url += "?timeout=5"
    elif case == "postgresql":
        url = "postgresql+psycopg://agent@127.0.0.1:1/orders"
    assert open_reader(url, tmp_path / "cache") is None
    if case == "older schema":
        # The normal path brings it to the current schema before listing.
        code, out, _err = run(capsys, ["--database", url, "orders", "list", "--format", "json"])
        with sqlite3.connect(path) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert code == 0 and json.loads(out) == [] and revision == (HEAD,)


def test_reading_never_needs_the_busy_writer_to_finish(demo_db, tmp_path):
    """A read-only reader sees the last committed orders while a writer holds its
    transaction open (WAL), as the normal path does."""
    reader = open_reader(f"sqlite:///{demo_db}", tmp_path)
    assert reader is not None
    writer = sqlite3.connect(demo_db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE orders SET name = 'Changed' WHERE id = 1")
        codes = reader.market_codes()
        assert codes == sorted(codes) and "US" in codes
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.close()

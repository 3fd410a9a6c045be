"""The order list of a SQLite file, read without SQLAlchemy: the command line's fast path.

`csr-tui orders list` used to spend most of its time importing SQLAlchemy (~300 ms on a
quiet machine; the search itself takes a few ms). On a SQLite file whose schema is
current, the command runs the same plan (queries.OrderList) on a read-only sqlite3
connection instead, executing each statement's SQL text as SQLAlchemy compiles it for
SQLite, with the values converted as the column types convert them (stored.py).

The SQL texts are kept in a file in the user cache folder, keyed by everything that shapes
them: the code that builds them, SQLAlchemy's version (read from its package metadata,
not imported) and SQLite's. A shape of search met for the first time imports SQLAlchemy
to compile its statements and adds them to the file; after that the command imports no
SQLAlchemy. The file is private (0600, its folder 0700), written whole and renamed into
place, so that two commands at once never leave half of it; one that cannot be read, or
is not ours, is ignored and written again.

A statement this path cannot run as SQLAlchemy would (a conversion it does not know), or
a fault of the read-only connection alone (SQLite refusing it what only a writer may do),
raises NormalPathNeeded before anything is shown: the command then takes the normal path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from csr_tui.data.queries import OrderList
from csr_tui.data.schema import BUSY_TIMEOUT_SECONDS, HEAD
from csr_tui.data.sharing import sharing_warnings
from csr_tui.data.stored import money_from_db, money_to_db, utc_from_db, utc_to_db

T = TypeVar("T")

# A plain `sqlite:///PATH`: no query string, no %-escapes, no `@` (which SQLAlchemy's URL
# parser reads apart), no `~`. Any other URL takes the normal path.
PLAIN_SQLITE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///([^?#%@~][^?#%@]*)")

# The code whose change changes a statement's SQL text (a test checks that every module
# building them is here). Their bytes key the cache file.
_DATA = Path(__file__).parent
SOURCES = (
    *(_DATA / name for name in ("order_sql.py", "queries.py", "tables.py", "types.py")),
    *(_DATA / name for name in ("stored.py", "sqlite_reader.py")),
    *sorted((_DATA.parent / "domain").glob("*.py")),
    _DATA.parent / "__init__.py",
    _DATA / "__init__.py",
)
CACHE_NAME = "order-list-sql-{key}.json"
STALE_SECONDS = 30 * 24 * 3600  # other keys' files not written for this long are removed


# What SQLite refuses a read-only connection only (a read-write one, as the normal path
# opens, may recover a journal or open a file this one cannot).
READ_ONLY_FAULTS = ("SQLITE_READONLY", "SQLITE_CANTOPEN")


class NormalPathNeeded(Exception):
    """This path cannot answer as the normal one would: the normal path must answer."""


def plain_sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL, as SQLAlchemy reads it; None for any other URL."""
    match = PLAIN_SQLITE_URL.fullmatch(url)
    if match is None or match.group(1) == ":memory:":
        return None
    return Path(match.group(1))


def _usable(path: Path) -> bool:
    """The normal path could open the file, its companions and its folder for writing
    (else it reports what is wrong, which this path leaves to it)."""
    folder = path.parent
    if not path.is_file() or not os.access(folder, os.W_OK | os.X_OK):
        return False
    return all(
        not f.exists() or os.access(f, os.R_OK | os.W_OK)
        for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    )


def open_reader(url: str, cache_folder: Path) -> SqliteReader | None:
    """A read-only connection to the SQLite file of `url`, if its schema is this code's
    (HEAD); None when the normal path must answer (another database or URL, a file it
    would create, upgrade or complain about)."""
    path = plain_sqlite_file(url)
    if path is None or not _usable(path):
        return None
    # Before connecting, as the normal path says them: the connection creates the -wal
    # and -shm files if they are missing (and, read-only, leaves them when it closes).
    warnings = sharing_warnings(path)
    try:
        conn = sqlite3.connect(
            f"file:{quote(os.path.abspath(path))}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # BEGIN and COMMIT are issued here, as the engine does
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        revisions = sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.Error:
        revisions = []
    if revisions != [HEAD]:
        conn.close()
        return None
    return SqliteReader(url, conn, StatementFile(cache_folder), warnings)


class Rows:
    """What a statement returned, read as the plan reads a SQLAlchemy result."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if len(self.rows) != 1:
            raise LookupError(f"one row expected, {len(self.rows)} found")
        return self.rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]


class SqliteReader:
    """One read-only connection; statements run by their key, their SQL from the file."""

    def __init__(
        self, url: str, conn: sqlite3.Connection, statements: StatementFile, warnings: list[str]
    ) -> None:
        self.url = url
        self.conn = conn
        self.statements = statements
        self.warnings = warnings  # as Database.warnings() says them

    def query(self, run: Callable[[SqliteReader], T]) -> T:
        """`run` in one read transaction (one snapshot), as Database.query runs it."""
        self._explained(lambda: self.conn.execute("BEGIN"))
        try:
            result = run(self)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.rollback()  # the error that stopped it is the one to report
            raise
        self._explained(lambda: self.conn.execute("COMMIT"))
        return result

    def market_codes(self) -> list[str]:
        def codes(reader: SqliteReader) -> list[str]:
            rows = self._explained(
                lambda: self.conn.execute("SELECT code FROM markets ORDER BY code").fetchall()
            )
            return [code for (code,) in rows]

        return self.query(codes)

    def run(self, key: tuple[Any, ...], build: Callable[[], Any], values: dict[str, Any]) -> Rows:
        statement = self.statements.get(key, build)
        sql, parameters = statement.bound(values)
        rows = self._explained(lambda: self.conn.execute(sql, parameters).fetchall())
        return Rows(statement.converted(rows))

    def _explained(self, call: Callable[[], T]) -> T:
        """A database failure as the normal path reports it (faults.classify)."""
        try:
            return call()
        except sqlite3.Error as error:
            if (getattr(error, "sqlite_errorname", None) or "").startswith(READ_ONLY_FAULTS):
                raise NormalPathNeeded(str(error)) from error
            from csr_tui.data.faults import classify

            explained = classify(error, self.url)
            if explained is None:
                raise
            raise explained from error

    def close(self) -> None:
        self.conn.close()


class CompiledOrderList(OrderList):
    """The order list's plan, its statements run by SqliteReader (`conn`)."""

    @property
    def dialect(self) -> str:
        return "sqlite"

    def _execute(
        self, key: tuple[Any, ...], build: Callable[[], Any], parameters: dict[str, Any]
    ) -> Any:
        return self.conn.run(("sqlite", *key), build, parameters)  # type: ignore[attr-defined]


# -- the statements' SQL and their conversions -------------------------------------------

_TO_DB: dict[str, Callable[[Any], Any]] = {
    "money": lambda value: money_to_db(value, "sqlite"),
    "utc": lambda value: utc_to_db(value, "sqlite"),
}
_FROM_DB: dict[str, Callable[[Any], Any]] = {"money": money_from_db, "utc": utc_from_db}


class Statement:
    """A statement's SQL (named parameters), how each parameter and result column is
    converted, and the constants SQLAlchemy bound itself."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.sql: str = data["sql"]
        self.parameters: dict[str, str | None] = dict(data["parameters"])
        self.expanding: set[str] = set(data["expanding"])
        self.constants: dict[str, Any] = dict(data["constants"])
        self.results = [(i, _FROM_DB[kind]) for i, kind in enumerate(data["results"]) if kind]
        for kind in self.parameters.values():
            if kind is not None and kind not in _TO_DB:
                raise ValueError(f"unknown conversion {kind!r}")

    def bound(self, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The SQL and its parameters for `values`; a list for an IN is spelled out (one
        parameter per item, as SQLAlchemy expands it)."""
        sql, parameters = self.sql, dict(self.constants)
        for name, kind in self.parameters.items():
            convert = _TO_DB[kind] if kind is not None else None
            value = values[name]
            if name not in self.expanding:
                parameters[name] = value if convert is None else convert(value)
                continue
            if not value:  # SQLAlchemy writes an empty set
                raise NormalPathNeeded(f"an empty list for {name}")
            names = [f"{name}__{i}" for i in range(len(value))]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(f":{n}" for n in names))
            for n, item in zip(names, value, strict=True):
                parameters[n] = item if convert is None else convert(item)
        return sql, parameters

    def converted(self, rows: list[Any]) -> list[Any]:
        if not self.results:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for i, convert in self.results:
                values[i] = convert(values[i])
            converted.append(values)
        return converted


def compile_statement(statement: Any) -> dict[str, Any]:
    """SQLAlchemy's SQL text of `statement` for SQLite (named parameters), and how its
    values are converted. Imports SQLAlchemy."""
    dialect = _sqlite_dialect()
    compiled = statement.compile(dialect=dialect)
    parameters: dict[str, str | None] = {}
    expanding: list[str] = []
    constants: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        kind = _conversion(bind.type, dialect, bind=True)
        if bind.literal_execute:
            raise NormalPathNeeded(f"{name} is rendered into the SQL at run time")
        if bind.expanding:
            expanding.append(name)
        if bind.required:
            parameters[name] = kind
            continue
        value = bind.effective_value
        if kind is not None:
            value = _TO_DB[kind](value)
        if not isinstance(value, str | int | float | None):
            raise NormalPathNeeded(f"the constant {name} is a {type(value).__name__}")
        constants[name] = value
    results = [_conversion(c.type, dialect, bind=False) for c in statement.selected_columns]
    return {
        "sql": compiled.string,
        "parameters": parameters,
        "expanding": expanding,
        "constants": constants,
        "results": results,
    }


def _conversion(type_: Any, dialect: Any, *, bind: bool) -> str | None:
    """Which of stored.py's conversions a column type makes; None for a value sqlite3
    takes and gives as SQLAlchemy would."""
    from csr_tui.data.types import Money, UTCDateTime

    if isinstance(type_, Money):
        return "money"
    if isinstance(type_, UTCDateTime):
        return "utc"
    impl = type_.dialect_impl(dialect)
    processor = impl.bind_processor(dialect) if bind else impl.result_processor(dialect, None)
    if processor is not None:
        raise NormalPathNeeded(f"{type_!r} converts its values")
    return None


_DIALECT: list[Any] = []


def _sqlite_dialect() -> Any:
    """The dialect the engine compiles with (pysqlite), with named parameters."""
    if not _DIALECT:
        from sqlalchemy import create_engine

        engine = create_engine("sqlite://", paramstyle="named")
        # The dialect reads SQLite's version on its first connection, as the engine's does.
        engine.connect().close()
        _DIALECT.append(engine.dialect)
        engine.dispose()
    return _DIALECT[0]


# -- the file ------------------------------------------------------------------------------


def statements_key() -> str:
    """Changes whenever a statement's SQL text might: the code that builds them,
    SQLAlchemy's version, SQLite's."""
    digest = hashlib.sha256()
    for source in SOURCES:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    digest.update(f"{sqlalchemy_version()}\0{sqlite3.sqlite_version}".encode())
    return digest.hexdigest()


def sqlalchemy_version() -> str:
    """SQLAlchemy's version from its package metadata, without importing it: the folder
    it would be imported from, and the name of the .dist-info folder beside it (which
    holds the version)."""
    for folder in sys.path:
        package = Path(folder or ".") / "sqlalchemy"
        if not (package / "__init__.py").is_file():
            continue
        try:
            metadata = sorted(
                entry.name
                for entry in os.scandir(package.parent)
                if entry.name.lower().startswith("sqlalchemy-")
                and entry.name.endswith((".dist-info", ".egg-info"))
            )
        except OSError:
            metadata = []
        if not metadata:
            # No metadata beside it: the package's own version line.
            metadata = [hashlib.sha256((package / "__init__.py").read_bytes()).hexdigest()]
        return f"{package} {' '.join(metadata)}"
    return "none"


class StatementFile:
    """The compiled statements, by key, in the cache folder."""

    def __init__(self, folder: Path, key: str | None = None) -> None:
        self.folder = folder
        self.key = key or statements_key()
        self.path = folder / CACHE_NAME.format(key=self.key[:24])
        self.entries: dict[str, Any] = self._read()
        self._statements: dict[tuple[Any, ...], Statement] = {}

    def get(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Statement:
        statement = self._statements.get(key)
        if statement is not None:
            return statement
        name = repr(key)
        data = self.entries.get(name)
        try:
            statement = Statement(data) if data is not None else None
        except (KeyError, TypeError, ValueError):
            statement = None
        if statement is None:
            data = compile_statement(build())
            statement = Statement(data)
            self.entries[name] = data
            self._write(name, data)
        self._statements[key] = statement
        return statement

    def _read(self) -> dict[str, Any]:
        """The file's statements; none if it is missing, unreadable, not ours, open to
        others' writing, or not a statement file of this key."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return {}
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return {}
            with os.fdopen(fd, "rb") as file:
                fd = -1
                document = json.loads(file.read())
        except (OSError, ValueError):
            return {}
        finally:
            if fd >= 0:
                os.close(fd)
        if not isinstance(document, dict) or document.get("key") != self.key:
            return {}
        statements = document.get("statements")
        return statements if isinstance(statements, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        """Add a statement: read what other commands wrote meanwhile, write the whole to a
        temporary file, rename it over the old one. Failing that, the statement is
        compiled again next time: never an error for the agent."""
        try:
            new_folder = not self.folder.exists()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.folder.stat().st_uid == os.getuid():
                os.chmod(self.folder, 0o700)
            entries = {**self._read(), name: data}
            document = json.dumps({"key": self.key, "statements": entries}, sort_keys=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sql-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as file:  # mkstemp: mode 0600
                    file.write(document)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
            if not new_folder:
                self._remove_stale()
        except OSError:
            return

    def _remove_stale(self) -> None:
        """Files of other keys (older code) not written for a month."""
        now = time.time()
        for other in self.folder.glob(CACHE_NAME.format(key="*")):
            try:
                if other != self.path and now - other.stat().st_mtime > STALE_SECONDS:
                    other.unlink()
            except OSError:
                continue

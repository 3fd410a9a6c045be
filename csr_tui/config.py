"""Where the database is and who the agent is: the command line, then the environment."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

# SQLAlchemy and platformdirs are imported where they are used: `csr-tui --version` and
# the start of every command import this module, and need neither.

DATABASE_URL_ENV = "CSR_TUI_DATABASE_URL"
AGENT_ENV = "CSR_TUI_AGENT"


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("csr-tui")) / "csr-tui.db"


def resolve_database_url(cli_value: str | None) -> str:
    if cli_value:
        return cli_value
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return from_env
    return f"sqlite:///{default_database_path()}"


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL may still hold a password: show none of it
        return "<unreadable database URL>"


def short_database_name(url: str | None) -> str:
    """What the header says about the database: a file name, or host and database."""
    if url is None:
        return "database"
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return mask_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "memory").name
    return f"{parsed.host or 'localhost'}/{parsed.database or ''}"


def default_agent() -> str:
    name = os.environ.get(AGENT_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"

"""Where the database is and who the agent is; and how a database URL is shown.

The database: the command line, then the environment, then a file in the user data folder.
The agent: the operating-system account of the process (see domain/agent.py).
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path
from urllib.parse import unquote

# SQLAlchemy and platformdirs are imported where they are used: `csr-tui --version` and
# the start of every command import this module, and need neither.
from csr_tui.domain.agent import Agent

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


# Query parameters (and libpq key=value words) that carry a secret.
_SECRET_WORDS = r"password|passwd|pwd|pass|sslpassword|sslkey|secret|token|api_?key"
_SECRET_PARAMETER = re.compile(rf"(?i)(^|[?&;\s])({_SECRET_WORDS})=([^&;\s]*)")
MASK = "***"


def _userinfo(url: str) -> tuple[str, str, str] | None:
    """(scheme://, userinfo, the rest) split at the LAST '@', so that an unencoded '@' in a
    password stays on the userinfo side; None when there is no userinfo."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return None
    userinfo, _, host = rest.rpartition("@")
    return scheme + sep, userinfo, host


def mask_url(url: str) -> str:
    """The URL as typed, with every credential replaced by ***: the password in the
    userinfo (even with an unencoded '@' in it) and password=/sslpassword=... parameters."""
    parts = _userinfo(url)
    if parts is not None:
        scheme, userinfo, host = parts
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        url = f"{scheme}{userinfo}@{host}"
    return _SECRET_PARAMETER.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", url)


def secrets_of(url: str) -> list[str]:
    """Every secret the URL (or PGPASSWORD) holds, as typed and decoded: to be scrubbed from
    any message a driver writes."""
    found: list[str] = []
    parts = _userinfo(url)
    if parts is not None and ":" in parts[1]:
        found.append(parts[1].split(":", 1)[1])
    found += [m.group(3) for m in _SECRET_PARAMETER.finditer(url)]
    found.append(os.environ.get("PGPASSWORD", ""))
    found += [unquote(secret) for secret in found]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """The text with the URL shown masked and no secret of it left anywhere."""
    text = text.replace(url, mask_url(url))
    for secret in secrets_of(url):
        text = text.replace(secret, MASK)
    return text


def short_database_name(url: str | None) -> str:
    """What the header says about the database: a file name, or host and database."""
    if url is None:
        return "database"
    parts = _userinfo(url)
    if parts is not None and "@" in parts[1]:
        return "database"  # an unencoded '@' in a password: the parsed host would show it
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return mask_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "memory").name
    return f"{parsed.host or 'localhost'}/{parsed.database or ''}"


def os_account() -> str:
    """The login name of the process's uid; the uid itself if it has no passwd entry."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def current_agent(label: str | None) -> Agent:
    """The agent running this process: the OS account, shown with --agent (or
    CSR_TUI_AGENT) as a label when one is given."""
    label = label if label is not None else os.environ.get(AGENT_ENV, "").strip() or None
    return Agent(os_account(), label)

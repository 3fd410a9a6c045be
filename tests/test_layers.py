"""Imports point down only: the domain knows no database or terminal, the data layer and
the services know no terminal (checked in a fresh interpreter each)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded_modules(package: str) -> set[str]:
    """What importing `package` and each of its modules loads (a package's __init__ may
    import its modules only when a name is asked for)."""
    code = (
        f"import importlib, pkgutil, sys, {package}\n"
        f"for module in pkgutil.walk_packages(getattr({package}, '__path__', []), "
        f"'{package}.'):\n"
        "    importlib.import_module(module.name)\n"
        "print('\\n'.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "csr_tui.domain",
            (
                "sqlalchemy",
                "textual",
                "alembic",
                "csr_tui.data",
                "csr_tui.services",
                "csr_tui.screens",
            ),
        ),
        ("csr_tui.data.database", ("textual", "csr_tui.services", "csr_tui.screens")),
        ("csr_tui.services", ("textual", "csr_tui.screens")),
    ],
)
def test_layers_import_downwards_only(package, forbidden):
    modules = loaded_modules(package)
    leaks = sorted(
        m
        for m in modules
        if m.split(".")[0] in forbidden or any(m == f or m.startswith(f + ".") for f in forbidden)
    )
    assert leaks == []


def test_screens_reach_data_only_through_the_services():
    from pathlib import Path

    screens = Path(__file__).parents[1] / "csr_tui" / "screens"
    offenders = [
        str(p)
        for p in screens.rglob("*.py")
        if "sqlalchemy" in p.read_text() or "csr_tui.data" in p.read_text()
    ]
    assert offenders == []


def modules_after(argv: list[str]) -> set[str]:
    """The modules loaded by running `csr-tui argv` in a fresh interpreter."""
    code = (
        "import sys, contextlib, io\n"
        "from csr_tui.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({argv!r})\n"
        "print('\\n'.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return {m.split(".")[0] for m in result.stdout.split()}


def test_the_command_line_loads_only_what_a_command_needs(tmp_path):
    """Start-up time is import time: `--version` needs no database library, a listing no
    terminal framework (and no migration tool when the schema is current; nor SQLAlchemy
    once its statements are cached: test_cli_read_only.py)."""
    assert not modules_after(["--version"]) & {"sqlalchemy", "textual", "rich", "platformdirs"}
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    subprocess.run(
        [sys.executable, "-m", "csr_tui", "db", "upgrade", "--database", url],
        check=True,
        capture_output=True,
    )
    listing = modules_after(["orders", "list", "--database", url, "--format", "json"])
    assert not listing & {"textual", "alembic", "rich"}

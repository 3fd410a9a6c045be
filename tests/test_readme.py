"""The README's set-up commands are the ones CI runs: `.ci/run` runs the test command as
it is written there, in a fresh clone, so the virtual environment and the install that the
app command shares with it are tried on every run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def setup_commands() -> list[str]:
    """The fenced shell commands of README's set-up section, in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_ci_runs_the_readmes_test_command_as_written():
    run_tests = setup_commands()[1]
    executed = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert any(f"( {run_tests} )" in line for line in executed), run_tests


def test_the_app_command_sets_up_what_the_test_command_does():
    run_app, run_tests = setup_commands()
    *app_setup, app_install, app_run = run_app.split(" && ")
    *test_setup, test_install, test_run = run_tests.split(" && ")
    assert app_setup == test_setup == ["python3 -m venv .venv", ". .venv/bin/activate"]
    assert app_install == "pip install -e ." and test_install == "pip install -e '.[test]'"
    assert (app_run, test_run) == ("csr-tui", "python -m pytest -n 3")


def test_the_readme_points_only_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith(("http://", "https://")):
            assert (ROOT / link).exists(), link


def test_local_files_stay_out_of_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {".venv/", "venv/", "*.db", "*.log"} <= set(ignored)

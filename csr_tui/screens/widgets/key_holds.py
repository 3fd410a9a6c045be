"""What the keys typed ahead wait for (see CsrApp.hold_keys)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class KeysWaitFor:
    """One reason for the keys to wait, released by the code that set it."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"KeysWaitFor({self.what!r})"


class AfterAnswer:
    """A key's action that waits for the answer on its way (a search's page, matches or
    results): `wait` keeps it and holds the keys typed behind it; `shown`, once the answer
    is on screen (or has failed), runs it and lets those keys go on."""

    def __init__(self) -> None:
        self._then: Callable[[], None] | None = None
        self._app: Any = None

    def wait(self, app: Any, then: Callable[[], None]) -> None:
        self._then, self._app = then, app
        app.hold_keys(self)

    def shown(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()
            self._app.release_keys(self)

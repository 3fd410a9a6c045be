"""What the keys typed ahead wait for (see CsrApp.hold_keys)."""

from __future__ import annotations


class KeysWaitFor:
    """One reason for the keys to wait, released by the code that set it."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"KeysWaitFor({self.what!r})"

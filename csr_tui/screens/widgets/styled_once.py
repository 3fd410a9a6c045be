"""A new screen is styled once, as it mounts: not a second time when it is first shown.

Textual restyles every widget of a screen each time the screen is pushed (its ScreenResume
carries `refresh_styles=True`), and a screen pushed for the first time has just been styled
widget by widget as it mounted. On the wizard and Order Details that second pass was about a
quarter of the time from the key to the screen. Later resumes (a theme changed while the
screen was covered) restyle as Textual does.
"""

from __future__ import annotations

from textual import events


class StyledOnce:
    """Mixed into a Screen class, before it: `class S(StyledOnce, Screen[None])`."""

    _shown_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls this before Screen's own handler of the same event (see
        # MessagePump._get_dispatch_methods), which reads `refresh_styles`.
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

"""Slow calls run off the UI thread, and an unexpected failure in one is never lost.

`@background("group")` is `@work(thread=True, exclusive=True, exit_on_error=False,
group="group")` (a group per task, so one kind of call never cancels another), plus: an
exception that is not a `DomainError` the method handled itself is written to the error
log and the agent gets one line naming the log, not a traceback and not silence. The worker
still ends in the ERROR state, for screens that watch their workers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual import work

from csr_tui.error_log import log_unexpected

Method = TypeVar("Method", bound=Callable[..., Any])


def background(group: str) -> Callable[[Method], Method]:
    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:
                message = log_unexpected(error, f"{type(self).__name__}.{method.__name__}")
                self.app.call_from_thread(self.app.notify, message, severity="error", timeout=30)
                raise

        return work(thread=True, exclusive=True, exit_on_error=False, group=group)(run)  # type: ignore[return-value]

    return decorate

"""Who is acting: the operating-system account running csr-tui, and how it is shown.

The account comes from the process's uid, never from USER or LOGNAME (anyone can set those).
A label (--agent, CSR_TUI_AGENT) only changes how the agent is shown; the audit log records
the account beside it, and on PostgreSQL the database role too.
"""

from __future__ import annotations

from dataclasses import dataclass

from csr_tui.domain import limits
from csr_tui.domain.errors import ValidationError
from csr_tui.domain.limits import checked_length

LABEL = 40  # room for "label (account)" in a 100-character column


@dataclass(frozen=True)
class Agent:
    account: str
    label: str | None = None

    def __post_init__(self) -> None:
        checked_length(self.account, "agent", "account name", limits.NAME - LABEL - 3)
        if self.label is not None:
            label = " ".join(self.label.split())
            if not label:
                raise ValidationError("The agent label is empty.", "agent")
            checked_length(label, "agent", "agent label", LABEL)
            object.__setattr__(self, "label", label)

    @property
    def name(self) -> str:
        """What notes, payments and 'changed by' show: the label, with the account when the
        two differ, so that a label can never pass for somebody else."""
        if self.label is None or self.label == self.account:
            return self.account
        return f"{self.label} ({self.account})"

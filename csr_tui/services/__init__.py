"""The services layer: what screens and the command line call, one method per action."""

from csr_tui.services.services import AuditEntry, CartRef, OrderPage, OrderRef, Ref, Services

__all__ = ["AuditEntry", "CartRef", "OrderPage", "OrderRef", "Ref", "Services"]

"""csr-tui: keyboard-first order management for call-centre agents."""

__version__ = "0.1.0"

"""Textual screens, modals and widgets. They call services; they never touch a session."""

"""What code without SQLAlchemy needs to know about csr-tui's databases too (the command
line's read-only listing, sqlite_reader.py): the schema revision this code is written for,
and how long a SQLite connection waits for another one's lock."""

# The newest revision in migrations/versions (a test keeps the two in step).
HEAD = "0007"
BUSY_TIMEOUT_SECONDS = 30

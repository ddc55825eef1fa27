"""Use cases: the only code that changes domain state. Each checks, writes, commits, announces.

The errors they raise live in board/errors.py."""

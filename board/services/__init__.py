"""Use cases: the only code that changes domain state. Each checks, writes, commits, announces."""
from board.services.errors import (
    Conflict, NotAuthenticated, NotFound, PermissionDenied, ServiceError, ValidationFailed,
)

__all__ = [
    "Conflict", "NotAuthenticated", "NotFound", "PermissionDenied", "ServiceError",
    "ValidationFailed",
]

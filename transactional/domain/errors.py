"""Typed errors of the transactional domain.

Services raise these; the HTTP layer maps each family to one status code and the single
error body shape (``{"error": {"code", "message", "details"}}``). Keeping the mapping out of
the domain lets the same use cases run from the CLI, the seed loader or a future worker.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a machine-readable ``code``, a human ``message`` and optional ``details``."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    """The object does not exist *or is outside the caller's scope* (never distinguished)."""

    code = "not_found"


class ForbiddenError(DomainError):
    """The caller's role may not use this operation at all."""

    code = "forbidden"


class UnauthenticatedError(DomainError):
    """No valid credentials."""

    code = "unauthenticated"


class ValidationFailedError(DomainError):
    """The request is well-formed but breaks a business rule (MOQ, template, currency …)."""

    code = "validation_failed"


class ConflictError(DomainError):
    """The request conflicts with the current state (stock, status, duplicates, in flight)."""

    code = "conflict"


class OutOfStockError(ConflictError):
    """Not enough available stock to reserve every line of an order."""

    code = "out_of_stock"


class IllegalTransitionError(ConflictError):
    """The order's status does not allow the requested action."""

    code = "illegal_transition"


class IdempotencyInFlightError(ConflictError):
    """A request with the same Idempotency-Key is still being processed."""

    code = "idempotency_in_flight"


class IdempotencyMismatchError(ValidationFailedError):
    """The Idempotency-Key was already used with a different request body."""

    code = "idempotency_key_reused"


class RetryableConflictError(ConflictError):
    """A lock or serialization conflict that a retry of the whole transaction may resolve."""

    code = "concurrent_update"

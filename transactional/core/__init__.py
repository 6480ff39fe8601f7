"""What every bounded context uses: business events, idempotency, the audit log, paging,
the commerce policy. Imports only ``db/`` and ``domain/``."""

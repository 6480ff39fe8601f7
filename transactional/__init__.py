"""GroupLake's transactional service: identity, catalogue, ordering, settlement, onboarding.

Layers, outermost first: ``main.create_app`` (FastAPI app factory) → ``api/`` (one router per
resource, thin) → the bounded contexts (use cases over a SQLAlchemy session, no FastAPI):
``settlement/`` → ``ordering/`` (whose ``lifecycle.py`` owns every order status change) →
``rebates/`` → ``catalogue/``, ``onboarding/`` → ``identity/``, ``accounting/`` → ``core/``
(events, idempotency, audit, paging, policy) → ``db/`` (tables by context, the engine setup:
SQLite WAL + ``BEGIN IMMEDIATE``, PostgreSQL row locks, the outbox flush, Alembic migrations
run by ``grouplake setup`` / ``grouplake tx serve``, never on import) → ``domain/`` (pure
rules: money, pricing, allocation, the order status machine). Arrows point down only.
"""

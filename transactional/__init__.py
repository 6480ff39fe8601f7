"""GroupLake's transactional service: identity, catalogue, stock, orders and the outbox.

Layers, outermost first: ``main.create_app`` (FastAPI app factory) → ``api/`` (one router per
resource, thin) → ``services/`` (transactions over SQLAlchemy, no FastAPI) → ``domain/``
(pure rules: money, pricing, allocation, the order status machine). ``db/`` holds the tables,
the engine setup (SQLite WAL + ``BEGIN IMMEDIATE``, PostgreSQL row locks) and the Alembic
migrations, run by ``grouplake setup`` / ``grouplake tx serve``, never on import.
"""
